/*
 * request.h - one HTTP request as the handlers see it, copied out of the
 * FastCGI parameters by the server (server.c).
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

struct request {
	const char *method;		/* REQUEST_METHOD */
	const char *query;		/* QUERY_STRING ("" if none) */
	size_t query_len;
	const char *content_type;	/* CONTENT_TYPE or NULL */
	uint64_t content_length;	/* CONTENT_LENGTH, 0 if none or invalid */
	/* Reads the body: only a route that takes one calls it, after the
	 * request was admitted (admit.h), so a slow client cannot hold a
	 * worker before the rate limit saw it. At most CB_BODY_MAX bytes
	 * (else CB_REQ_BODY_TOO_LARGE, nothing read) within
	 * CB_BODY_DEADLINE_MS in all (else CB_REQ_BODY_TIMEOUT). *body is
	 * NUL-terminated and lives until the request ends. */
	enum cb_err (*read_body)(const struct request *rq, const char **body, size_t *len);
	void *io;			/* the server's, for read_body */
	const char *client;		/* REMOTE_ADDR from the web server */
	const char *user_agent;		/* HTTP_USER_AGENT, sanitised */
	const char *accept;		/* HTTP_ACCEPT */
	const char *accept_language;	/* HTTP_ACCEPT_LANGUAGE or NULL */
	const char *cookie;		/* HTTP_COOKIE */
	char request_id[CB_REQUEST_ID_LEN + 1];
	int64_t now;			/* seconds since the epoch */
	int64_t now_ms;
};

#endif
