/*
 * password.h - the login-mode password of a bridged user, and the
 * Mattermost-compatible hash of it.
 *
 * The password is recomputable from the contact id alone, in one of two
 * versions (the link row records which one a user has):
 *   v1: "Ob1!" || base64url(HMAC-SHA256(secret, "openthc-chat-bridge/v1/" || sub))
 *       (47 bytes);
 *   v2: "Ob1!" || the first 68 characters of
 *       base64url(HMAC-SHA512(secret, "openthc-chat-bridge/v2/" || sub))
 *       (72 bytes: Mattermost's maximum, so it meets any MinimumLength, 5
 *       to 72; all four character classes).
 * New users and every re-set get v2; a v1 user keeps v1 until a re-set.
 * It is set once and never changed per click, as a hash Mattermost
 * accepts with PUT /users/{id}/password and already_hashed (no email, no
 * logout): the PBKDF2-SHA256 PHC string of Mattermost 11
 * ($pbkdf2$f=SHA256,w=<iter>,l=32$<salt>$<hash>, raw standard base64), or
 * for Mattermost 10.x, which verifies bcrypt only, a bcrypt hash
 * ($2b$10$...).
 */
#ifndef CB_PASSWORD_H
#define CB_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"

enum password_version { PASSWORD_V1 = 1, PASSWORD_V2 = 2 };

#define PASSWORD_V1_LEN 47
#define PASSWORD_V2_LEN CB_PASSWORD_MAX
#define PASSWORD_PHC_MAX 160
#define PASSWORD_BCRYPT_COST 10

/* Writes version v of the derived password of contact sub into out
 * (NUL-terminated). The caller wipes out after use. */
enum cb_err password_derive(const unsigned char *secret, size_t secret_len, const char *sub,
    enum password_version v, char out[CB_PASSWORD_MAX + 1]) CB_WUR;

/* bcrypt ($2b$, cost PASSWORD_BCRYPT_COST) of pw with a random salt. */
enum cb_err password_bcrypt(const char *pw, char out[PASSWORD_PHC_MAX]) CB_WUR;

/* bcrypt of pw with cost and the given 16-byte salt (deterministic, for
 * tests). */
enum cb_err password_bcrypt_salted(const char *pw, unsigned cost, const unsigned char salt[16],
    char out[PASSWORD_PHC_MAX]) CB_WUR;

/* True if pw matches the bcrypt hash (tests). */
bool password_bcrypt_check(const char *pw, const char *hash);

/* PBKDF2-HMAC-SHA256 (RFC 8018) of pw with salt, iterations, dk_len bytes. */
void password_pbkdf2_sha256(const char *pw, size_t pw_len, const unsigned char *salt,
    size_t salt_len, uint32_t iterations, unsigned char *dk, size_t dk_len);

/* PHC string for pw with a random 16-byte salt. */
enum cb_err password_phc(const char *pw, uint32_t iterations, char out[PASSWORD_PHC_MAX]) CB_WUR;

/* PHC string for pw with the given salt (deterministic, for tests). */
enum cb_err password_phc_salted(const char *pw, uint32_t iterations,
    const unsigned char salt[16], char out[PASSWORD_PHC_MAX]) CB_WUR;

#endif
