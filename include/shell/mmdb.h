/*
 * mmdb.h - session mode "database": the session row written directly into
 * Mattermost's own PostgreSQL `sessions` table (mattermost-behaviour.md
 * 3.3): 26-character ids from Mattermost's alphabet, millisecond times,
 * no NULLs, the user's real roles, props.csrf = the MMCSRF cookie, expiry
 * = now + session length, columns always named. Revocation goes through
 * REST, never a DELETE. One struct mmdb per worker thread.
 */
#ifndef CB_MMDB_H
#define CB_MMDB_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct metrics;
struct mmdb;

struct mmdb_session {
	const char *id;		/* 26 chars, model.NewId shape */
	const char *token;	/* 26 chars: the MMAUTHTOKEN cookie */
	const char *user_id;
	const char *roles;	/* the user's roles as Mattermost reports them */
	const char *props;	/* JSON object of strings, with "csrf" */
	int64_t create_ms;
	int64_t expires_ms;
};

struct mmdb *mmdb_new(const char *dsn, struct metrics *metrics);
void mmdb_free(struct mmdb *d);

/* Inserts the row; CB_MMDB_UNAVAILABLE on any database failure. */
enum cb_err mmdb_session_insert(struct mmdb *d, const struct mmdb_session *s) CB_WUR;

/* Whether Mattermost has verified the user's email (users.emailverified);
 * false for an unknown user. Its REST answers never tell. */
enum cb_err mmdb_user_email_verified(struct mmdb *d, const char *user_id, bool *verified) CB_WUR;

/* SELECT 1 (readiness). */
enum cb_err mmdb_ping(struct mmdb *d) CB_WUR;

#endif
