/*
 * ready.c - the readiness probe (see ready.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
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
	enum cb_err login;	/* login mode: can a password sign-in work at all */
	bool has_mmdb;
	char mm_server[128];	/* mm_server_describe */
	char mmdb_problem[160];
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

/* Checks the dependencies into rc unless its result is fresh: the store,
 * Mattermost (its client configuration, and the bot token accepted), in
 * login mode whether password sign-in can work there, and Mattermost's
 * database (its tables as the bridge knows them) when configured. */
static void
check(const struct handler_ctx *h, const struct request *rq, struct ready_cache *rc)
{
	struct mm_ctx m = {h->cfg, h->http, h->metrics, NULL, h->mmserver};
	struct mm_server info;
	struct mm_result res;
	int64_t now = clock_now_ms();

	if (rc->checked_ms != 0 && now - rc->checked_ms < CB_READY_CACHE_MS && now >= rc->checked_ms &&
	    rc->has_mmdb == (h->mmdb != NULL))
		return;
	memset(&res, 0, sizeof(res));
	rc->store = store_ping(h->store);
	rc->mm = mm_client_config(&m, &info, &res);
	if (rc->mm == CB_OK)
		rc->mm = mm_ping(&m, &res);
	mm_server_get(h->mmserver, &info);
	mm_server_describe(&info, rc->mm_server, sizeof(rc->mm_server));
	rc->login = h->cfg->session_mode == SESSION_LOGIN && info.known &&
	    mm_server_login_by(&info) == MM_LOGIN_IMPOSSIBLE ? CB_MM_LOGIN_DISABLED : CB_OK;
	rc->has_mmdb = h->mmdb != NULL;
	rc->mmdb = rc->has_mmdb ? mmdb_ping(h->mmdb) : CB_OK;
	(void)snprintf(rc->mmdb_problem, sizeof(rc->mmdb_problem), "%s",
	    rc->has_mmdb ? mmdb_problem(h->mmdb) : "");
	rc->checked_ms = clock_now_ms();
	metrics_ready(h->metrics, rc->store, rc->mm, rc->has_mmdb ? &rc->mmdb : NULL, rq->now);
}

/* Appends "key":"text" (text JSON-escaped). */
static void
json_field(struct buf *b, const char *key, const char *text)
{
	buf_printf(b, ",\"%s\":\"", key);
	buf_add_json(b, text, strlen(text));
	buf_addc(b, '"');
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
	ready = rc->store == CB_OK && rc->mm == CB_OK && rc->mmdb == CB_OK && rc->login == CB_OK;
	rs->status = ready ? 200 : 503;
	rs->content_type = "application/json";
	buf_printf(&rs->body, "{\"ready\":%s", ready ? "true" : "false");
	if (local) {
		buf_printf(&rs->body, ",\"store\":\"%s\",\"mattermost\":\"%s\"", cb_err_reason(rc->store),
		    cb_err_reason(rc->mm));
		json_field(&rs->body, "mattermost_server", rc->mm_server);
		if (h->cfg->session_mode == SESSION_LOGIN)
			buf_printf(&rs->body, ",\"login\":\"%s\"", cb_err_reason(rc->login));
		if (rc->has_mmdb) {
			buf_printf(&rs->body, ",\"mattermost_database\":\"%s\"", cb_err_reason(rc->mmdb));
			if (rc->mmdb_problem[0] != '\0')
				json_field(&rs->body, "mattermost_database_problem", rc->mmdb_problem);
		}
	}
	pthread_mutex_unlock(&rc->mu);
	buf_adds(&rs->body, "}\n");
	return rs->body.err;
}
