/*
 * page.h - the small pages the bridge answers with when it does not
 * redirect: generic, escaped, never echoing input, upstream bodies,
 * tokens or secrets. HTML by default, JSON {"error","message",...} when
 * the client asked for application/json.
 */
#ifndef CB_PAGE_H
#define CB_PAGE_H

#include <stdbool.h>

#include "buf.h"

/* Standard reason phrase of an HTTP status ("Unauthorized"). */
const char *http_status_text(int status);

/* The user-facing code of a status, e.g. "CBO-401". */
void page_code(int status, char out[16]);

/* Renders the generic page for an error status into b; request_id is
 * shown so a user can quote it and an operator find the log line.
 * Sets *content_type to a static string. */
enum cb_err page_error(struct buf *b, int status, const char *request_id, bool json,
    const char **content_type) CB_WUR;

/* The friendly page for /auth/open without a token and without [sso]. */
enum cb_err page_no_token(struct buf *b, const char *site_url, bool json,
    const char **content_type) CB_WUR;

/* True if an Accept header value asks for JSON. */
bool page_wants_json(const char *accept);

#endif
