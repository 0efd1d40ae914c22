/*
 * page.h - the small pages the bridge answers with when it does not
 * redirect: generic, escaped, never echoing input, upstream bodies,
 * tokens or secrets. HTML by default, JSON {"error","message",...} when
 * the client asked for application/json. Every page is in the language
 * it is given (lang.h; <html lang> follows it); JSON keeps its
 * machine-readable "error" code and localises only "message".
 */
#ifndef CB_PAGE_H
#define CB_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "lang.h"

/* Standard reason phrase of an HTTP status ("Unauthorized"): protocol,
 * never translated. */
const char *http_status_text(int status);

/* The user-facing code of a status, e.g. "CBO-401". */
void page_code(int status, char out[16]);

/* Renders the generic page for an error status into b; request_id is
 * shown so a user can quote it and an operator find the log line.
 * Sets *content_type to a static string. */
enum cb_err page_error(struct buf *b, int status, enum lang lang, const char *request_id, bool json,
    const char **content_type) CB_WUR;

/* The friendly page for /auth/open without a token and without [sso]. */
enum cb_err page_no_token(struct buf *b, enum lang lang, const char *site_url, bool json,
    const char **content_type) CB_WUR;

/* The landing page (/auth/welcome, which the web server shows at "/"):
 * what chat is and an "Open Chat" button to /auth/open?r=%2F. HTML. */
enum cb_err page_welcome(struct buf *b, enum lang lang, const char **content_type) CB_WUR;

/* A hidden form field: name is the bridge's own ([A-Za-z0-9_.-], 1 to
 * CB_PAGE_FIELD_NAME_MAX bytes); value is value_len bytes. */
struct page_field {
	const char *name;
	const char *value;
	size_t value_len;
};

/* The session-swap confirmation: the browser is signed in to chat as
 * current_name, the link is for next_name. "You are signed in to chat as
 * A. Continue as B?" with a form that POSTs the hidden fields to action
 * (a "Continue as B" button) and, when stay_href is not NULL, a
 * "Stay as A" link to stay_href. HTML only (a browser flow).
 *
 *  - current_name, next_name: shown escaped; any bytes (controls are
 *    dropped); NULL or "" is refused.
 *  - action: the path the form posts to, e.g. "/auth/open". The page's
 *    CSP has form-action 'self', so it must be a same-origin path: one
 *    '/' then visible ASCII (not "//" or "/\"), at most CB_URL_MAX bytes.
 *  - hidden: n_hidden (at most CB_PAGE_FIELDS_MAX) fields, in order, all
 *    inside the form and nowhere else on the page. Values are escaped;
 *    any byte but a control (< 0x20, 0x7f) is allowed: a control would
 *    not survive the browser's form submission unchanged, so it is
 *    refused rather than silently dropped. Nothing else of a token or
 *    secret is put on the page.
 *  - stay_href: NULL, a same-origin path like action, or an absolute
 *    http:// or https:// URL; visible ASCII. Avoid plain "/": with the
 *    shipped web server examples that is the landing page, not the chat
 *    (site_url + the link's landing path is where A stays in chat).
 *
 * Returns CB_EINTERNAL for a refused argument (a caller's bug; nothing
 * useful is in b), else b->err. Sets *content_type. */
enum cb_err page_swap(struct buf *b, enum lang lang, const char *current_name, const char *next_name,
    const char *action, const struct page_field *hidden, size_t n_hidden, const char *stay_href,
    const char **content_type) CB_WUR;

/* True if an Accept header value asks for JSON. */
bool page_wants_json(const char *accept);

#endif
