/*
 * teams_sync.h - `chat-bridge teams sync`.
 */
#ifndef CB_TEAMS_SYNC_H
#define CB_TEAMS_SYNC_H

struct config;

/* Creates the configured teams idempotently; returns the exit status. */
int teams_sync(const struct config *c, int dry_run);

#endif
