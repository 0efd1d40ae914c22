/*
 * loginq.c - a bounded wait for a place among the logins in flight (see
 * loginq.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "loginq.h"

struct loginq {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* signalled when a place frees */
	unsigned in_flight;
};

struct loginq *
loginq_new(void)
{
	struct loginq *q = calloc(1, sizeof(*q));
	pthread_condattr_t ca;

	if (q == NULL)
		return NULL;
	if (pthread_condattr_init(&ca) != 0) {
		free(q);
		return NULL;
	}
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&q->mu, NULL) != 0 || pthread_cond_init(&q->cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		free(q);
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	return q;
}

void
loginq_free(struct loginq *q)
{
	if (q == NULL)
		return;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

enum cb_err
loginq_enter(struct loginq *q, unsigned limit, unsigned wait_ms, uint64_t *waited_us)
{
	int64_t t0 = clock_mono_us();
	struct timespec deadline;
	enum cb_err e = CB_OK;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(wait_ms / 1000);
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->mu);
	while (q->in_flight >= limit && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&q->cv, &q->mu, &deadline);
	if (q->in_flight < limit)
		q->in_flight++;
	else
		e = CB_MM_BUSY;
	pthread_mutex_unlock(&q->mu);
	*waited_us = (uint64_t)(clock_mono_us() - t0);
	return e;
}

void
loginq_leave(struct loginq *q)
{
	pthread_mutex_lock(&q->mu);
	if (q->in_flight > 0)
		q->in_flight--;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}
