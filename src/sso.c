/* sso.c - OAuth2 sign-in with OpenTHC SSO: arrives with the ecosystem issue. */
#include "handlers.h"

enum cb_err
sso_start(const struct handler_ctx *h, const struct request *rq, const char *r, size_t rlen,
    struct response *rs)
{
	(void)h;
	(void)rq;
	(void)r;
	(void)rlen;
	(void)rs;
	return CB_SSO_DISABLED;
}

enum cb_err
back_handle(const struct handler_ctx *h, const struct request *rq, struct response *rs,
    struct attempt *a, struct attempt_strings *as)
{
	(void)h;
	(void)rq;
	(void)rs;
	(void)a;
	(void)as;
	return CB_SSO_DISABLED;
}
