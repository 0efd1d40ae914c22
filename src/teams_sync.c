/* teams_sync.c - `teams sync`: arrives with the ecosystem issue. */
#include <stdio.h>

#include "cli.h"
#include "teams_sync.h"

int
teams_sync(const struct config *c, int dry_run)
{
	(void)c;
	(void)dry_run;
	fputs("chat-bridge: teams sync: not yet implemented\n", stderr);
	return EXIT_USAGE;
}
