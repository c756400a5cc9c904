/* model/testinput.c - see testinput.h. */
#include "model/testinput.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

za_status zm_make_input(const char *rule, uint8_t *buf, size_t len, za_error *err)
{
    if (!strcmp(rule, "zeros")) {
        memset(buf, 0, len);
        return ZA_OK;
    }
    uint32_t s = 1;
    if (!strncmp(rule, "random", 6) && (rule[6] == 0 || rule[6] == ':')) {
        if (rule[6] == ':') {
            char *end;
            errno = 0;
            unsigned long v = strtoul(rule + 7, &end, 10);
            if (errno || end == rule + 7 || *end || v > UINT32_MAX)
                return za_error_set(err, ZA_ERR_ARG,
                                    "input rule '%s': SEED must be a decimal number below 2^32",
                                    rule);
            s = (uint32_t)v;
        }
        if (s == 0)
            s = 0x9e3779b9u;
        for (size_t i = 0; i < len; i++) {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            buf[i] = (uint8_t)(s & 0xff);
        }
        return ZA_OK;
    }
    return za_error_set(err, ZA_ERR_ARG, "unknown input rule '%s' (expected zeros or random:SEED)",
                        rule);
}
