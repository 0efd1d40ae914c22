/*
 * http.c - hardened libcurl requests (see http.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "bounds.h"
#include "clock.h"
#include "http.h"
#include "util.h"

struct http {
	CURL *curl;
};

struct http *
http_new(void)
{
	struct http *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

void
http_resp_release(struct http_resp *resp)
{
	buf_release_wipe(&resp->body);
}

struct capture {
	const struct http_req *req;
	struct http_resp *resp;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_resp *resp = ud;

	if (buf_add(&resp->body, p, size * n) != CB_OK)
		return 0;	/* over CB_MM_BODY_MAX: abort the transfer */
	return size * n;
}

/* Copies the trimmed value part of a header line into out[cap]. */
static void
copy_value(const char *v, size_t n, char *out, size_t cap)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= cap || !is_visible_ascii(v, n)) {
		out[0] = '\0';
		return;
	}
	memcpy(out, v, n);
	out[n] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct capture *c = ud;
	size_t len = size * n, hl;
	const char *colon = memchr(p, ':', len);

	if (colon == NULL)
		return len;
	hl = (size_t)(colon - p);
	if (c->req->capture_header != NULL && hl == strlen(c->req->capture_header) &&
	    strncasecmp(p, c->req->capture_header, hl) == 0)
		copy_value(colon + 1, len - hl - 1, c->resp->header, sizeof(c->resp->header));
	else if (hl == 11 && strncasecmp(p, "Retry-After", 11) == 0)
		copy_value(colon + 1, len - hl - 1, c->resp->retry_after, sizeof(c->resp->retry_after));
	else if (hl == 12 && strncasecmp(p, "X-Version-Id", 12) == 0)
		copy_value(colon + 1, len - hl - 1, c->resp->version, sizeof(c->resp->version));
	else if (c->req->capture_cookie != NULL && hl == 10 && strncasecmp(p, "Set-Cookie", 10) == 0) {
		const char *v = colon + 1, *end = p + len, *semi;
		size_t cn = strlen(c->req->capture_cookie);

		while (v < end && *v == ' ')
			v++;
		if ((size_t)(end - v) > cn && strncmp(v, c->req->capture_cookie, cn) == 0 && v[cn] == '=') {
			v += cn + 1;
			semi = memchr(v, ';', (size_t)(end - v));
			copy_value(v, (size_t)((semi != NULL ? semi : end) - v), c->resp->cookie,
			    sizeof(c->resp->cookie));
		}
	}
	return len;
}

static enum cb_err
map_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return CB_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return CB_MM_TIMEOUT;
	case CURLE_WRITE_ERROR:		/* body over the limit */
	case CURLE_BAD_CONTENT_ENCODING:
		return CB_MM_ERROR;
	default:	/* refused, reset, closed without answer, DNS, TLS */
		return CB_MM_UNREACHABLE;
	}
}

/* Wipes the data of every node, then frees the list (it may hold the
 * Authorization header). */
static void
slist_free_wipe(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

enum cb_err
http_do(struct http *h, const struct http_req *r, struct http_resp *resp)
{
	struct curl_slist *hdrs = NULL, *tmp;
	struct capture cap = {r, resp};
	char line[CB_SECRET_MAX + 64];
	CURL *c = h->curl;
	CURLcode rc;
	int64_t t0;
	enum cb_err e = CB_ENOMEM;

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, CB_MM_BODY_MAX);
	curl_easy_reset(c);	/* keeps the connection and DNS caches */

#define HDR(s) do { if ((tmp = curl_slist_append(hdrs, (s))) == NULL) goto out; hdrs = tmp; } while (0)
	HDR("Accept: application/json");
	HDR("Expect:");
	if (r->content_type != NULL) {
		(void)snprintf(line, sizeof(line), "Content-Type: %s", r->content_type);
		HDR(line);
	}
	if (r->xhr)
		HDR("X-Requested-With: XMLHttpRequest");
	if (r->forwarded_proto != NULL) {
		(void)snprintf(line, sizeof(line), "X-Forwarded-Proto: %s", r->forwarded_proto);
		HDR(line);
	}
	if (r->authorization != NULL) {
		if (snprintf(line, sizeof(line), "Authorization: %s", r->authorization) >= (int)sizeof(line))
			goto out;
		HDR(line);
		sodium_memzero(line, sizeof(line));
	}
#undef HDR

	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* An explicit empty proxy disables http_proxy/HTTPS_PROXY/ALL_PROXY
	 * from the environment (httpoxy and friends). */
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)r->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_DNS_CACHE_TIMEOUT, 600L);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
	    r->user_agent != NULL ? r->user_agent : "openthc-chat-bridge/" CB_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &cap);
	if (strcmp(r->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(r->method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body != NULL ? r->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(r->body != NULL ? r->body_len : 0));
	}

	t0 = clock_mono_us();
	rc = curl_easy_perform(c);
	resp->us = (uint64_t)(clock_mono_us() - t0);
	if ((e = map_curl(rc)) == CB_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
out:
	/* The handle keeps pointers to the header list; drop them first. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	slist_free_wipe(hdrs);
	return e;
}
