/*
 * response.h - the answer to one request, and the pure writer that turns
 * it into the FastCGI responder's output (CGI header block and body):
 * status line, Location, the session cookies, Retry-After, Allow, Vary,
 * the security headers every answer carries, and the generic error page that
 * replaces anything a handler could not finish. Unit-testable: no I/O.
 */
#ifndef CB_RESPONSE_H
#define CB_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "buf.h"
#include "cookie.h"
#include "err.h"
#include "lang.h"

#define RESPONSE_EXTRA_COOKIES 2

struct response {
	int status;			/* 0 until a handler sets it */
	char location[CB_LOCATION_MAX + 1];
	bool has_session;
	struct session_cookies session;	/* secret: wiped by response_release */
	char extra_cookies[RESPONSE_EXTRA_COOKIES][COOKIE_VALUE_MAX];
	size_t n_extra_cookies;
	unsigned retry_after;		/* seconds; 0 = no Retry-After */
	const char *allow;		/* 405: the methods allowed */
	const char *content_type;	/* static string, NULL = text/plain */
	enum lang lang;			/* of any page: the dispatcher sets it */
	bool vary_language;		/* the body depends on Accept-Language */
	struct buf body;		/* at most CB_RESPONSE_BODY_MAX bytes */
};

/* An empty response (status 0, no body). */
void response_init(struct response *rs);

/* Wipes the cookies and frees the body; rs is empty again. */
void response_release(struct response *rs);

/* Replaces whatever rs holds with the generic page for e's status
 * (cb_err_status) in rs->lang: no Location, no cookies; Retry-After,
 * Allow and the language are kept, and the answer varies by language.
 * JSON when json is true. The precise reason is not shown. */
enum cb_err response_error(struct response *rs, enum cb_err e, const char *request_id,
    bool json);

/* Appends the responder's output for rs to out: the header block, then
 * the body unless head (a HEAD request). A Location with bytes outside
 * visible ASCII turns rs into a 500 page first. out should be empty and
 * may grow to CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX bytes. */
enum cb_err response_render(struct response *rs, const char *request_id, bool head,
    struct buf *out) CB_WUR;

#endif
