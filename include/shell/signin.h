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

/* What is being signed in; all borrowed. */
struct signin_request {
	const struct claims *c;		/* verified by the caller */
	const struct issuer *iss;	/* NULL for OAuth2: no extra teams granted */
	const char *r;			/* the landing path asked for, or NULL */
	size_t rlen;
	/* A link: the token as received (for the session-swap confirmation
	 * form) and its replay claim's expiry; token NULL for OAuth2. */
	const char *token;
	size_t token_len;
	int64_t claim_until;
	const char *confirm;		/* the swap confirmation posted back, or NULL */
	size_t confirm_len;
};

/* Signs in sr->c. On CB_OK rs is a 302 with the session cookies. On
 * CB_REQ_SWAP_CONFIRM rs is the "continue as ...?" page and the token is
 * not used up. Otherwise the reason: every refusal is decided before
 * anything changes in Mattermost, and the token is used up. */
enum cb_err signin(const struct handler_ctx *h, const struct request *rq,
    const struct signin_request *sr, struct response *rs, struct attempt *a,
    struct attempt_strings *as) CB_WUR;

#endif
