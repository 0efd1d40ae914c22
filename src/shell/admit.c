/*
 * admit.c - the shared admission step of the sign-in routes (see
 * admit.h).
 */
#include "admit.h"
#include "bounds.h"
#include "config.h"
#include "form.h"
#include "handlers.h"
#include "ratelimit.h"
#include "request.h"
#include "response.h"

enum cb_err
admit(const struct handler_ctx *h, const struct request *rq, struct response *rs, struct form *q)
{
	char key[RATELIMIT_KEY_MAX];

	if (h->rl != NULL) {
		ratelimit_client_key(rq->client, h->cfg->rate_limit_ipv6_prefix, key);
		if (!ratelimit_take(h->rl, key, rq->now_ms, h->cfg->rate_limit_per_minute,
		    &rs->retry_after))
			return CB_REQ_RATE_LIMITED;
	}
	if (rq->query_len > CB_QUERY_MAX)
		return CB_REQ_TOO_LARGE;
	return form_parse(rq->query, rq->query_len, q);
}
