/* common/parallel.c - see parallel.h. */
#include "common/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 256

typedef struct {
    za_range_fn fn;
    void *ctx;
    size_t begin, end;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    j->fn(j->ctx, j->begin, j->end);
    return NULL;
}

int za_default_threads(void)
{
    const char *env = getenv("ZKAUDIT_THREADS");
    if (env) {
        int v = atoi(env);
        if (v >= 1)
            return v > MAX_THREADS ? MAX_THREADS : v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > MAX_THREADS ? MAX_THREADS : (int)n);
}

void za_parallel_for(size_t n, int threads, za_range_fn fn, void *ctx)
{
    if (n == 0)
        return;
    if (threads <= 0)
        threads = za_default_threads();
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if ((size_t)threads > n)
        threads = (int)n;
    if (threads <= 1) {
        fn(ctx, 0, n);
        return;
    }
    job jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = { 0 };
    for (int t = 0; t < threads; t++) {
        jobs[t].fn = fn;
        jobs[t].ctx = ctx;
        jobs[t].begin = n * (size_t)t / (size_t)threads;
        jobs[t].end = n * (size_t)(t + 1) / (size_t)threads;
    }
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    run_job(&jobs[0]);
    /* a range whose thread could not start runs here, so the loop always completes */
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_job(&jobs[t]);
    }
}
