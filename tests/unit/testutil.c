/* tests/unit/testutil.c - see testutil.h. */
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

uint64_t zt_seed(const char *what)
{
    const char *env = getenv("ZKAUDIT_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ 0x5eed5eedull;
    printf("# %s: seed %llu (set ZKAUDIT_TEST_SEED to replay)\n", what, (unsigned long long)seed);
    return seed;
}

uint64_t zt_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

long zt_iters(long dflt)
{
    const char *env = getenv("ZKAUDIT_TEST_ITERS");
    long v = env ? strtol(env, NULL, 10) : dflt;
    return v > 0 ? v : dflt;
}

const char *zt_shared(void)
{
    const char *env = getenv("ZKAUDIT_SHARED");
    const char *dir = env ? env : "../shared";
    struct stat st;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/models", dir);
    if (stat(probe, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return dir;
}

const char *zt_shared_path(const char *rel)
{
    static char buf[4096];
    const char *dir = zt_shared();
    if (!dir)
        return NULL;
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    return buf;
}
