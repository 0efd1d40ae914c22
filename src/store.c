/* store.c - bridge store: arrives with the end-to-end issue. */
#include <stdio.h>

#include "cli.h"
#include "store.h"

int
store_migrate_cli(const char *dsn)
{
	(void)dsn;
	fputs("chat-bridge: migrate: not yet implemented\n", stderr);
	return EXIT_USAGE;
}
