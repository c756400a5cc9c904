/* common/hex.c - lowercase hex encoding and strict decoding (see hex.h).
 *
 * Hex strings arrive from files and command lines (digests, seeds), so the
 * decoder accepts nothing but exactly the expected number of hex digits and
 * says precisely what was wrong.
 */
#include "common/hex.h"

#include <string.h>

void za_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0F];
    }
    out[2 * len] = '\0';
}

/* Value of one hex digit, or -1.  Not isxdigit(): that depends on locale. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

za_status za_hex_decode(const char *hex, uint8_t *out, size_t out_len,
                        za_error *err)
{
    if (hex == NULL)
        return za_error_set(err, ZA_ERR_ARG, "hex string is missing");

    /* Validate everything before writing, so out is untouched on failure. */
    size_t n = strlen(hex);
    for (size_t i = 0; i < n; i++) {
        if (hex_value(hex[i]) < 0) {
            unsigned char c = (unsigned char)hex[i];
            if (c >= 0x20 && c < 0x7F)
                return za_error_set(err, ZA_ERR_MALFORMED,
                                    "bad hex character '%c' at position %zu", c, i);
            return za_error_set(err, ZA_ERR_MALFORMED,
                                "bad hex byte 0x%02x at position %zu", c, i);
        }
    }
    /* out_len > SIZE_MAX/2 cannot match any real string; say so plainly. */
    if (out_len > (SIZE_MAX - 1) / 2 || n != 2 * out_len) {
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "expected %zu hex digits (%zu bytes), found %zu%s",
                            2 * out_len, out_len, n, n % 2 ? " (odd length)" : "");
    }
    for (size_t i = 0; i < out_len; i++)
        out[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    return ZA_OK;
}
