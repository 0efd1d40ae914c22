/*
 * listen.c - the FastCGI listening socket (see listen.h).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "listen.h"
#include "log.h"
#include "util.h"


static int
listen_unix(struct listener *l, const char *path, unsigned mode)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_msg(LOG_ERROR, "listen: socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (lstat(path, &st) == 0) {
		/* A socket left by a previous run: remove it, unless a live
		 * process still answers on it. */
		if (!S_ISSOCK(st.st_mode)) {
			log_msg(LOG_ERROR, "listen: %s exists and is not a socket", path);
			close(fd);
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			log_msg(LOG_ERROR, "listen: another process is serving on %s", path);
			close(fd);
			return -1;
		}
		close(fd);
		unlink(path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, (mode_t)mode) != 0 ||
	    listen(fd, 1024) != 0) {
		log_msg(LOG_ERROR, "listen: %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	(void)str_set(l->socket_path, sizeof(l->socket_path), path);
	return fd;
}

static int
listen_tcp(const char *host, unsigned port)
{
	struct addrinfo hints, *ai = NULL;
	char ports[8];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | (strcmp(host, "localhost") == 0 ? 0 : AI_NUMERICHOST);
	(void)snprintf(ports, sizeof(ports), "%u", port);
	if ((rc = getaddrinfo(host, ports, &hints, &ai)) != 0) {
		log_msg(LOG_ERROR, "listen: %s: %s", host, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
		log_msg(LOG_ERROR, "listen: %s:%u: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
is_listening_socket(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v != 0;
}

int
listen_open(struct listener *l, const char *listen_addr, unsigned mode)
{
	enum listen_kind kind;
	char addr[CB_PATH_MAX];
	unsigned port;
	const char *lp, *lf;
	int fd;

	if (listen_addr == NULL || listen_addr[0] == '\0') {
		/* systemd socket activation with LISTEN_FDS hands over fd 3;
		 * StandardInput=socket and spawn-fcgi hand over fd 0. */
		lp = getenv("LISTEN_PID");
		lf = getenv("LISTEN_FDS");
		fd = (lp != NULL && lf != NULL && strtol(lp, NULL, 10) == (long)getpid() &&
		    strtol(lf, NULL, 10) >= 1) ? 3 : 0;
		if (!is_listening_socket(fd)) {
			log_msg(LOG_ERROR, "no listen address configured and fd %d is not a listening "
			    "socket (use --listen, [bridge] listen, spawn-fcgi or systemd)", fd);
			return -1;
		}
		return l->fd = fd;
	}
	if (config_listen_parse(listen_addr, &kind, addr, sizeof(addr), &port) != CB_OK) {
		log_msg(LOG_ERROR, "listen: cannot parse '%s'", listen_addr);
		return -1;
	}
	switch (kind) {
	case LISTEN_UNIX:
		return l->fd = listen_unix(l, addr, mode);
	case LISTEN_FD:
		if (!is_listening_socket((int)port)) {
			log_msg(LOG_ERROR, "listen: fd %u is not a listening socket", port);
			return -1;
		}
		return l->fd = (int)port;
	case LISTEN_TCP:
		break;
	}
	return l->fd = listen_tcp(addr, port);
}

void
listen_close(struct listener *l)
{
	if (l->socket_path[0] != '\0')
		unlink(l->socket_path);
	if (l->fd > 2)
		close(l->fd);
	l->fd = -1;
	l->socket_path[0] = '\0';
}
