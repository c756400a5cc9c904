/* seller/service_int.h - the service's insides, shared by service.c (the
 * worker pool) and service_http.c (the resources).  Not for other users. */
#ifndef ZS_SERVICE_INT_H
#define ZS_SERVICE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/limits.h"
#include "seller/service.h"
#include "seller/service_state.h"

struct zs_service {
    zs_service_config cfg;
    size_t input_bytes;           /* the model's input bytes per sample */
    zs_state *state;
    pthread_mutex_t intake;       /* serializes request intake (one audit's files at a time) */
    pthread_mutex_t mu;           /* with wake: the workers' sleep */
    pthread_cond_t wake;
    atomic_int stop;
    unsigned n_started;
    pthread_t workers[ZA_MAX_SERVICE_WORKERS];
};

/* Wake a worker: a job was queued. */
void zs_service_kick(zs_service *s);

#endif
