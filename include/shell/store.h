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

struct link {
	bool found;
	char mm_user_id[CB_MMID_LEN + 1];
	char how[16];			/* "created" or "email" */
	char teams_key[CB_TEAM_LIST_MAX + 1];	/* the team set last confirmed */
	char teams_joined[CB_TEAM_LIST_MAX + 1];	/* of those, the teams that exist */
	int64_t teams_checked_at;	/* epoch seconds, 0 = never */
	bool password_set;		/* login mode: derived password in place */
	int password_version;		/* of the derived password (password.h) */
	char mm_email[CB_EMAIL_MAX + 1];	/* the account's, as last seen */
	char mm_username[CB_MM_USERNAME_MAX + 1];
	char profile_hash[CB_PROFILE_HASH_LEN + 1];	/* of what the bridge last wrote */
};

/* The click's store round trip: BEGIN; the single-use claim of (iss,
 * jti) until expires (epoch seconds), atomic across workers and hosts;
 * the contact's lock (concurrent clicks of one contact are serialised
 * across all bridge hosts), taken only for a fresh claim so a replay
 * never waits; a savepoint; the contact's link into *out (out->found
 * false if none). jti NULL (an OAuth2 sign-in, whose state was used up
 * already): no claim, the lock always.
 *
 * CB_OK leaves the transaction open; end it with store_commit (signed
 * in), store_fail (refused or failed: the click's changes are undone, the
 * claim stays, so the token is used up) or store_abort (nothing happened:
 * the claim is undone too, the token stays usable). CB_TOK_REPLAYED:
 * already used, no transaction left. Other failures leave no transaction
 * and still claim the token when they can. */
enum cb_err store_begin_click(struct store *s, const char *iss, const char *jti, int64_t expires,
    const char *sub, struct link *out) CB_WUR;
/* Commits the click. On failure the claim is made again on its own. */
enum cb_err store_commit(struct store *s) CB_WUR;
/* Sends the COMMIT of a click that will change nothing more in the store
 * without waiting for it, so that it travels while the click waits for
 * something else (database mode: the session INSERT); store_commit_wait
 * then reads its outcome (on failure the claim is made again on its own).
 * No transaction is open in between: a click that must change the store
 * after all opens one again with store_begin_click without a token. */
enum cb_err store_commit_send(struct store *s) CB_WUR;
enum cb_err store_commit_wait(struct store *s) CB_WUR;
/* Ends a refused or failed click: its changes undone, its claim kept. */
void store_fail(struct store *s);
/* Ends a click that must leave no trace (confirmation asked first). */
void store_abort(struct store *s);

/* Writes the contact's link from l (mm_user_id, how, password_set,
 * password_version, mm_email, mm_username; the team state and the profile
 * hash start empty). CB_LINK_CONFLICT if another contact is linked to
 * mm_user_id (the transaction is then aborted). */
enum cb_err store_link_put(struct store *s, const char *sub, const struct link *l) CB_WUR;
/* *other: a contact other than sub is linked to mm_user_id. */
enum cb_err store_link_owned_by_other(struct store *s, const char *mm_user_id, const char *sub,
    bool *other) CB_WUR;
enum cb_err store_link_delete(struct store *s, const char *sub) CB_WUR;
enum cb_err store_link_teams(struct store *s, const char *sub, const char *key,
    const char *joined) CB_WUR;
/* The derived password of this version is in place. */
enum cb_err store_link_password(struct store *s, const char *sub, int version) CB_WUR;
/* The account's email and username as last seen in Mattermost. */
enum cb_err store_link_account(struct store *s, const char *sub, const char *email,
    const char *username) CB_WUR;
/* The hash of the profile the bridge last wrote to Mattermost. */
enum cb_err store_link_profile(struct store *s, const char *sub, const char *hash) CB_WUR;

/* The pseudonym of a contact in log lines and audit rows: the first bytes
 * of HMAC-SHA256 under a key kept in the store (made by migrate), in hex;
 * the unkeyed SHA-256 form while the key is not known (store down). ""
 * for no sub. */
void store_pseudonym(struct store *s, const char *sub, char out[CB_PSEUDONYM_LEN + 1]);

/* One audit row, fields from the attempt (no secrets in it): sent
 * without waiting (PostgreSQL commits it on arrival); a failure shows up
 * in the log at the connection's next use. */
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

/* ------------------------------------------------------------ operators
 * What `chat-bridge users` (users.c) reads. Times in milliseconds since
 * the epoch, 0 for never. */

/* A link as an operator sees it. */
struct store_link_info {
	bool found;
	char sub[CB_ULID_LEN + 1];
	char mm_user_id[CB_MMID_LEN + 1];
	char how[16];
	char teams_key[CB_TEAM_LIST_MAX + 1];
	char teams_joined[CB_TEAM_LIST_MAX + 1];
	int64_t created_ms, updated_ms, teams_checked_ms;
	bool password_set;
	/* store_link_list only: the contact's latest sign-in attempt (an
	 * audit row with its pseudonym, not an operator's), and the latest of
	 * that, created_ms and updated_ms. */
	int64_t last_click_ms, activity_ms;
};

/* One audit row as stored (strings cut to fit, at a code point). */
struct store_audit_row {
	int64_t at_ms;
	char request_id[CB_REQUEST_ID_LEN + 1];
	char route[48];
	char method[16];
	char client[CB_USERS_OPERATOR_MAX + 1];	/* an address, or an operator */
	int status;
	char outcome[16];
	char reason[40];
	char detail[CB_DETAIL_MAX + 1];
	char via[16];
	char iss[CB_ISSUER_ID_MAX + 1];
	char mm_user_id[CB_MMID_LEN + 1];
	char mode[16];
};

typedef void (*store_link_each)(const struct store_link_info *l, void *arg);
typedef void (*store_audit_each)(const struct store_audit_row *r, void *arg);

/* The link of the contact sub, or (sub NULL) the one to the Mattermost
 * user mm_user_id; out->found false if there is none. No lock taken. */
enum cb_err store_link_info(struct store *s, const char *sub, const char *mm_user_id,
    struct store_link_info *out) CB_WUR;

/* The links whose activity (activity_ms) is at or after since_ms, the
 * most recent first, at most limit of them, each given to each; *total
 * receives how many there are in all. The last click is found by the
 * contact's pseudonym, computed by PostgreSQL exactly as store_pseudonym
 * does (HMAC-SHA256 under the key migrate made). */
enum cb_err store_link_list(struct store *s, int64_t since_ms, unsigned limit, store_link_each each,
    void *arg, uint64_t *total) CB_WUR;

/* The audit rows of the contact sub (by its pseudonym), the most recent
 * first, at most limit; clicks_only: sign-in attempts only, not the rows
 * of `chat-bridge users` (via "cli"). */
enum cb_err store_audit_of(struct store *s, const char *sub, bool clicks_only, unsigned limit,
    store_audit_each each, void *arg) CB_WUR;

/* An operator's change of one contact: a transaction holding the
 * contact's lock (the one a click takes, so a change never interleaves
 * with a click of the same person), with the link read after the lock
 * into *out. CB_OK leaves the transaction open: end it with
 * store_contact_commit or store_contact_abort. On failure no transaction
 * is left open. */
enum cb_err store_contact_begin(struct store *s, const char *sub, struct store_link_info *out)
    CB_WUR;
/* Writes the change's audit row (fields from the attempt, no secrets),
 * waits for it and commits: the change and its row, both or neither. On
 * failure the transaction is rolled back. */
enum cb_err store_contact_commit(struct store *s, const struct attempt *a) CB_WUR;
/* Rolls the change back. */
void store_contact_abort(struct store *s);

#endif
