/*
 * store.h - the bridge's own PostgreSQL store: replay table (unique
 * (iss, jti), expired rows purged), link table (OpenTHC contact id ->
 * Mattermost user id), audit table (one row per attempt, no secrets), and
 * OAuth2 sign-in state. Versioned schema created by `chat-bridge migrate`,
 * changed in expand/contract steps so that bridges of two releases can
 * share one store during a rolling upgrade (store.c, "Schema steps").
 *
 * One struct store per worker thread: one connection (pg.h: prepared
 * statements, reconnected on the next call after it was lost, one retry
 * when found broken outside a transaction). Any database failure is
 * CB_STORE_UNAVAILABLE (the bridge fails closed with 503).
 */
#ifndef CB_STORE_H
#define CB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"

struct attempt;
struct metrics;
struct store;

/* A store for dsn (not yet connected), or NULL on allocation failure.
 * metrics may be NULL. */
struct store *store_new(const char *dsn, struct metrics *metrics);
void store_free(struct store *s);

/* Connects (if needed), checks the schema version (this bridge's, or a
 * newer one whose newer steps all run with it), prepares statements. */
enum cb_err store_ensure(struct store *s) CB_WUR;

/* Single use: records (iss, jti) until expires (epoch seconds). CB_OK the
 * first time, CB_TOK_REPLAYED after; atomic across workers and hosts. */
enum cb_err store_replay_claim(struct store *s, const char *iss, const char *jti,
    int64_t expires) CB_WUR;

struct link {
	bool found;
	char mm_user_id[CB_MMID_LEN + 1];
	char how[16];			/* "created" or "email" */
	char teams_key[CB_TEAM_LIST_MAX + 1];	/* the team set last confirmed */
	char teams_joined[CB_TEAM_LIST_MAX + 1];	/* of those, the teams that exist */
	int64_t teams_checked_at;	/* epoch seconds, 0 = never */
	bool password_set;		/* login mode: derived password in place */
};

/* Starts a transaction holding the per-contact lock (concurrent clicks
 * of one contact are serialised across all bridge hosts) and reads the
 * contact's link into *out (out->found false if none): BEGIN, the lock
 * and the read go to PostgreSQL in one round trip (pipeline mode). On
 * failure no transaction is left open. */
enum cb_err store_begin_user(struct store *s, const char *sub, struct link *out) CB_WUR;
enum cb_err store_commit(struct store *s) CB_WUR;
void store_rollback(struct store *s);

enum cb_err store_link_put(struct store *s, const char *sub, const char *mm_user_id,
    const char *how, bool password_set) CB_WUR;
enum cb_err store_link_delete(struct store *s, const char *sub) CB_WUR;
enum cb_err store_link_teams(struct store *s, const char *sub, const char *key,
    const char *joined) CB_WUR;
enum cb_err store_link_password(struct store *s, const char *sub) CB_WUR;

/* One audit row; fields come from the attempt (no secrets in it). */
enum cb_err store_audit(struct store *s, const struct attempt *a) CB_WUR;

/* Deletes replay rows and OAuth2 states that have expired, and audit rows
 * older than audit_days days (0: audit rows are kept). */
enum cb_err store_purge(struct store *s, unsigned audit_days) CB_WUR;

/* SELECT 1 (readiness). */
enum cb_err store_ping(struct store *s) CB_WUR;

/* OAuth2 sign-in state (single use, bound to the browser by binding, a
 * hash of the state cookie). */
enum cb_err store_sso_state_put(struct store *s, const char *state, const char *binding,
    const char *verifier, const char *r, int64_t expires) CB_WUR;
/* Consumes the state: CB_OK with verifier and r filled, or CB_SSO_STATE if
 * unknown, expired, already used or bound to another browser. */
enum cb_err store_sso_state_take(struct store *s, const char *state, const char *binding,
    char verifier[CB_PKCE_VERIFIER_MAX + 1], char r[CB_REDIRECT_MAX + 1]) CB_WUR;

/* The schema version this bridge is built for. */
int store_schema_version(void);

/* `chat-bridge migrate`: creates or upgrades the schema (one migrator at a
 * time across hosts). *from and *to receive the versions before and
 * after (-1 if unknown); a store already newer than this bridge and
 * compatible with it is left alone (CB_OK, *from = *to > the bridge's
 * version). On failure err holds the reason: CB_ECONFIG if the store is
 * newer than this bridge and needs a newer bridge, else
 * CB_STORE_UNAVAILABLE. */
enum cb_err store_migrate(const char *dsn, int *from, int *to, char *err, size_t errcap) CB_WUR;

#endif
