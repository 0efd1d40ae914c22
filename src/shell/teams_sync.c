/*
 * teams_sync.c - `chat-bridge teams sync` (see teams_sync.h).
 */
#include <string.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "mm.h"
#include "teams_sync.h"

struct sync {
	struct mm_ctx m;
	struct mm_result res;
	bool dry_run;
	bool team_missing;	/* reporting the channels of a missing team */
	teams_sync_report report;
	void *arg;
	enum cb_err first;
};

/* Reports one item; a failure is remembered as the result. */
static void
report(struct sync *s, const struct team_def *t, const char *channel, enum teams_sync_state st,
    enum cb_err e)
{
	struct teams_sync_item it;

	memset(&it, 0, sizeof(it));
	it.team = t->name;
	it.channel = channel;
	it.open = t->open;
	it.display_name = t->display_name;
	it.state = e == CB_OK ? st : TEAMS_SYNC_FAILED;
	it.err = e;
	it.error_id = e == CB_OK ? "" : s->res.error_id;
	it.team_missing = s->team_missing;
	if (e != CB_OK && s->first == CB_OK)
		s->first = e;
	s->report(&it, s->arg);
}

/* Makes sure channel exists in the team team_id. */
static void
sync_channel(struct sync *s, const struct team_def *t, const char *team_id, const char *channel)
{
	char id[CB_MMID_LEN + 1];
	enum cb_err e = mm_channel_by_name(&s->m, team_id, channel, id, &s->res);

	if (e == CB_OK) {
		report(s, t, channel, TEAMS_SYNC_EXISTS, CB_OK);
		return;
	}
	if (e == CB_MM_NOT_FOUND && s->dry_run) {
		report(s, t, channel, TEAMS_SYNC_WOULD_CREATE, CB_OK);
		return;
	}
	if (e == CB_MM_NOT_FOUND)
		e = mm_channel_create(&s->m, team_id, channel, id, &s->res);
	report(s, t, channel, TEAMS_SYNC_CREATED, e);
}

static void
sync_team(struct sync *s, const struct team_def *t)
{
	char id[CB_MMID_LEN + 1];
	size_t k;
	bool archived;
	enum cb_err e = mm_team_by_name(&s->m, t->name, id, &archived, &s->res);
	enum teams_sync_state st = TEAMS_SYNC_EXISTS;

	/* An archived team exists (its name is taken): reported, not created. */
	if (e == CB_OK && archived)
		log_msg(LOG_WARN, "team %s is archived in Mattermost; restore it there to use it", t->name);
	if (e == CB_MM_NOT_FOUND && s->dry_run) {
		report(s, t, NULL, TEAMS_SYNC_WOULD_CREATE, CB_OK);
		s->team_missing = true;
		for (k = 0; k < t->n_channels; k++)
			report(s, t, t->channels[k], TEAMS_SYNC_WOULD_CREATE, CB_OK);
		s->team_missing = false;
		return;
	}
	if (e == CB_MM_NOT_FOUND) {
		e = mm_team_create(&s->m, t->name, t->display_name, t->open, id, &s->res);
		st = TEAMS_SYNC_CREATED;
	}
	report(s, t, NULL, st, e);
	if (e != CB_OK)
		return;
	for (k = 0; k < t->n_channels; k++)
		sync_channel(s, t, id, t->channels[k]);
}

enum cb_err
teams_sync(const struct config *c, bool dry_run, teams_sync_report rep, void *arg)
{
	struct sync s;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.m.cfg = c;
	s.dry_run = dry_run;
	s.report = rep;
	s.arg = arg;
	s.first = CB_OK;
	if ((s.m.http = http_new()) == NULL)
		return CB_ENOMEM;
	for (i = 0; i < c->n_teams; i++)
		sync_team(&s, &c->teams[i]);
	http_free(s.m.http);
	return s.first;
}
