/*
 * admit.h - the first step of every sign-in route (/auth/open and
 * /auth/back): the per-client rate limit, before any parsing, database or
 * Mattermost work, then the query's size limit and its parse.
 */
#ifndef CB_ADMIT_H
#define CB_ADMIT_H

#include "err.h"

struct form;
struct handler_ctx;
struct request;
struct response;

/* CB_OK with the query parsed into q (zeroed by the caller, who
 * form_free()s it in every case); or CB_REQ_RATE_LIMITED (with
 * rs->retry_after), CB_REQ_TOO_LARGE or a form_parse error. */
enum cb_err admit(const struct handler_ctx *h, const struct request *rq, struct response *rs,
    struct form *q) CB_WUR;

#endif
