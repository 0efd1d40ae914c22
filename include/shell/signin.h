/*
 * signin.h - from a verified identity to a signed-in browser
 * (product.md "Identity rules" and "Sessions"): link table -> user by
 * email -> create; refuse deactivated and bot accounts; team memberships;
 * a Mattermost session in the configured mode; the three cookies and the
 * redirect. Shared by the token route (/auth/open) and the OAuth2 route
 * (/auth/back).
 */
#ifndef CB_SIGNIN_H
#define CB_SIGNIN_H

#include <stddef.h>

#include "err.h"

struct attempt;
struct attempt_strings;
struct claims;
struct handler_ctx;
struct issuer;
struct request;
struct response;

/* Signs in the identity c (verified by the caller; iss may be NULL when
 * it came from OAuth2, then no extra teams are granted). r[0..rlen) is
 * the requested landing path or NULL. On CB_OK rs is a 302 with the
 * session cookies; otherwise the reason, with nothing changed in
 * Mattermost beyond what the product spec allows (user, memberships). */
enum cb_err signin(const struct handler_ctx *h, const struct request *rq, const struct claims *c,
    const struct issuer *iss, const char *r, size_t rlen, struct response *rs, struct attempt *a,
    struct attempt_strings *as) CB_WUR;

#endif
