/*
 * teams_sync.h - `chat-bridge teams sync`: the teams of the
 * configuration's [team "name"] sections, and their mandatory channels,
 * created in Mattermost where missing (what the old chat-init.sh did
 * with mmctl). Idempotent. Reports each team and channel to the caller,
 * which prints; nothing is printed here.
 */
#ifndef CB_TEAMS_SYNC_H
#define CB_TEAMS_SYNC_H

#include <stdbool.h>

#include "err.h"

struct config;

enum teams_sync_state {
	TEAMS_SYNC_EXISTS,
	TEAMS_SYNC_CREATED,
	TEAMS_SYNC_WOULD_CREATE,	/* dry run */
	TEAMS_SYNC_FAILED,
};

/* One team (channel NULL) or one of its channels. Borrowed for the call. */
struct teams_sync_item {
	const char *team;
	const char *channel;
	bool open;			/* team type: open or invite only */
	const char *display_name;
	bool team_missing;		/* a channel of a team that does not exist yet */
	enum teams_sync_state state;
	enum cb_err err;		/* TEAMS_SYNC_FAILED: why */
	const char *error_id;		/* Mattermost's AppError id, or "" */
};

typedef void (*teams_sync_report)(const struct teams_sync_item *item, void *arg);

/* Syncs the teams of c (dry_run: only looks). report is called once per
 * team and channel. CB_OK if every one exists afterwards (or would, in a
 * dry run); else the first failure. */
enum cb_err teams_sync(const struct config *c, bool dry_run, teams_sync_report report,
    void *arg) CB_WUR;

#endif
