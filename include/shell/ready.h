/*
 * ready.h - GET /auth/ready: whether this bridge can sign people in now.
 *
 * The answer is computed at most once per CB_READY_CACHE_MS per process
 * (the store, Mattermost with the bot token, Mattermost's database when
 * configured); probes in between get the cached result, so a flood of
 * probes costs the dependencies nothing. Only loopback clients (the
 * host's own health checker) see which dependency failed; others get
 * {"ready":true|false}, and are rate-limited like sign-ins.
 */
#ifndef CB_READY_H
#define CB_READY_H

#include "err.h"

struct handler_ctx;
struct request;
struct response;

/* The per-process cache of the last readiness result. */
struct ready_cache;

struct ready_cache *ready_cache_new(void);
void ready_cache_free(struct ready_cache *rc);

/* 200 when ready, else 503 (handler contract of handlers.h). */
enum cb_err ready_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs) CB_WUR;

#endif
