/*
 * response.c - the response and its CGI serialisation (see response.h).
 */
#include <string.h>

#include <sodium.h>

#include "page.h"
#include "response.h"
#include "util.h"

/* Headers on every answer: nothing is cached, no referrer leaves, no
 * sniffing or framing, and pages can load nothing. */
static const char security_headers[] =
    "Cache-Control: no-store\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n";

void
response_init(struct response *rs)
{
	memset(rs, 0, sizeof(*rs));
	buf_init(&rs->body, CB_RESPONSE_BODY_MAX);
}

void
response_release(struct response *rs)
{
	buf_release_wipe(&rs->body);
	sodium_memzero(rs, sizeof(*rs));
	buf_init(&rs->body, CB_RESPONSE_BODY_MAX);
}

enum cb_err
response_error(struct response *rs, enum cb_err e, const char *request_id, bool json)
{
	rs->status = cb_err_status(e);
	rs->location[0] = '\0';
	rs->has_session = false;
	sodium_memzero(&rs->session, sizeof(rs->session));
	rs->n_extra_cookies = 0;
	buf_release(&rs->body);
	buf_init(&rs->body, CB_RESPONSE_BODY_MAX);
	rs->vary_language = true;
	if (page_error(&rs->body, rs->status, rs->lang, request_id, json, &rs->content_type) != CB_OK) {
		buf_reset(&rs->body);
		rs->content_type = NULL;
		return CB_ETOOBIG;
	}
	return CB_OK;
}

enum cb_err
response_render(struct response *rs, const char *request_id, bool head, struct buf *out)
{
	enum cb_err e = CB_OK;
	size_t i;

	if (rs->location[0] != '\0' && !is_visible_ascii(rs->location, strlen(rs->location))) {
		/* Never: handlers build Location from checked parts. */
		(void)response_error(rs, CB_EINTERNAL, request_id, false);
		e = CB_EINTERNAL;
	}
	buf_printf(out, "Status: %d %s\r\n", rs->status, http_status_text(rs->status));
	if (rs->location[0] != '\0')
		buf_printf(out, "Location: %s\r\n", rs->location);
	if (rs->has_session) {
		buf_printf(out, "Set-Cookie: %s\r\n", rs->session.auth);
		buf_printf(out, "Set-Cookie: %s\r\n", rs->session.user);
		buf_printf(out, "Set-Cookie: %s\r\n", rs->session.csrf);
	}
	for (i = 0; i < rs->n_extra_cookies && i < RESPONSE_EXTRA_COOKIES; i++)
		buf_printf(out, "Set-Cookie: %s\r\n", rs->extra_cookies[i]);
	if (rs->retry_after > 0)
		buf_printf(out, "Retry-After: %u\r\n", rs->retry_after);
	if (rs->allow != NULL)
		buf_printf(out, "Allow: %s\r\n", rs->allow);
	/* Caches (none should keep these pages: no-store) and translators
	 * see that the page follows the person's language. */
	if (rs->vary_language)
		buf_adds(out, "Vary: Accept-Language\r\n");
	buf_adds(out, security_headers);
	buf_printf(out, "X-Request-Id: %s\r\n", request_id);
	buf_printf(out, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
	    rs->content_type != NULL ? rs->content_type : "text/plain; charset=utf-8", rs->body.len);
	if (!head && rs->body.len > 0)
		buf_add(out, rs->body.data, rs->body.len);
	return out->err != CB_OK ? out->err : e;
}
