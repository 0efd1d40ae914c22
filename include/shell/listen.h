/*
 * listen.h - the FastCGI listening socket: a unix socket the bridge
 * creates (and removes on exit), a loopback TCP address, a numbered file
 * descriptor, or the socket it inherits (fd 0 from spawn-fcgi or systemd
 * StandardInput=socket; fd 3 from systemd socket activation, LISTEN_FDS).
 */
#ifndef CB_LISTEN_H
#define CB_LISTEN_H

#include <sys/un.h>

struct listener {
	int fd;					/* -1 until opened */
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* "" unless created */
};

/* Opens l for addr ([bridge] listen syntax; NULL or "" = the inherited
 * socket). A unix socket gets mode. Failures are logged; returns the fd
 * or -1. */
int listen_open(struct listener *l, const char *addr, unsigned mode);

/* Closes a socket it opened (not fd 0) and removes a unix socket it
 * created. */
void listen_close(struct listener *l);

#endif
