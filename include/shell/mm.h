/*
 * mm.h - the Mattermost REST API v4 calls the bridge makes
 * (mattermost-behaviour.md sections 1, 4-6), with the system-admin bot
 * token from [mattermost] token_file sent as "Authorization: Bearer".
 *
 * Every call returns CB_OK, CB_MM_NOT_FOUND (404), CB_MM_REJECTED (other
 * 4xx; the Mattermost error id is in res->error_id), CB_MM_ERROR (5xx,
 * 429 or an unusable answer), CB_MM_UNREACHABLE or CB_MM_TIMEOUT. Each
 * call's duration goes to the metrics.
 */
#ifndef CB_MM_H
#define CB_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"
#include "mmserver.h"

struct config;
struct http;
struct metrics;

struct mm_result {
	long status;
	char error_id[CB_MM_ERROR_ID_MAX + 1];	/* AppError id, visible ASCII only */
	unsigned calls;		/* REST calls made (counted across calls) */
	unsigned retry_after;	/* a 429's Retry-After, in seconds (0: none) */
};

struct mm_user {
	char id[CB_MMID_LEN + 1];
	char username[65];
	char email[CB_EMAIL_MAX + 1];
	char roles[CB_MM_ROLES_MAX + 1];
	char auth_service[33];
	char remote_id[CB_MMID_LEN + 1];	/* shared-channel user of another server */
	char contact_id[CB_ULID_LEN + 1];	/* props.openthc_contact_id, "" if none */
	int64_t delete_at;
	bool is_bot;
	bool mfa_active;
	bool email_verified;
};

struct mm_new_user {
	const char *email;
	const char *username;
	const char *password;	/* NULL: none (database mode) */
	const char *first_name;
	const char *last_name;
	const char *position;
	const char *contact_id;	/* stored in props.openthc_contact_id */
};

struct mm_session {
	char token[CB_MMID_LEN + 1];
	char csrf[CB_MMID_LEN + 1];
};

/* What a process knows about its Mattermost (mmserver.h), shared by the
 * workers: read at start-up, on SIGHUP and by /auth/ready, and the
 * version seen in every answer's X-Version-Id. Thread-safe. */
struct mm_server_cache;

struct mm_server_cache *mm_server_cache_new(void);
void mm_server_cache_free(struct mm_server_cache *sc);
/* A copy of what is known. */
void mm_server_get(struct mm_server_cache *sc, struct mm_server *out);
/* What is known is logged whenever it changes; after this call (a
 * reload), at the next read too. */
void mm_server_relog(struct mm_server_cache *sc);

/* The context a call needs; all borrowed. */
struct mm_ctx {
	const struct config *cfg;
	struct http *http;
	struct metrics *metrics;	/* may be NULL */
	uint64_t *waited_us;		/* may be NULL: each call's duration is added */
	struct mm_server_cache *server;	/* may be NULL: the version seen is noted there */
};

/* GET /api/v4/config/client?format=old (no token: Mattermost publishes it
 * to anyone) into *out, and into m->server if set. */
enum cb_err mm_client_config(const struct mm_ctx *m, struct mm_server *out,
    struct mm_result *res) CB_WUR;

enum cb_err mm_user_get(const struct mm_ctx *m, const char *id, struct mm_user *out,
    struct mm_result *res) CB_WUR;
enum cb_err mm_user_by_email(const struct mm_ctx *m, const char *email, struct mm_user *out,
    struct mm_result *res) CB_WUR;
enum cb_err mm_user_create(const struct mm_ctx *m, const struct mm_new_user *nu,
    struct mm_user *out, struct mm_result *res) CB_WUR;
/* POST /users/{id}/sessions/revoke/all: ends every session of the user
 * (Mattermost clears its session caches on every node). */
enum cb_err mm_user_revoke_sessions(const struct mm_ctx *m, const char *id,
    struct mm_result *res) CB_WUR;

/* The fields of a user the bridge owns, for PUT /users/{id}/patch. NULL
 * fields are not sent (nickname and the rest are never written). */
struct mm_user_patch {
	const char *first_name;
	const char *last_name;
	const char *position;
	const char *email;
};

/* PUT /users/{id}/patch: changes only the given fields. A new email that
 * another account has is CB_MM_REJECTED, app.user.save.email_exists.app_error. */
enum cb_err mm_user_patch(const struct mm_ctx *m, const char *id, const struct mm_user_patch *p,
    struct mm_user *out, struct mm_result *res) CB_WUR;

/* PUT /users/{id}/password with already_hashed: no email, no logout. */
enum cb_err mm_user_set_password_hash(const struct mm_ctx *m, const char *id, const char *phc,
    struct mm_result *res) CB_WUR;

/* The team's id; *archived: the team is archived (delete_at != 0), which
 * GET /teams/name still answers and which is still joinable. */
enum cb_err mm_team_by_name(const struct mm_ctx *m, const char *name, char id[CB_MMID_LEN + 1],
    bool *archived, struct mm_result *res) CB_WUR;
/* open: Mattermost type "O" with allow_open_invite, else "I". */
enum cb_err mm_team_create(const struct mm_ctx *m, const char *name, const char *display_name,
    bool open, char id[CB_MMID_LEN + 1], struct mm_result *res) CB_WUR;
/* Idempotent (Mattermost answers 201 for an existing membership too). */
enum cb_err mm_team_add_member(const struct mm_ctx *m, const char *team_id, const char *user_id,
    struct mm_result *res) CB_WUR;
enum cb_err mm_channel_by_name(const struct mm_ctx *m, const char *team_id, const char *name,
    char id[CB_MMID_LEN + 1], struct mm_result *res) CB_WUR;
enum cb_err mm_channel_create(const struct mm_ctx *m, const char *team_id, const char *name,
    char id[CB_MMID_LEN + 1], struct mm_result *res) CB_WUR;
enum cb_err mm_channel_add_member(const struct mm_ctx *m, const char *channel_id,
    const char *user_id, struct mm_result *res) CB_WUR;

/* POST /users/login with X-Requested-With and the user's User-Agent: the
 * user named by `by` (its login_id: the email or the username; or its
 * id), and the password; fills the session token (Token header) and the
 * CSRF value (MMCSRF cookie). No Authorization header is sent. A 429 is
 * CB_MM_ERROR with res->status 429 and res->retry_after. */
enum cb_err mm_login(const struct mm_ctx *m, enum mm_login_by by, const struct mm_user *u,
    const char *password, const char *user_agent, struct mm_session *out,
    struct mm_result *res) CB_WUR;

/* GET /users/me with the bot token: Mattermost answers and the token is
 * still valid (what /auth/ready reports). */
enum cb_err mm_ping(const struct mm_ctx *m, struct mm_result *res) CB_WUR;

/* ------------------------------------------------------------ operators
 * Calls of `chat-bridge users` (users.c). */

/* A team of a user (GET /users/{id}/teams). */
struct mm_team {
	char id[CB_MMID_LEN + 1];
	char name[CB_TEAM_NAME_MAX + 1];
	char display_name[CB_MM_DISPLAY_NAME_MAX + 1];	/* cut at a code point */
	int64_t delete_at;		/* archived team: its time in ms, else 0 */
};

/* A user's sessions (GET /users/{id}/sessions; never their tokens). */
struct mm_sessions {
	unsigned count;
	unsigned mobile;		/* of count: with a device id (mobile app) */
	int64_t last_activity_at;	/* ms; the latest of all, 0 if none */
};

/* GET /users/username/{username}. */
enum cb_err mm_user_by_username(const struct mm_ctx *m, const char *username, struct mm_user *out,
    struct mm_result *res) CB_WUR;
/* GET /users/{id}/teams: the first cap teams in out, their number in *n,
 * and in *total the number Mattermost returned. */
enum cb_err mm_user_teams(const struct mm_ctx *m, const char *id, struct mm_team *out, size_t cap,
    size_t *n, size_t *total, struct mm_result *res) CB_WUR;
/* GET /users/{id}/sessions, summed up. */
enum cb_err mm_user_sessions(const struct mm_ctx *m, const char *id, struct mm_sessions *out,
    struct mm_result *res) CB_WUR;
/* PUT /users/{id}/active {"active": active}. Deactivating also ends the
 * user's sessions in Mattermost (mattermost-behaviour.md 4.4). */
enum cb_err mm_user_set_active(const struct mm_ctx *m, const char *id, bool active,
    struct mm_result *res) CB_WUR;

#endif
