/*
 * dispatch.c - route to handler, the page language, and the error page
 * (see dispatch.h).
 */
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "handlers.h"
#include "lang.h"
#include "logline.h"
#include "metrics.h"
#include "open.h"
#include "page.h"
#include "ready.h"
#include "request.h"
#include "response.h"
#include "route.h"
#include "sso.h"

static enum cb_err
text_page(struct response *rs, int status, const char *ct, const char *text)
{
	rs->status = status;
	rs->content_type = ct;
	return buf_adds(&rs->body, text);
}

/* The probes: GET and HEAD only, no admission step (the web server
 * restricts who may reach /auth/ready and /auth/metrics). */
static enum cb_err
probe(const struct handler_ctx *h, enum route route, const struct request *rq,
    struct response *rs)
{
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		rs->allow = "GET, HEAD";
		return CB_REQ_METHOD;
	}
	switch (route) {
	case ROUTE_PING:
		return text_page(rs, 200, "text/plain; charset=utf-8", "ok\n");
	case ROUTE_READY:
		return ready_handle(h, rq, rs);
	default:
		rs->status = 200;
		rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
		return metrics_render(h->metrics, h->cfg->instance, &rs->body);
	}
}

/* The landing page, which the web server shows at "/" (it rewrites "/"
 * to /auth/welcome): GET and HEAD, in the person's language. Nothing to
 * admit: no input is read, nothing upstream is touched. */
static enum cb_err
welcome(const struct request *rq, struct response *rs)
{
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		rs->allow = "GET, HEAD";
		return CB_REQ_METHOD;
	}
	rs->status = 200;
	rs->vary_language = true;
	return page_welcome(&rs->body, rs->lang, &rs->content_type);
}

enum cb_err
dispatch(const struct handler_ctx *h, const struct route_params *rp, const struct request *rq,
    struct response *rs, struct attempt *a, struct attempt_strings *as, bool *attempt)
{
	enum route route = route_match(rp);
	enum cb_err e;

	*attempt = false;
	a->route = route == ROUTE_NONE ? NULL : route_path(route);
	/* Every page of this request, the handler's or the generic one. */
	rs->lang = lang_negotiate(rq->accept_language);
	switch (route) {
	case ROUTE_OPEN:
		*attempt = true;
		e = open_handle(h, rq, rs, a, as);
		break;
	case ROUTE_BACK:
		*attempt = true;
		e = back_handle(h, rq, rs, a, as);
		break;
	case ROUTE_PING:
	case ROUTE_READY:
	case ROUTE_METRICS:
		e = probe(h, route, rq, rs);
		break;
	case ROUTE_WELCOME:
		e = welcome(rq, rs);
		break;
	default:
		e = CB_REQ_NOT_FOUND;
		break;
	}
	/* The generic page; the precise reason goes to the log only. */
	if (e != CB_OK && (rs->status == 0 || rs->body.err != CB_OK))
		(void)response_error(rs, e, rq->request_id, page_wants_json(rq->accept));
	return e;
}
