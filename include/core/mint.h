/*
 * mint.h - minting chat link tokens (token.md) the way an OpenTHC app
 * does: `chat-bridge mint`, the demo, the tests and the benchmark. The
 * claims are validated with the verifier's own rules (claims.h), so a
 * minted token is never malformed.
 */
#ifndef CB_MINT_H
#define CB_MINT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "token.h"

/* What a token carries. Strings may be NULL or "" when optional. */
struct mint_params {
	enum jws_alg alg;		/* JWS_EDDSA (version 1) or JWS_HS256 (version 0) */
	const unsigned char *seed;	/* EdDSA: 32-byte Ed25519 seed */
	const unsigned char *secret;	/* HS256: the issuer's shared key */
	size_t secret_len;
	const char *iss, *aud, *sub, *com, *email;
	const char *lic, *name, *com_name, *cre, *reg;
	const char *const *teams;
	size_t n_teams;
	int64_t iat;
	int64_t ttl;
	const char *jti;		/* NULL: 32 random bytes, base64url */
};

/* Mints a token into out[cap] (NUL-terminated). CB_TOK_* names the
 * first parameter the verifier would refuse. */
enum cb_err mint_token(const struct mint_params *p, char *out, size_t cap) CB_WUR;

#endif
