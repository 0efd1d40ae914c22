/*
 * store.h - the bridge's own PostgreSQL store (replay, links, audit).
 */
#ifndef CB_STORE_H
#define CB_STORE_H

/* `chat-bridge migrate`: creates or upgrades the schema; exit status. */
int store_migrate_cli(const char *dsn);

#endif
