/* common/hex.h - lowercase hex encoding and strict decoding. */
#ifndef ZA_COMMON_HEX_H
#define ZA_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Write 2*len lowercase hex digits and a NUL to out (size >= 2*len+1). */
void za_hex_encode(const uint8_t *in, size_t len, char *out);

/* Decode exactly 2*out_len hex digits (either case) from a NUL-terminated
 * string into out.  Fails with ZA_ERR_MALFORMED naming the first bad
 * character's position, or the length found versus the length expected. */
za_status za_hex_decode(const char *hex, uint8_t *out, size_t out_len,
                        za_error *err) ZA_WARN_UNUSED;

#endif
