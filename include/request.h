/*
 * request.h - one HTTP request as the handlers see it (copied out of the
 * FastCGI parameters by the server), the response they build, and the
 * per-worker context they run in.
 *
 * Only the parameters listed here are read. Client-supplied Host,
 * X-Forwarded-* and Proxy headers are never looked at: redirects, cookies
 * and outbound calls come from the configuration alone.
 */
#ifndef CB_REQUEST_H
#define CB_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "buf.h"
#include "cookie.h"
#include "logline.h"

struct config;
struct http;
struct metrics;
struct mmdb;
struct ratelimit;
struct store;
struct teamcache;

struct request {
	const char *method;		/* REQUEST_METHOD */
	const char *query;		/* QUERY_STRING ("" if none) */
	size_t query_len;
	const char *content_type;	/* CONTENT_TYPE or NULL */
	const char *body;		/* POST body (NULL if none) */
	size_t body_len;
	bool body_too_large;		/* CONTENT_LENGTH over CB_BODY_MAX */
	const char *client;		/* REMOTE_ADDR from the web server */
	const char *user_agent;		/* HTTP_USER_AGENT, sanitised */
	const char *accept;		/* HTTP_ACCEPT */
	const char *cookie;		/* HTTP_COOKIE (OAuth2 state cookie only) */
	char request_id[17];
	int64_t now;			/* seconds since the epoch */
	int64_t now_ms;
};

#define RESPONSE_EXTRA_COOKIES 2

struct response {
	int status;
	char location[CB_URL_MAX + CB_LANDING_MAX + 1024];
	bool has_session;
	struct session_cookies session;
	char extra_cookies[RESPONSE_EXTRA_COOKIES][COOKIE_VALUE_MAX];
	size_t n_extra_cookies;
	unsigned retry_after;		/* 429 */
	const char *allow;		/* 405 */
	const char *content_type;
	struct buf body;
};

/* Storage the attempt's string fields point into; kept by the worker so
 * the audit row can be written after the response has been sent. */
struct attempt_strings {
	char method[16];
	char client[64];
	char iss[CB_ISSUER_ID_MAX + 1];
	char sub[CB_ULID_LEN + 1];
	char mm_user_id[CB_MMID_LEN + 1];
	char detail[160];
};

struct handler_ctx {
	const struct config *cfg;
	struct http *http;		/* Mattermost and OpenTHC SSO calls */
	struct store *store;
	struct mmdb *mmdb;		/* database mode only, else NULL */
	struct metrics *metrics;
	struct teamcache *teams;
	struct ratelimit *rl;		/* NULL when rate limiting is off */
};

#endif
