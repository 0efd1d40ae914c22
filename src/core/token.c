/*
 * token.c - verification of OpenTHC chat link tokens (token.md).
 *
 * Nothing here trusts a byte of the token until the signature over
 * segment1 "." segment2 has been checked with a key from the registry.
 * The payload is parsed before that only to read "iss" for the lookup.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "claims.h"
#include "token.h"
#include "util.h"

/* Depth of JSON nesting in s[0..n), ignoring brackets inside strings.
 * Lets us refuse deep nesting before jansson recurses into it. */
static unsigned
json_depth(const unsigned char *s, size_t n)
{
	unsigned depth = 0, max = 0;
	int in_str = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return max;
}

/* Decodes a segment and parses it as one JSON object (duplicates refused). */
static enum cb_err
segment_json(const char *seg, size_t n, unsigned char *buf, size_t cap, json_t **out)
{
	json_error_t jerr;
	size_t len;
	json_t *j;

	if (n > CB_B64_LEN(cap))
		return CB_TOK_TOO_LONG;
	if (b64url_decode(seg, n, buf, cap, &len) != CB_OK)
		return CB_TOK_BASE64;
	if (json_depth(buf, len) > CB_TOKEN_JSON_DEPTH)
		return CB_TOK_JSON;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return CB_TOK_JSON;
	if (!json_is_object(j)) {
		json_decref(j);
		return CB_TOK_JSON;
	}
	*out = j;
	return CB_OK;
}

/* Borrowed string value of member k, its length in *n; NULL if absent or
 * not a string. */
static const char *
get_str(const json_t *o, const char *k, size_t *n)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		return NULL;
	*n = json_string_length(v);
	return json_string_value(v);
}

static enum cb_err
check_header(const json_t *h, enum jws_alg *alg)
{
	static const char *const forbidden[] = {"crit", "jku", "jwk", "x5u", "x5c"};
	const json_t *typ;
	const char *name;
	size_t i, n;

	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (json_object_get(h, forbidden[i]) != NULL)
			return CB_TOK_HEADER;
	typ = json_object_get(h, "typ");
	if (typ != NULL && !(json_is_string(typ) && strcmp(json_string_value(typ), "JWT") == 0 &&
	    json_string_length(typ) == 3))
		return CB_TOK_HEADER;
	if ((name = get_str(h, "alg", &n)) == NULL)
		return CB_TOK_HEADER;
	if (n == 5 && memcmp(name, "EdDSA", 5) == 0)
		*alg = JWS_EDDSA;
	else if (n == 5 && memcmp(name, "HS256", 5) == 0)
		*alg = JWS_HS256;
	else
		return CB_TOK_ALG;	/* none, HS512, hs256, "HS256 ", ... */
	return CB_OK;
}

/* Ed25519 signature sig64 (base64url) over tok[0..signed_len). */
static enum cb_err
sig_ed25519(const char *tok, size_t signed_len, const char *sig64, size_t sig64_len,
    const unsigned char pk[32])
{
	unsigned char sig[crypto_sign_BYTES + 3];
	size_t len;

	if (sig64_len != 86 || b64url_decode(sig64, sig64_len, sig, sizeof(sig), &len) != CB_OK ||
	    len != crypto_sign_BYTES)
		return CB_TOK_SIGNATURE;
	if (crypto_sign_verify_detached(sig, (const unsigned char *)tok, signed_len, pk) != 0)
		return CB_TOK_SIGNATURE;
	return CB_OK;
}

void
hs256_mac(const unsigned char *key, size_t keylen, const unsigned char *msg, size_t len,
    unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;

	/* The multi-part API accepts keys of any length (RFC 2104). */
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* HMAC-SHA256 signature sig64 over tok[0..signed_len), compared in
 * constant time against the MAC under every key (all are computed). */
static enum cb_err
sig_hs256(const char *tok, size_t signed_len, const char *sig64, size_t sig64_len,
    const struct secret *keys, size_t nkeys)
{
	unsigned char sig[crypto_auth_hmacsha256_BYTES + 3], mac[crypto_auth_hmacsha256_BYTES];
	size_t len, i;
	int ok = 0;

	if (sig64_len != 43 || b64url_decode(sig64, sig64_len, sig, sizeof(sig), &len) != CB_OK ||
	    len != sizeof(mac))
		return CB_TOK_SIGNATURE;
	for (i = 0; i < nkeys; i++) {
		hs256_mac(keys[i].p, keys[i].len, (const unsigned char *)tok, signed_len, mac);
		ok |= sodium_memcmp(mac, sig, sizeof(mac)) == 0;
	}
	sodium_memzero(mac, sizeof(mac));
	return ok ? CB_OK : CB_TOK_SIGNATURE;
}

/* Version 1: Ed25519 with the registry key named by kid. */
static enum cb_err
verify_ed25519(const struct issuer *iss, const json_t *h, const char *tok, size_t signed_len,
    const char *sig64, size_t sig64_len, char kid_out[CB_ED25519_B64_LEN + 1])
{
	unsigned char pk[32];
	const char *kid;
	size_t n, len, i;
	int found = 0;
	enum cb_err e;

	if (iss->n_ed25519 == 0)
		return CB_TOK_ALG;
	if ((kid = get_str(h, "kid", &n)) == NULL || n != 43 ||
	    b64url_decode(kid, n, pk, sizeof(pk), &len) != CB_OK || len != 32)
		return CB_TOK_HEADER;
	for (i = 0; i < iss->n_ed25519; i++)
		found |= sodium_memcmp(pk, iss->ed25519[i], 32) == 0;
	if (!found)
		return CB_TOK_KID;
	if ((e = sig_ed25519(tok, signed_len, sig64, sig64_len, pk)) != CB_OK)
		return e;
	memcpy(kid_out, kid, 43);
	kid_out[43] = '\0';
	return CB_OK;
}

static enum cb_err
check_audience(const json_t *p, const char *aud)
{
	const json_t *a = json_object_get(p, "aud"), *v;
	size_t alen = strlen(aud), i;
	int found = 0;

	if (json_is_string(a))
		return (json_string_length(a) == alen &&
		    memcmp(json_string_value(a), aud, alen) == 0) ? CB_OK : CB_TOK_AUDIENCE;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return CB_TOK_AUDIENCE;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return CB_TOK_AUDIENCE;
		if (json_string_length(v) == alen && memcmp(json_string_value(v), aud, alen) == 0)
			found = 1;
	}
	return found ? CB_OK : CB_TOK_AUDIENCE;
}

/* A time claim: JSON integer in [0, 2^53]. *present tells absence apart. */
static enum cb_err
get_time(const json_t *p, const char *k, int64_t *out, bool *present)
{
	const json_t *v = json_object_get(p, k);
	json_int_t i;

	*present = v != NULL;
	if (v == NULL)
		return CB_OK;
	if (!json_is_integer(v))
		return CB_TOK_TIME_CLAIM;
	i = json_integer_value(v);
	if (i < 0 || i > CB_JSON_INT_MAX)
		return CB_TOK_TIME_CLAIM;
	*out = (int64_t)i;
	return CB_OK;
}

static enum cb_err
check_times(const json_t *p, const struct verify_params *vp, enum jws_alg alg, struct claims *c)
{
	int64_t now = vp->now, lw = (int64_t)vp->leeway, cap;
	bool has_iat, has_exp;

	if (get_time(p, "iat", &c->iat, &has_iat) != CB_OK ||
	    get_time(p, "exp", &c->exp, &has_exp) != CB_OK ||
	    get_time(p, "nbf", &c->nbf, &c->has_nbf) != CB_OK || !has_iat || !has_exp)
		return CB_TOK_TIME_CLAIM;
	cap = alg == JWS_EDDSA ? CB_LIFETIME_V1 : CB_LIFETIME_V0;
	if (c->exp <= c->iat || c->exp - c->iat > cap)
		return CB_TOK_LIFETIME;
	if (c->iat > now + lw)
		return CB_TOK_ISSUED_IN_FUTURE;
	if (c->has_nbf && now < c->nbf - lw)
		return CB_TOK_NOT_YET_VALID;
	if (now >= c->exp + lw)
		return CB_TOK_EXPIRED;
	return CB_OK;
}

static enum cb_err
check_identity(const json_t *p, enum jws_alg alg, const char *sig64, size_t sig64_len,
    struct claims *c)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	enum cb_err e;

	if ((e = claims_set_json(c, CLAIM_SUB, json_object_get(p, "sub"), true)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_COM, json_object_get(p, "com"), true)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_EMAIL, json_object_get(p, "email"), true)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_LIC, json_object_get(p, "lic"), false)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_CRE, json_object_get(p, "cre"), false)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_REG, json_object_get(p, "reg"), false)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_JTI, json_object_get(p, "jti"), alg == JWS_EDDSA)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_NAME, json_object_get(p, "name"), false)) != CB_OK ||
	    (e = claims_set_json(c, CLAIM_COM_NAME, json_object_get(p, "com_name"), false)) != CB_OK ||
	    (e = claims_set_teams_json(c, json_object_get(p, "team"))) != CB_OK)
		return CB_TOK_CLAIM;
	if (c->jti[0] == '\0') {
		/* v0 without jti: single use keyed by the signature. */
		crypto_hash_sha256(h, (const unsigned char *)sig64, sig64_len);
		if (b64url_encode(h, sizeof(h), c->jti, sizeof(c->jti)) != CB_OK)
			return CB_EINTERNAL;
		c->jti_derived = true;
	}
	return CB_OK;
}

static enum cb_err
check_syntax(const char *tok, size_t len, size_t *d1, size_t *d2)
{
	size_t i, dots = 0;

	if (len > CB_TOKEN_MAX)
		return CB_TOK_TOO_LONG;
	for (i = 0; i < len; i++) {
		char ch = tok[i];

		if (ch == '.') {
			if (++dots == 1)
				*d1 = i;
			else if (dots == 2)
				*d2 = i;
		} else if (!ascii_isalnum(ch) && ch != '-' && ch != '_') {
			return CB_TOK_CHARSET;
		}
	}
	if (dots != 2 || *d1 == 0 || *d2 == *d1 + 1 || *d2 + 1 == len)
		return CB_TOK_SEGMENTS;
	return CB_OK;
}

enum cb_err
token_verify(const char *tok, size_t len, const struct verify_params *vp, struct claims *out)
{
	unsigned char hbuf[CB_TOKEN_HEADER_MAX], pbuf[CB_TOKEN_PAYLOAD_MAX];
	json_t *h = NULL, *p = NULL;
	const struct issuer *iss;
	const char *s, *sig64;
	size_t d1 = 0, d2 = 0, n, sig64_len;
	enum jws_alg alg = JWS_HS256;
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	if ((e = check_syntax(tok, len, &d1, &d2)) != CB_OK)
		goto out;
	if ((e = segment_json(tok, d1, hbuf, sizeof(hbuf), &h)) != CB_OK ||
	    (e = segment_json(tok + d1 + 1, d2 - d1 - 1, pbuf, sizeof(pbuf), &p)) != CB_OK)
		goto out;
	if ((e = check_header(h, &alg)) != CB_OK)
		goto out;

	/* Issuer lookup: the payload is not trusted yet, iss only selects. */
	if ((s = get_str(p, "iss", &n)) == NULL || (iss = issuer_find(vp->issuers, s, n)) == NULL) {
		e = CB_TOK_ISSUER;
		goto out;
	}
	sig64 = tok + d2 + 1;
	sig64_len = len - d2 - 1;
	if (alg == JWS_EDDSA)
		e = verify_ed25519(iss, h, tok, d2, sig64, sig64_len, out->kid);
	else
		e = iss->n_hs256 == 0 ? CB_TOK_ALG
		    : sig_hs256(tok, d2, sig64, sig64_len, iss->hs256, iss->n_hs256);
	if (e != CB_OK)
		goto out;

	/* Signed from here on. */
	if (alg == JWS_EDDSA) {
		const json_t *v = json_object_get(p, "ver");

		if (!json_is_integer(v) || json_integer_value(v) != 1) {
			e = CB_TOK_VERSION;
			goto out;
		}
	} else if (json_object_get(p, "ver") != NULL) {
		e = CB_TOK_VERSION;
		goto out;
	}
	if ((s = get_str(p, "intent", &n)) == NULL || n != 9 || memcmp(s, "chat-open", 9) != 0) {
		e = CB_TOK_INTENT;
		goto out;
	}
	if ((e = check_audience(p, vp->audience)) != CB_OK)
		goto out;
	if ((e = check_times(p, vp, alg, out)) != CB_OK)
		goto out;
	if ((e = check_identity(p, alg, sig64, sig64_len, out)) != CB_OK)
		goto out;
	if (str_copy(out->iss, sizeof(out->iss), iss->id, strlen(iss->id)) != CB_OK) {
		e = CB_EINTERNAL;
		goto out;
	}
	out->origin = alg == JWS_EDDSA ? CLAIMS_TOKEN_V1 : CLAIMS_TOKEN_V0;
	e = CB_OK;
out:
	json_decref(h);
	json_decref(p);
	if (e != CB_OK)
		sodium_memzero(out, sizeof(*out));
	return e;
}

enum cb_err
jws_verify(const char *tok, size_t len, enum jws_alg alg, const unsigned char *key, size_t keylen)
{
	unsigned char hbuf[CB_TOKEN_HEADER_MAX], pbuf[CB_TOKEN_PAYLOAD_MAX];
	size_t plen;
	struct secret k = {(unsigned char *)(uintptr_t)key, keylen};
	json_t *h = NULL;
	size_t d1 = 0, d2 = 0;
	enum jws_alg got = JWS_HS256;
	enum cb_err e;

	if ((e = check_syntax(tok, len, &d1, &d2)) != CB_OK ||
	    (e = segment_json(tok, d1, hbuf, sizeof(hbuf), &h)) != CB_OK ||
	    (e = check_header(h, &got)) != CB_OK)
		goto out;
	/* The payload is not interpreted, but must be canonical base64url. */
	if (d2 - d1 - 1 > CB_B64_LEN(sizeof(pbuf))) {
		e = CB_TOK_TOO_LONG;
		goto out;
	}
	if ((e = b64url_decode(tok + d1 + 1, d2 - d1 - 1, pbuf, sizeof(pbuf), &plen)) != CB_OK)
		goto out;
	if (got != alg) {
		e = CB_TOK_ALG;
		goto out;
	}
	if (alg == JWS_EDDSA)
		e = keylen == 32 ? sig_ed25519(tok, d2, tok + d2 + 1, len - d2 - 1, key)
		    : CB_EINTERNAL;
	else
		e = sig_hs256(tok, d2, tok + d2 + 1, len - d2 - 1, &k, 1);
out:
	json_decref(h);
	return e;
}
