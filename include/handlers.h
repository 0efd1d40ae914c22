/*
 * handlers.h - the bridge's routes. Each handler fills the response for
 * success (a redirect or a page) and returns CB_OK, or returns the reason
 * and leaves the error page to the server (status = cb_err_status). The
 * attempt record is filled as the request goes.
 */
#ifndef CB_HANDLERS_H
#define CB_HANDLERS_H

#include <stddef.h>

#include "err.h"

struct attempt;
struct attempt_strings;
struct form;
struct handler_ctx;
struct request;
struct response;

/* The first step of every sign-in route: the per-client rate limit (before
 * any parsing, database or Mattermost work), the query size limit, then
 * the query parsed into q (zeroed by the caller; the caller form_free()s it
 * in every case). */
enum cb_err handler_admit(const struct handler_ctx *h, const struct request *rq,
    struct response *rs, struct form *q) CB_WUR;

/* GET/POST /auth/open: a signed link token, or (none) the OAuth2 sign-in
 * with OpenTHC SSO or the friendly "open chat from your app" page. */
enum cb_err open_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs, struct attempt *a, struct attempt_strings *as) CB_WUR;

/* GET /auth/back: the OAuth2 redirect_uri (code + state). */
enum cb_err back_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs, struct attempt *a, struct attempt_strings *as) CB_WUR;

/* Starts the OAuth2 authorization-code flow (from open_handle). */
enum cb_err sso_start(const struct handler_ctx *h, const struct request *rq, const char *r,
    size_t rlen, struct response *rs) CB_WUR;

/* GET /auth/ready: 200 when the store and Mattermost answer. */
enum cb_err ready_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs) CB_WUR;

#endif
