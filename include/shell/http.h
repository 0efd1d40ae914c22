/*
 * http.h - outbound HTTP with libcurl, hardened for a security service:
 * http and https only, no redirects followed, the environment's proxy
 * variables ignored, connect and total timeouts, a bounded response body,
 * TLS verification on. One struct http per worker thread; its connection
 * is kept alive between requests (no per-request DNS or TLS handshake).
 */
#ifndef CB_HTTP_H
#define CB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct http;

struct http_req {
	const char *method;		/* "GET", "POST", "PUT" */
	const char *url;
	const char *authorization;	/* full header value or NULL; wiped after use */
	const char *content_type;	/* for a body; NULL = none */
	const char *body;
	size_t body_len;
	const char *user_agent;		/* NULL = the bridge's own */
	int xhr;			/* send X-Requested-With: XMLHttpRequest */
	const char *forwarded_proto;	/* X-Forwarded-Proto value or NULL */
	unsigned connect_timeout_ms;
	unsigned timeout_ms;
	const char *capture_header;	/* response header to keep, e.g. "Token" */
	const char *capture_cookie;	/* Set-Cookie name to keep, e.g. "MMCSRF" */
};

struct http_resp {
	long status;			/* 0 if no HTTP answer */
	struct buf body;		/* owned; http_resp_release frees it */
	char header[128];		/* captured header value ("" if none) */
	char cookie[128];		/* captured cookie value ("" if none) */
	char retry_after[16];		/* Retry-After, if any */
	char version[64];		/* X-Version-Id (Mattermost), if any */
	uint64_t us;			/* duration */
};

/* A client, or NULL on allocation failure. */
struct http *http_new(void);
void http_free(struct http *h);

/* Performs r. Transport failures map to CB_MM_UNREACHABLE (no connection,
 * connection closed without an answer) or CB_MM_TIMEOUT; an oversized
 * body to CB_MM_ERROR; any HTTP answer gives CB_OK with resp->status set.
 * resp is initialised here; release it with http_resp_release. */
enum cb_err http_do(struct http *h, const struct http_req *r, struct http_resp *resp) CB_WUR;

/* Frees (and wipes) a response body. */
void http_resp_release(struct http_resp *resp);

#endif
