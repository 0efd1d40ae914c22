/*
 * mmserver.h - what the bridge must know about the Mattermost server it
 * talks to (mattermost-behaviour.md, corrections of December 2026), and
 * the decisions that follow from it. Pure: the shell fills the struct
 * from GET /api/v4/config/client?format=old and the X-Version-Id header
 * every API answer carries.
 */
#ifndef CB_MMSERVER_H
#define CB_MMSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_server {
	bool known;			/* the client configuration was read */
	unsigned major, minor, patch;	/* 0.0.0 while unknown */
	bool sign_in_email;		/* EmailSettings.EnableSignInWithEmail */
	bool sign_in_username;		/* EmailSettings.EnableSignInWithUsername */
	bool mfa;			/* ServiceSettings.EnableMultifactorAuthentication */
	bool guest_accounts;		/* GuestAccountsSettings.Enable */
	bool licensed;			/* X-Version-Id's last field is "true" */
	bool licence_known;		/* an X-Version-Id said so either way */
	int64_t checked_ms;		/* when it was read; 0 = never */
};

/* How POST /users/login names the user. */
enum mm_login_by {
	MM_LOGIN_BY_EMAIL,	/* login_id = the email */
	MM_LOGIN_BY_USERNAME,	/* login_id = the username */
	MM_LOGIN_BY_ID,		/* id = the user id: up to 11.2 whatever the flags */
	MM_LOGIN_IMPOSSIBLE,	/* 11.3+ with both sign-in flags off */
};

/* Reads X-Version-Id ("11.3.0.11.3.0.<hash>.false", or a bare "11.3.0")
 * into *s's version, and its last field ("true"/"false": a licence is
 * installed) into licensed; false (s unchanged) if it does not start with
 * major.minor.patch. */
bool mm_server_parse_version(const char *x_version_id, struct mm_server *s);

/* True if the version is known and at least major.minor. */
bool mm_server_at_least(const struct mm_server *s, unsigned major, unsigned minor);

/* The login method: the email when email sign-in is on, else the
 * username when username sign-in is on, else the id where the server
 * still allows it (before 11.3), else impossible. While nothing is known,
 * Mattermost's defaults (email sign-in on). */
enum mm_login_by mm_server_login_by(const struct mm_server *s);

/* Mattermost 10.x verifies bcrypt hashes only: a password the bridge sets
 * must then be bcrypt, not PBKDF2. */
bool mm_server_bcrypt_only(const struct mm_server *s);

/* True if Mattermost checks a second factor at login (an MFA account
 * cannot be signed in by the bridge). Unknown: assumed on. */
bool mm_server_mfa_enforced(const struct mm_server *s);

/* True if Mattermost lets a guest account log in: a licence and guest
 * accounts enabled (a guest's login fails with the masked 401 otherwise).
 * Unknown: false. */
bool mm_server_guests_possible(const struct mm_server *s);

/* A one-line description ("Mattermost 11.3.0, sign-in with email"), for
 * logs and check-config. */
void mm_server_describe(const struct mm_server *s, char *out, size_t cap);

#endif
