/*
 * ready.h - GET /auth/ready: whether this bridge can sign people in now.
 */
#ifndef CB_READY_H
#define CB_READY_H

#include "err.h"

struct handler_ctx;
struct request;
struct response;

/* 200 with {"ready":true,...} when the store, Mattermost (the bot token
 * accepted) and, in database mode, Mattermost's database answer; else 503
 * naming each dependency's state. */
enum cb_err ready_handle(const struct handler_ctx *h, const struct request *rq,
    struct response *rs) CB_WUR;

#endif
