/* server.c - FastCGI responder: arrives with the end-to-end issue. */
#include <stdio.h>

#include "cli.h"
#include "config.h"
#include "server.h"

int
server_run(struct config *c, const char *listen_override)
{
	(void)listen_override;
	config_free(c);
	fputs("chat-bridge: serve: not yet implemented\n", stderr);
	return EXIT_USAGE;
}
