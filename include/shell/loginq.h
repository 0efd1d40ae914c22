/*
 * loginq.h - the queue in front of Mattermost's password logins (login
 * mode). A Mattermost node checks one password at a time for everyone
 * (a global lock around the PBKDF2 compare, mattermost-behaviour.md
 * correction 3), so a burst of clicks piles up there, and a click the
 * bridge gives up on while Mattermost still works leaves a session nobody
 * receives. The bridge therefore lets at most [mattermost]
 * login_concurrency logins of this process be in flight and makes the
 * others wait, at most login_queue_ms, before answering 503 with
 * Retry-After. Thread-safe; one per process.
 */
#ifndef CB_LOGINQ_H
#define CB_LOGINQ_H

#include <stdint.h>

#include "err.h"

struct loginq;

struct loginq *loginq_new(void);
void loginq_free(struct loginq *q);

/* Waits for one of limit places, at most wait_ms. CB_OK (then call
 * loginq_leave) or CB_MM_BUSY. *waited_us gets the time spent waiting. */
enum cb_err loginq_enter(struct loginq *q, unsigned limit, unsigned wait_ms,
    uint64_t *waited_us) CB_WUR;
void loginq_leave(struct loginq *q);

#endif
