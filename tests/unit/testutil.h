/* tests/unit/testutil.h - seeded randomness and ../shared lookup for tests.
 *
 * zt_seed() prints the seed it uses (ZKAUDIT_TEST_SEED overrides it), so a
 * failure can be replayed; zt_iters() scales loop counts
 * (ZKAUDIT_TEST_ITERS).  zt_shared() finds the shared models and datasets
 * (ZKAUDIT_SHARED, else ../shared from the repository root) or returns NULL,
 * and suites then skip with a message. */
#ifndef ZT_TESTUTIL_H
#define ZT_TESTUTIL_H

#include <stdint.h>

uint64_t zt_seed(const char *what);
uint64_t zt_next(uint64_t *state); /* splitmix64 */
long zt_iters(long dflt);
const char *zt_shared(void);
/* "<shared>/<rel>" in a static buffer, or NULL when shared is absent. */
const char *zt_shared_path(const char *rel);

#endif
