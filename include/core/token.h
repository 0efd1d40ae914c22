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
#include "claims.h"
#include "err.h"
#include "issuer.h"

struct verify_params {
	const struct issuer_registry *issuers;
	const char *audience;		/* site_url, no trailing slash */
	int64_t now;			/* seconds since the epoch */
	unsigned leeway;		/* seconds, <= CB_LEEWAY_MAX */
};

/* Verifies tok[0..len). On failure *out is all zero. */
enum cb_err token_verify(const char *tok, size_t len, const struct verify_params *p,
    struct claims *out) CB_WUR;

/* The two signature algorithms (token.md): HS256 for version 0, EdDSA
 * (Ed25519) for version 1. */
enum jws_alg { JWS_HS256 = 0, JWS_EDDSA = 1 };

/* The JWS layer alone, for known-answer and Wycheproof tests: checks the
 * compact syntax, that the header's alg is alg without forbidden members,
 * and the signature under key. The payload is not interpreted. */
enum cb_err jws_verify(const char *tok, size_t len, enum jws_alg alg, const unsigned char *key,
    size_t keylen) CB_WUR;

/* HMAC-SHA256 with a key of any length (RFC 2104). */
void hs256_mac(const unsigned char *key, size_t keylen, const unsigned char *msg, size_t len,
    unsigned char out[32]);

#endif
