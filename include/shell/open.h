/*
 * open.h - GET/POST /auth/open (token.md "Transport"): a signed link
 * token; without one, the OAuth2 sign-in with OpenTHC SSO (sso.h) when
 * configured, else the friendly "open chat from your app" page.
 * Follows the handler contract of handlers.h.
 */
#ifndef CB_OPEN_H
#define CB_OPEN_H

#include "err.h"

struct attempt;
struct attempt_strings;
struct handler_ctx;
struct request;
struct response;

enum cb_err open_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs, struct attempt *a, struct attempt_strings *as) CB_WUR;

#endif
