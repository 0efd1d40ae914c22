/*
 * mmdb.h - Mattermost's own PostgreSQL database, in session mode
 * "database" (and, when configured, in login mode for what its REST
 * answers never tell).
 *
 * The session row is written directly into Mattermost's `sessions` table
 * (mattermost-behaviour.md 3.3): 26-character ids from Mattermost's
 * alphabet, millisecond times, no NULLs, the user's real roles read from
 * `users` in the same statement, props.csrf = the MMCSRF cookie, expiry
 * = now + session length, columns always named. The statement inserts
 * only for a user who may sign in (active, not a bot, no other sign-in
 * service, not a remote user, no MFA Mattermost enforces, not a guest
 * unless allowed), so a returning click needs no REST call at all.
 * Revocation goes through REST, never a DELETE.
 *
 * On connecting, the bridge reads the columns of `sessions`, `users` and
 * `bots` (information_schema): a column it reads that is missing, or a
 * `sessions` column it does not know that has no default and may not be
 * left NULL safely, makes the connection unusable (CB_MMDB_SCHEMA, the
 * column named in the log and by mmdb_problem) instead of writing rows
 * Mattermost would refuse. One struct mmdb per worker thread.
 */
#ifndef CB_MMDB_H
#define CB_MMDB_H

#include <stdbool.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"

struct metrics;
struct mmdb;

/* A session to write, for the user user_id. */
struct mmdb_session {
	const char *id;		/* 26 chars, model.NewId shape */
	const char *token;	/* 26 chars: the MMAUTHTOKEN cookie */
	const char *user_id;
	const char *csrf;	/* props.csrf: the MMCSRF cookie */
	bool mobile;		/* props.isMobile */
	const char *platform, *os, *browser;	/* props, from the User-Agent */
	int64_t create_ms;
	int64_t expires_ms;
	bool mfa_enforced;	/* refuse users with MFA active */
	bool guests_allowed;
};

/* A connection (made on first use) to dsn; writes_sessions: database
 * mode, the sessions table is checked too. metrics may be NULL. */
struct mmdb *mmdb_new(const char *dsn, bool writes_sessions, struct metrics *metrics);
void mmdb_free(struct mmdb *d);

/* Inserts the row if the user may sign in. CB_OK; or the refusal
 * (CB_USER_DEACTIVATED, CB_USER_BOT, CB_USER_UNUSABLE with *why set,
 * CB_USER_REMOTE, CB_USER_GUEST), nothing written; CB_MM_NOT_FOUND if the
 * user is not in the table; CB_MMDB_UNAVAILABLE or CB_MMDB_SCHEMA. One
 * round trip for a user who may sign in. */
enum cb_err mmdb_session_insert(struct mmdb *d, const struct mmdb_session *s,
    const char **why) CB_WUR;

/* Whether Mattermost has verified the user's email (users.emailverified);
 * false for an unknown user. Its REST answers never tell. */
enum cb_err mmdb_user_email_verified(struct mmdb *d, const char *user_id, bool *verified) CB_WUR;

/* Reads the columns again (also done at every connect and at least once a
 * minute before writing a session). CB_OK, CB_MMDB_SCHEMA (the problem in
 * mmdb_problem) or CB_MMDB_UNAVAILABLE. */
enum cb_err mmdb_check(struct mmdb *d) CB_WUR;

/* The connection and the column check (readiness). */
enum cb_err mmdb_ping(struct mmdb *d) CB_WUR;

/* The last schema problem found ("" if none), e.g. "sessions.voipdeviceid
 * may be NULL and has no default". Borrowed until the next call. */
const char *mmdb_problem(const struct mmdb *d);

#endif
