/*
 * handlers.h - the contract between the request loop (server.c,
 * dispatch.c) and the route handlers (open.c, sso.c, ready.c).
 *
 * A handler is called as
 *
 *	enum cb_err handler(const struct handler_ctx *h, const struct request *rq,
 *	    struct response *rs, struct attempt *a, struct attempt_strings *as);
 *
 * (ready and the other probes take only h, rq, rs) and follows these rules:
 *
 *  - Success: it fills rs (a 302 with Location and maybe cookies, or a page
 *    with status, content type and body) and returns CB_OK. A page is
 *    rendered in rs->lang, which the dispatcher negotiated before the
 *    call, and the handler sets rs->vary_language with it.
 *  - Refusal or failure: it returns the reason. If it left rs->status at 0,
 *    the dispatcher answers the generic page of cb_err_status(reason)
 *    (response_error), so the person never sees the precise reason, which
 *    goes to the log, the audit row and the metrics. A handler may instead
 *    answer a page of its own for a non-OK reason (the "open chat from your
 *    app" page, the redirect to OpenTHC SSO, both CB_REQ_NO_TOKEN). It may
 *    set rs->retry_after and rs->allow; those survive the generic page.
 *  - It fills the attempt as it goes (route, via, iss, sub, Mattermost user
 *    id, a safe detail, time spent waiting upstream); the attempt's strings
 *    point into *as, which the worker keeps until the audit row is written
 *    after the response went out. Never a token, cookie value or password.
 *  - Nothing reaches the store or Mattermost before the request has been
 *    admitted (admit.h) and, for a link, before the token's signature.
 *  - The handler owns nothing past its return: every allocation is freed,
 *    secrets are wiped.
 */
#ifndef CB_HANDLERS_H
#define CB_HANDLERS_H

#include "bounds.h"

struct config;
struct http;
struct metrics;
struct mmdb;
struct loginq;
struct mm_server_cache;
struct ratelimit;
struct ready_cache;
struct store;
struct teamcache;

/* What a handler may use for one request; all borrowed. The
 * configuration is the one the request started with (a reload does not
 * change it under the handler). Per worker: http, store, mmdb. Per
 * process: metrics, teams, rl. */
struct handler_ctx {
	const struct config *cfg;
	struct http *http;		/* Mattermost and OpenTHC SSO calls */
	struct store *store;
	struct mmdb *mmdb;		/* when [mattermost] database is set, else NULL */
	struct metrics *metrics;
	struct teamcache *teams;
	struct ratelimit *rl;		/* NULL when rate limiting is off */
	struct ready_cache *ready;	/* the last readiness result */
	struct mm_server_cache *mmserver;	/* what is known of Mattermost */
	struct loginq *loginq;		/* login mode: the logins in flight */
};

/* Storage the attempt's string fields point into. */
struct attempt_strings {
	char method[16];
	char client[64];
	char iss[CB_ISSUER_ID_MAX + 1];
	char sub[CB_ULID_LEN + 1];
	char mm_user_id[CB_MMID_LEN + 1];
	char detail[CB_DETAIL_MAX + 1];
};

#endif
