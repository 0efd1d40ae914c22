/*
 * sso.h - sign-in through OpenTHC SSO when /auth/open carries no token
 * (OAuth2 authorization code with PKCE): the start (from open.c) and the
 * redirect_uri /auth/back. Both follow the handler contract of handlers.h.
 */
#ifndef CB_SSO_H
#define CB_SSO_H

#include <stddef.h>

#include "err.h"

struct attempt;
struct attempt_strings;
struct handler_ctx;
struct request;
struct response;

/* Starts the flow: a single-use state stored with the PKCE verifier and
 * r (if it is an acceptable landing path), bound to this browser by a
 * cookie; rs becomes the 302 to SSO's authorize endpoint and the result
 * is CB_REQ_NO_TOKEN (logged as ok). CB_SSO_DISABLED without [sso]. */
enum cb_err sso_start(const struct handler_ctx *h, const struct request *rq, const char *r,
    size_t rlen, struct response *rs) CB_WUR;

/* GET /auth/back: the state checked and consumed, the code exchanged,
 * the profile read and validated (claims.h), then the sign-in. */
enum cb_err back_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs, struct attempt *a, struct attempt_strings *as) CB_WUR;

#endif
