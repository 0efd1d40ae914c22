/*
 * users.h - `chat-bridge users`: what an operator does about one person
 * (show, revoke, unlink, deactivate) and the list of the links, on the
 * bridge's store and over Mattermost's REST API with the bot token.
 *
 * The changing actions take the contact's lock (the one a click holds),
 * so they never interleave with a click of the same person, and write
 * one audit row each (route "cli users ACTION", method "CLI", the
 * operator as client, the operator's reason as detail, via "cli"), in
 * the same transaction as an unlink. A dry run reads what it needs and
 * changes nothing, the audit table included.
 *
 * Nothing is printed here: results go back to the caller (cli.c).
 */
#ifndef CB_USERS_H
#define CB_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"
#include "mm.h"
#include "store.h"

struct config;

/* What the operator named. */
enum users_kind {
	USERS_BY_SUB,		/* an OpenTHC contact id (ULID, either case) */
	USERS_BY_EMAIL,		/* anything with an @ */
	USERS_BY_USERNAME,	/* a Mattermost username */
};

/* Classifies who: CB_OK with *kind, or CB_REQ_MALFORMED if it is none of
 * the three (control characters, spaces, too long, ...). */
enum cb_err users_query_kind(const char *who, enum users_kind *kind) CB_WUR;

/* Why a person could not be acted on, or shown. */
enum users_unknown {
	USERS_KNOWN = 0,
	USERS_NO_SUCH_USER,	/* no Mattermost user with that email or username */
	USERS_NOT_LINKED,	/* no link: not signed in by the bridge, or unlinked */
	USERS_NOTHING,		/* show: no link, no Mattermost user, no audit row */
};

/* `users show`. Allocated by the caller (it is large); free with
 * users_view_free. */
struct users_view {
	enum users_kind kind;
	enum users_unknown unknown;
	char sub[CB_ULID_LEN + 1];		/* the contact, "" if not known */
	struct store_link_info link;
	bool have_user;				/* Mattermost answered with the user */
	struct mm_user user;
	/* CB_OK; CB_MM_NOT_FOUND if Mattermost has no such user (the linked
	 * one was deleted); else why Mattermost could not be asked. */
	enum cb_err mm_err;
	char mm_error_id[CB_MM_ERROR_ID_MAX + 1];
	struct mm_team teams[CB_USERS_TEAMS_MAX];
	size_t n_teams, teams_total;
	bool have_sessions;
	struct mm_sessions sessions;
	bool have_last_click;			/* the latest sign-in attempt */
	struct store_audit_row last_click;
	struct store_audit_row *audit;		/* the newest first */
	size_t n_audit;
};

/* The person behind who, as the store and Mattermost know them, with at
 * most limit audit rows. CB_OK when something is known of them and every
 * source answered; CB_MM_NOT_FOUND (v->unknown says why) when nothing is;
 * CB_STORE_UNAVAILABLE; or a Mattermost failure, with what the store knows
 * in *v. */
enum cb_err users_show(const struct config *c, const char *who, unsigned limit,
    struct users_view *v) CB_WUR;
void users_view_free(struct users_view *v);

/* `users list`: the links active at or after since_ms (store.h,
 * store_link_list), the most recent first, at most limit. Store only:
 * works while Mattermost is down. */
enum cb_err users_list(const struct config *c, int64_t since_ms, unsigned limit,
    store_link_each each, void *arg, uint64_t *total) CB_WUR;

enum users_action {
	USERS_REVOKE,		/* end every Mattermost session: log out everywhere */
	USERS_UNLINK,		/* delete the link: the next click links again */
	USERS_DEACTIVATE,	/* deactivate in Mattermost, then end every session */
};

struct users_change {
	enum users_action action;
	const char *who;		/* users_query_kind */
	const char *reason;		/* the operator's; required, checked by the caller */
	const char *operator;		/* users_operator */
	bool dry_run;
};

/* What users_change found and did. */
struct users_result {
	enum users_unknown unknown;
	char sub[CB_ULID_LEN + 1];
	char mm_user_id[CB_MMID_LEN + 1];
	char username[65];		/* "" for an unlink (Mattermost not asked) */
	bool was_inactive;		/* already deactivated in Mattermost */
	bool have_sessions;
	struct mm_sessions sessions;	/* before the action: what a revoke ends */
	/* Done (not in a dry run). */
	bool deactivated, revoked, unlinked;
	bool audited;
	char request_id[CB_REQUEST_ID_LEN + 1];	/* of the audit row */
	/* A failure: the step ("" if none), Mattermost's error id, and the
	 * audit row's own failure (CB_OK if it was written or not due). */
	const char *failed_step;
	char error_id[CB_MM_ERROR_ID_MAX + 1];
	enum cb_err audit_err;
};

/* Revokes, unlinks or deactivates (rq->dry_run: says what it would do).
 * CB_OK when done and audited (or, in a dry run, possible);
 * CB_MM_NOT_FOUND when the person is not known or not linked (out->unknown;
 * nothing written); else the failure: of the action (audited, with
 * out->failed_step), or of the audit row (out->audit_err; an unlink is
 * then undone, a Mattermost action is not: out says what was done). */
enum cb_err users_change(const struct config *c, const struct users_change *rq,
    struct users_result *out) CB_WUR;

/* The operator for the audit row: $SUDO_USER, else $USER, else the login
 * name of the real user id, and that uid: "alice (uid 0)". The name is
 * what the environment says; the uid is the process's. */
void users_operator(char out[CB_USERS_OPERATOR_MAX + 1]);

#endif
