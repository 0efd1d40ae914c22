/*
 * token.h - the OpenTHC chat link token (../shared/spec/token.md).
 *
 * token_verify is a pure function of (token bytes, issuer registry,
 * site_url, now, leeway): it returns CB_OK and fills the claims, or one
 * precise reason and leaves the claims zeroed. Order: syntax and sizes,
 * issuer and key lookup (payload read but not trusted), signature, then
 * ver/intent/aud, times, identity claims. Replay is the caller's job (it
 * needs the store) and uses claims.iss + claims.jti.
 */
#ifndef CB_TOKEN_H
#define CB_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"
#include "issuer.h"

struct claims {
	int version;			/* 1: Ed25519 JWS, 0: HS256 */
	char iss[CB_ISSUER_ID_MAX + 1];
	char kid[44];			/* v1 only */
	char sub[CB_ULID_LEN + 1];
	char com[CB_ULID_LEN + 1];
	char lic[CB_ULID_LEN + 1];	/* "" if absent */
	char email[CB_EMAIL_MAX + 1];	/* lower-cased */
	char name[CB_NAME_MAX + 1];	/* control characters stripped */
	char com_name[CB_NAME_MAX + 1];
	char cre[CB_CRE_MAX + 1];
	char reg[CB_REG_MAX + 1];
	char teams[CB_TOKEN_TEAMS_MAX][CB_TEAM_NAME_MAX + 1];
	size_t n_teams;
	/* Replay key: the jti claim, or for v0 without jti the base64url
	 * SHA-256 of the signature segment (jti_derived = 1). */
	char jti[CB_JTI_MAX + 1];
	int jti_derived;
	int64_t iat, exp, nbf;
	int has_nbf;
};

struct verify_params {
	const struct issuer_registry *issuers;
	const char *audience;		/* site_url, no trailing slash */
	int64_t now;			/* seconds since the epoch */
	unsigned leeway;		/* seconds, <= CB_LEEWAY_MAX */
};

/* Verifies tok[0..len). On failure *out is all zero. */
enum cb_err token_verify(const char *tok, size_t len, const struct verify_params *p,
    struct claims *out) CB_WUR;

/* The JWS layer alone, for known-answer and Wycheproof tests: checks the
 * compact syntax, that the header's alg is alg (JWS_EDDSA or JWS_HS256)
 * without forbidden members, and the signature under key. The payload
 * is not interpreted. */
#define JWS_HS256 0
#define JWS_EDDSA 1
enum cb_err jws_verify(const char *tok, size_t len, int alg, const unsigned char *key,
    size_t keylen) CB_WUR;

/* HMAC-SHA256 with a key of any length (RFC 2104). */
void hs256_mac(const unsigned char *key, size_t keylen, const unsigned char *msg, size_t len,
    unsigned char out[32]);

/* Serialises verified claims as a JSON object (for `chat-bridge verify`).
 * Returns a new reference or NULL on allocation failure. */
struct json_t *claims_to_json(const struct claims *c);

/* What `chat-bridge mint` needs. Strings may be NULL/"" when optional. */
struct mint_params {
	int version;			/* 1 or 0 */
	const unsigned char *seed;	/* v1: 32-byte Ed25519 seed */
	const unsigned char *secret;	/* v0: HS256 key */
	size_t secret_len;
	const char *iss, *aud, *sub, *com, *email;
	const char *lic, *name, *com_name, *cre, *reg;
	const char *const *teams;
	size_t n_teams;
	int64_t iat;
	int64_t ttl;
	const char *jti;		/* NULL: 32 random bytes, base64url */
};

/* Mints a token into out[cap] (NUL-terminated). Validates the claims the
 * same way the verifier will, so a minted token is never malformed. */
enum cb_err token_mint(const struct mint_params *p, char *out, size_t cap) CB_WUR;

#endif
