/*
 * dispatch.h - one request to its route's handler: the sign-in routes
 * /auth/open (open.h) and /auth/back (sso.h), the probes /auth/ping,
 * /auth/ready (ready.h) and /auth/metrics (GET and HEAD only), the
 * landing page /auth/welcome (GET and HEAD), anything else 404; and,
 * after the handler, the generic error page for whatever it refused
 * (handlers.h). Before the handler it sets rs->lang from the request's
 * Accept-Language (lang.h), the language of every page of the answer.
 */
#ifndef CB_DISPATCH_H
#define CB_DISPATCH_H

#include <stdbool.h>

#include "err.h"

struct attempt;
struct attempt_strings;
struct handler_ctx;
struct request;
struct response;
struct route_params;

/* Runs the handler for the route named by rp and leaves the complete
 * answer in rs. Returns the reason (CB_OK on success) and sets *attempt
 * when the request was a sign-in attempt (logged and audited). */
enum cb_err dispatch(const struct handler_ctx *h, const struct route_params *rp,
    const struct request *rq, struct response *rs, struct attempt *a, struct attempt_strings *as,
    bool *attempt);

#endif
