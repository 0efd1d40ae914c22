/*
 * hello.c - the benchmark's baseline: the cheapest possible libfcgi
 * responder, mounted behind the same nginx as the bridge.
 *
 *   bench-hello SOCKET_PATH [WORKERS]
 *
 * Listens on a unix socket (mode 0666, like the bridge's listen_mode in
 * the test stack), starts WORKERS threads (default 4) that each accept
 * with their own FCGX_Request - the same accept model as the bridge's
 * server.c, without an accept mutex - and answers every request with a
 * small 200 text/plain body. Its CPU time per request is what "FastCGI
 * behind nginx" costs by itself: the floor under the bridge's figure.
 *
 * Stops on SIGTERM/SIGINT (the process just exits: nothing to clean up
 * but the socket file, which the benchmark's temp dir removal deletes).
 * Only libfcgi's FCGX_* API is used (not fcgi_stdio).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#define MAX_WORKERS 64

static int listen_fd = -1;

static const char reply[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 6\r\n"
    "\r\n"
    "hello\n";

/* One worker: accept, answer the fixed reply, finish; until accept fails. */
static void *
worker(void *arg)
{
	FCGX_Request req;

	(void)arg;
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0) {
		fprintf(stderr, "bench-hello: FCGX_InitRequest failed\n");
		return NULL;
	}
	for (;;) {
		if (FCGX_Accept_r(&req) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		FCGX_PutStr(reply, (int)(sizeof(reply) - 1), req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return NULL;
}

/* Parses the arguments, listens, starts the workers and waits for
 * SIGTERM/SIGINT. */
int
main(int argc, char **argv)
{
	pthread_t th[MAX_WORKERS];
	long n = 4;
	int i, sig;
	sigset_t set;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench-hello SOCKET_PATH [WORKERS]\n");
		return 2;
	}
	if (argc == 3) {
		char *end;

		n = strtol(argv[2], &end, 10);
		if (*end != '\0' || n < 1 || n > MAX_WORKERS) {
			fprintf(stderr, "bench-hello: WORKERS must be 1..%d\n", MAX_WORKERS);
			return 2;
		}
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "bench-hello: FCGX_Init failed\n");
		return 1;
	}
	/* Workers inherit this mask: only the main thread takes TERM/INT. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	(void)unlink(argv[1]);
	listen_fd = FCGX_OpenSocket(argv[1], 128);
	if (listen_fd < 0) {
		fprintf(stderr, "bench-hello: cannot listen on %s\n", argv[1]);
		return 1;
	}
	/* nginx's workers may run as another user. */
	if (chmod(argv[1], 0666) != 0) {
		perror("bench-hello: chmod");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "bench-hello: cannot start worker %d\n", i);
			return 1;
		}
	}
	printf("bench-hello: %ld workers on %s\n", n, argv[1]);
	fflush(stdout);
	(void)sigwait(&set, &sig);
	(void)unlink(argv[1]);
	return 0;
}
