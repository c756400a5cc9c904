/* model/testinput.h - deterministic test inputs, the same bytes as the
 * oracle's `--make-input` rule (shared/golden/README.md):
 *   zeros        all zero bytes;
 *   random:SEED  xorshift32 (s ^= s<<13; s ^= s>>17; s ^= s<<5 on uint32,
 *                starting from s = SEED, or 0x9e3779b9 when SEED is 0), one
 *                step per byte, the byte being s & 0xff.
 * Only int8/uint8 tensors (one byte per element) are supported. */
#ifndef ZM_TESTINPUT_H
#define ZM_TESTINPUT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Fill len bytes according to rule; ZA_ERR_ARG for an unknown rule. */
za_status zm_make_input(const char *rule, uint8_t *buf, size_t len, za_error *err) ZA_WARN_UNUSED;

#endif
