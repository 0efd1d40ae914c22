/*
 * server.h - the FastCGI responder (`chat-bridge serve`).
 */
#ifndef CB_SERVER_H
#define CB_SERVER_H

struct config;

/* Runs the responder with configuration c (taken over: freed on return)
 * listening on listen_override or c->listen. Returns the exit status. */
int server_run(struct config *c, const char *listen_override);

#endif
