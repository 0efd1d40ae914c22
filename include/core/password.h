/*
 * password.h - the login-mode password of a bridged user, and the
 * Mattermost-compatible hash of it.
 *
 * The password is recomputable from the contact id alone:
 * "Ob1!" || base64url(HMAC-SHA256(password_secret, "openthc-chat-bridge/v1/" || sub))
 * (47 bytes: <= 72, all four character classes, so it satisfies any
 * Mattermost PasswordSettings). It is set once and never changed per
 * click. password_phc produces the PBKDF2-SHA256 PHC string Mattermost 11
 * stores ($pbkdf2$f=SHA256,w=<iter>,l=32$<salt>$<hash>, raw standard
 * base64), for PUT /users/{id}/password with already_hashed, which sends
 * no email and ends no session.
 */
#ifndef CB_PASSWORD_H
#define CB_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"

#define PASSWORD_LEN 47
#define PASSWORD_PHC_MAX 160

/* Writes the derived password of contact sub into out (NUL-terminated).
 * The caller wipes out after use. */
enum cb_err password_derive(const unsigned char *secret, size_t secret_len, const char *sub,
    char out[PASSWORD_LEN + 1]) CB_WUR;

/* PBKDF2-HMAC-SHA256 (RFC 8018) of pw with salt, iterations, dk_len bytes. */
void password_pbkdf2_sha256(const char *pw, size_t pw_len, const unsigned char *salt,
    size_t salt_len, uint32_t iterations, unsigned char *dk, size_t dk_len);

/* PHC string for pw with a random 16-byte salt. */
enum cb_err password_phc(const char *pw, uint32_t iterations, char out[PASSWORD_PHC_MAX]) CB_WUR;

/* PHC string for pw with the given salt (deterministic, for tests). */
enum cb_err password_phc_salted(const char *pw, uint32_t iterations,
    const unsigned char salt[16], char out[PASSWORD_PHC_MAX]) CB_WUR;

#endif
