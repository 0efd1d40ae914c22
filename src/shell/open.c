/*
 * open.c - the /auth/open route (see open.h): method and admission
 * first, then the query or form (one jwt, one r at most), the token
 * (nothing touches the database or Mattermost before its signature is
 * checked), the replay store, then the sign-in (signin.c).
 */
#include <string.h>
#include <strings.h>

#include "admit.h"
#include "config.h"
#include "form.h"
#include "handlers.h"
#include "logline.h"
#include "open.h"
#include "page.h"
#include "request.h"
#include "response.h"
#include "signin.h"
#include "sso.h"
#include "store.h"
#include "token.h"
#include "util.h"

/* application/x-www-form-urlencoded, optionally with parameters. */
static bool
is_form(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(want) - 1;

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

enum cb_err
open_handle(const struct handler_ctx *h, const struct request *rq, struct response *rs,
    struct attempt *a, struct attempt_strings *as)
{
	const struct config *cfg = h->cfg;
	struct verify_params vp;
	struct form q, b;
	struct claims cl;
	struct signin_request sr;
	const char *tok = NULL, *r = NULL, *confirm = NULL;
	size_t tl = 0, rl = 0, cfl = 0, nj, nr, nc;
	enum cb_err e;

	memset(&q, 0, sizeof(q));
	memset(&b, 0, sizeof(b));
	memset(&cl, 0, sizeof(cl));
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0) {
		rs->allow = "GET, POST";
		return CB_REQ_METHOD;
	}
	if ((e = admit(h, rq, rs, &q)) != CB_OK)
		goto out;
	if (strcmp(rq->method, "POST") == 0) {
		const char *qr, *body;
		size_t qrl, nq, body_len;

		if (!is_form(rq->content_type)) {
			e = CB_REQ_CONTENT_TYPE;
			goto out;
		}
		if ((e = rq->read_body(rq, &body, &body_len)) != CB_OK ||
		    (e = form_parse(body, body_len, &b)) != CB_OK)
			goto out;
		/* The token belongs in the body; r may be in either, not both;
		 * the session-swap confirmation comes back in the body. */
		nj = form_get(&b, "jwt", &tok, &tl);
		nr = form_get(&b, "r", &r, &rl);
		nc = form_get(&b, "confirm", &confirm, &cfl);
		nq = form_get(&q, "r", &qr, &qrl);
		if (form_get(&q, "jwt", &qr, &qrl) > 0 || (nr > 0 && nq > 0)) {
			e = CB_REQ_DUPLICATE;
			goto out;
		}
		if (nr == 0) {
			nr = nq;
			r = qr;
			rl = qrl;
		}
	} else {
		nj = form_get(&q, "jwt", &tok, &tl);
		nr = form_get(&q, "r", &r, &rl);
		nc = 0;	/* a confirmation is only ever posted by the confirmation page */
	}
	if (nj > 1 || nr > 1 || nc > 1) {
		e = CB_REQ_DUPLICATE;
		goto out;
	}
	if (nr == 0)
		r = NULL;
	if (nj == 0) {
		if (cfg->sso_enabled) {
			a->via = "sso";
			e = sso_start(h, rq, r, rl, rs);
		} else {
			rs->status = 200;
			rs->vary_language = true;
			e = page_no_token(&rs->body, rs->lang, cfg->site_url, page_wants_json(rq->accept),
			    &rs->content_type);
			if (e == CB_OK)
				e = CB_REQ_NO_TOKEN;
		}
		goto out;
	}
	a->via = "token";

	vp.issuers = &cfg->issuers;
	vp.audience = cfg->site_url;
	vp.now = rq->now;
	vp.leeway = cfg->leeway_seconds;
	if ((e = token_verify(tok, tl, &vp, &cl)) != CB_OK)
		goto out;
	(void)str_set(as->iss, sizeof(as->iss), cl.iss);
	(void)str_set(as->sub, sizeof(as->sub), cl.sub);
	a->iss = as->iss;
	a->sub = as->sub;

	memset(&sr, 0, sizeof(sr));
	sr.c = &cl;
	sr.iss = issuer_find(&cfg->issuers, cl.iss, strlen(cl.iss));
	sr.r = r;
	sr.rlen = rl;
	sr.token = tok;
	sr.token_len = tl;
	/* Single use, claimed before any Mattermost work (signin's first
	 * round trip). The claim outlives every window in which the token
	 * could be accepted, whatever leeway a later reload sets. */
	sr.claim_until = cl.exp + CB_LEEWAY_MAX + CB_REPLAY_MARGIN_S;
	sr.confirm = nc == 1 ? confirm : NULL;
	sr.confirm_len = cfl;
	e = signin(h, rq, &sr, rs, a, as);
out:
	form_free(&q);
	form_free(&b);
	return e;
}
