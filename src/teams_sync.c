/*
 * teams_sync.c - `chat-bridge teams sync`: creates the teams of the
 * configuration's [team "name"] sections, and their mandatory channels,
 * in Mattermost if missing (what the old chat-init.sh did with mmctl).
 * Idempotent; --dry-run only reports. Exit status 0 if every team and
 * channel exists afterwards (or would, with --dry-run), else 1.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "http.h"
#include "mm.h"
#include "teams_sync.h"

static int
report(const char *what, const char *name, enum cb_err e, const struct mm_result *res)
{
	if (e == CB_OK)
		return 0;
	fprintf(stderr, "chat-bridge: teams sync: %s %s: %s%s%s\n", what, name, cb_err_describe(e),
	    res->error_id[0] ? " " : "", res->error_id);
	return 1;
}

int
teams_sync(const struct config *c, int dry_run)
{
	struct mm_ctx m;
	struct mm_result res;
	char id[CB_MMID_LEN + 1], cid[CB_MMID_LEN + 1];
	size_t i, k;
	int failed = 0;
	enum cb_err e;

	memset(&res, 0, sizeof(res));
	m.cfg = c;
	m.metrics = NULL;
	m.waited_us = NULL;
	if ((m.http = http_new()) == NULL)
		return EXIT_REFUSED;
	if (c->n_teams == 0)
		printf("no [team \"NAME\"] sections in %s: nothing to do\n", c->path);
	for (i = 0; i < c->n_teams; i++) {
		const struct team_def *t = &c->teams[i];

		e = mm_team_by_name(&m, t->name, id, &res);
		if (e == CB_MM_NOT_FOUND) {
			if (dry_run) {
				printf("team %s: missing, would create (%s, \"%s\")\n", t->name,
				    t->open ? "open" : "invite only", t->display_name);
				for (k = 0; k < t->n_channels; k++)
					printf("channel %s/%s: would create\n", t->name, t->channels[k]);
				continue;
			}
			e = mm_team_create(&m, t->name, t->display_name, t->open, id, &res);
			if (e == CB_OK)
				printf("team %s: created (%s)\n", t->name, t->open ? "open" : "invite only");
		} else if (e == CB_OK) {
			printf("team %s: exists\n", t->name);
		}
		if (report("team", t->name, e, &res)) {
			failed = 1;
			continue;
		}
		for (k = 0; k < t->n_channels; k++) {
			e = mm_channel_by_name(&m, id, t->channels[k], cid, &res);
			if (e == CB_OK) {
				printf("channel %s/%s: exists\n", t->name, t->channels[k]);
				continue;
			}
			if (e == CB_MM_NOT_FOUND) {
				if (dry_run) {
					printf("channel %s/%s: missing, would create\n", t->name, t->channels[k]);
					continue;
				}
				e = mm_channel_create(&m, id, t->channels[k], cid, &res);
				if (e == CB_OK)
					printf("channel %s/%s: created\n", t->name, t->channels[k]);
			}
			failed |= report("channel", t->channels[k], e, &res);
		}
	}
	http_free(m.http);
	return failed ? EXIT_REFUSED : 0;
}
