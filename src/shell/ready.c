/*
 * ready.c - the readiness probe (see ready.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "handlers.h"
#include "metrics.h"
#include "mm.h"
#include "mmdb.h"
#include "ratelimit.h"
#include "ready.h"
#include "request.h"
#include "response.h"
#include "store.h"

struct ready_cache {
	pthread_mutex_t mu;	/* held while checking: one check at a time */
	int64_t checked_ms;	/* 0 = never */
	enum cb_err store, mm, mmdb;
	bool has_mmdb;
};

struct ready_cache *
ready_cache_new(void)
{
	struct ready_cache *rc = calloc(1, sizeof(*rc));

	if (rc != NULL && pthread_mutex_init(&rc->mu, NULL) != 0) {
		free(rc);
		return NULL;
	}
	return rc;
}

void
ready_cache_free(struct ready_cache *rc)
{
	if (rc == NULL)
		return;
	pthread_mutex_destroy(&rc->mu);
	free(rc);
}

/* True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z. */
static bool
is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "::ffff:127.", 11) == 0;
}

/* Checks the dependencies into rc unless its result is fresh. */
static void
check(const struct handler_ctx *h, const struct request *rq, struct ready_cache *rc)
{
	struct mm_ctx m = {h->cfg, h->http, h->metrics, NULL};
	struct mm_result res;
	int64_t now = clock_now_ms();

	if (rc->checked_ms != 0 && now - rc->checked_ms < CB_READY_CACHE_MS && now >= rc->checked_ms &&
	    rc->has_mmdb == (h->mmdb != NULL))
		return;
	memset(&res, 0, sizeof(res));
	rc->store = store_ping(h->store);
	rc->mm = mm_ping(&m, &res);
	rc->has_mmdb = h->mmdb != NULL;
	rc->mmdb = rc->has_mmdb ? mmdb_ping(h->mmdb) : CB_OK;
	rc->checked_ms = clock_now_ms();
	metrics_ready(h->metrics, rc->store, rc->mm, rc->has_mmdb ? &rc->mmdb : NULL, rq->now);
}

enum cb_err
ready_handle(const struct handler_ctx *h, const struct request *rq, struct response *rs)
{
	struct ready_cache *rc = h->ready;
	char key[RATELIMIT_KEY_MAX];
	bool local = is_loopback(rq->client), ready;

	if (!local && h->rl != NULL) {
		ratelimit_client_key(rq->client, h->cfg->rate_limit_ipv6_prefix, key);
		if (!ratelimit_take(h->rl, key, rq->now_ms, h->cfg->rate_limit_per_minute,
		    &rs->retry_after))
			return CB_REQ_RATE_LIMITED;
	}
	pthread_mutex_lock(&rc->mu);
	check(h, rq, rc);
	ready = rc->store == CB_OK && rc->mm == CB_OK && rc->mmdb == CB_OK;
	rs->status = ready ? 200 : 503;
	rs->content_type = "application/json";
	buf_printf(&rs->body, "{\"ready\":%s", ready ? "true" : "false");
	if (local) {
		buf_printf(&rs->body, ",\"store\":\"%s\",\"mattermost\":\"%s\"", cb_err_reason(rc->store),
		    cb_err_reason(rc->mm));
		if (rc->has_mmdb)
			buf_printf(&rs->body, ",\"mattermost_database\":\"%s\"", cb_err_reason(rc->mmdb));
	}
	pthread_mutex_unlock(&rc->mu);
	buf_adds(&rs->body, "}\n");
	return rs->body.err;
}
