/*
 * server.h - the FastCGI responder (`chat-bridge serve`).
 */
#ifndef CB_SERVER_H
#define CB_SERVER_H

#include "err.h"

struct config;

/* Runs the responder with configuration c (taken over: freed on return)
 * listening on listen_override or c->listen, until SIGTERM or SIGINT.
 * CB_OK after a clean stop; CB_EIO if it could not listen, CB_ENOMEM if
 * it could not start (both logged). */
enum cb_err server_run(struct config *c, const char *listen_override);

#endif
