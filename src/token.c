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

#include "identity.h"
#include "token.h"
#include "util.h"

/* Largest base64url text that decodes to at most n bytes. */
#define B64_LEN(n) (((n) * 4 + 2) / 3)

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

	if (n > B64_LEN(cap))
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
check_header(const json_t *h, int *version)
{
	static const char *const forbidden[] = {"crit", "jku", "jwk", "x5u", "x5c"};
	const json_t *typ;
	const char *alg;
	size_t i, n;

	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (json_object_get(h, forbidden[i]) != NULL)
			return CB_TOK_HEADER;
	typ = json_object_get(h, "typ");
	if (typ != NULL && !(json_is_string(typ) && strcmp(json_string_value(typ), "JWT") == 0 &&
	    json_string_length(typ) == 3))
		return CB_TOK_HEADER;
	if ((alg = get_str(h, "alg", &n)) == NULL)
		return CB_TOK_HEADER;
	if (n == 5 && memcmp(alg, "EdDSA", 5) == 0)
		*version = 1;
	else if (n == 5 && memcmp(alg, "HS256", 5) == 0)
		*version = 0;
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
    const char *sig64, size_t sig64_len, char kid_out[44])
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
get_time(const json_t *p, const char *k, int64_t *out, int *present)
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
check_times(const json_t *p, const struct verify_params *vp, int version, struct claims *c)
{
	int64_t now = vp->now, lw = (int64_t)vp->leeway, cap;
	int has_iat, has_exp;

	if (get_time(p, "iat", &c->iat, &has_iat) != CB_OK ||
	    get_time(p, "exp", &c->exp, &has_exp) != CB_OK ||
	    get_time(p, "nbf", &c->nbf, &c->has_nbf) != CB_OK || !has_iat || !has_exp)
		return CB_TOK_TIME_CLAIM;
	cap = version == 1 ? CB_LIFETIME_V1 : CB_LIFETIME_V0;
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

/* Optional string claim copied with control characters (C0, DEL, C1)
 * removed; absent is fine, present must be a string of at most max bytes. */
static enum cb_err
opt_text(const json_t *p, const char *k, char *out, size_t max)
{
	const json_t *v = json_object_get(p, k);
	const unsigned char *s;
	size_t n, i, o = 0;

	if (v == NULL)
		return CB_OK;
	if (!json_is_string(v) || (n = json_string_length(v)) > max)
		return CB_TOK_CLAIM;
	s = (const unsigned char *)json_string_value(v);
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			continue;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		out[o++] = (char)s[i];
	}
	out[o] = '\0';
	return CB_OK;
}

/* Optional claim matching a character class and length range. */
static enum cb_err
opt_pattern(const json_t *p, const char *k, char *out, size_t cap,
    int (*ok)(const char *, size_t))
{
	const json_t *v = json_object_get(p, k);
	size_t n;

	if (v == NULL)
		return CB_OK;
	if (!json_is_string(v) || !ok(json_string_value(v), n = json_string_length(v)))
		return CB_TOK_CLAIM;
	return str_copy(out, cap, json_string_value(v), n) == CB_OK ? CB_OK : CB_TOK_CLAIM;
}

static int
ok_ulid(const char *s, size_t n)
{
	return is_ulid(s, n);
}

/* cre: ^[a-z0-9/_-]{2,32}$ */
static int
ok_cre(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n > CB_CRE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '/' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* reg: ^[A-Z]{2}(-[A-Z0-9]{1,3})?$ */
static int
ok_reg(const char *s, size_t n)
{
	size_t i;

	if (n != 2 && (n < 4 || n > 6))
		return 0;
	if (s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return 0;
	if (n == 2)
		return 1;
	if (s[2] != '-')
		return 0;
	for (i = 3; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* jti: 22-64 base64url characters. */
static int
ok_jti(const char *s, size_t n)
{
	return n >= CB_JTI_MIN && n <= CB_JTI_MAX && is_b64url(s, n);
}

static enum cb_err
check_teams(const json_t *p, struct claims *c)
{
	const json_t *t = json_object_get(p, "team"), *v;
	size_t i, j, n;

	if (t == NULL)
		return CB_OK;
	if (!json_is_array(t) || json_array_size(t) > CB_TOKEN_TEAMS_MAX)
		return CB_TOK_CLAIM;
	json_array_foreach(t, i, v) {
		const char *s;
		int dup = 0;

		if (!json_is_string(v))
			return CB_TOK_CLAIM;
		s = json_string_value(v);
		n = json_string_length(v);
		if (!is_team_name(s, n))
			return CB_TOK_CLAIM;
		for (j = 0; j < c->n_teams; j++)
			dup |= strcmp(c->teams[j], s) == 0;
		if (!dup && str_copy(c->teams[c->n_teams++], sizeof(c->teams[0]), s, n) != CB_OK)
			return CB_TOK_CLAIM;
	}
	return CB_OK;
}

static enum cb_err
check_identity(const json_t *p, int version, const char *sig64, size_t sig64_len,
    struct claims *c)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *s;
	size_t n;
	enum cb_err e;

	if ((s = get_str(p, "sub", &n)) == NULL || !is_ulid(s, n) ||
	    str_copy(c->sub, sizeof(c->sub), s, n) != CB_OK)
		return CB_TOK_CLAIM;
	if ((s = get_str(p, "com", &n)) == NULL || !is_ulid(s, n) ||
	    str_copy(c->com, sizeof(c->com), s, n) != CB_OK)
		return CB_TOK_CLAIM;
	if ((s = get_str(p, "email", &n)) == NULL || identity_email(s, n, c->email) != CB_OK)
		return CB_TOK_CLAIM;
	if ((e = opt_pattern(p, "lic", c->lic, sizeof(c->lic), ok_ulid)) != CB_OK ||
	    (e = opt_pattern(p, "cre", c->cre, sizeof(c->cre), ok_cre)) != CB_OK ||
	    (e = opt_pattern(p, "reg", c->reg, sizeof(c->reg), ok_reg)) != CB_OK ||
	    (e = opt_pattern(p, "jti", c->jti, sizeof(c->jti), ok_jti)) != CB_OK ||
	    (e = opt_text(p, "name", c->name, CB_NAME_MAX)) != CB_OK ||
	    (e = opt_text(p, "com_name", c->com_name, CB_NAME_MAX)) != CB_OK ||
	    (e = check_teams(p, c)) != CB_OK)
		return e;
	if (c->jti[0] == '\0') {
		if (version == 1)
			return CB_TOK_CLAIM;
		/* v0 without jti: single use keyed by the signature. */
		crypto_hash_sha256(h, (const unsigned char *)sig64, sig64_len);
		if (b64url_encode(h, sizeof(h), c->jti, sizeof(c->jti)) != CB_OK)
			return CB_EINTERNAL;
		c->jti_derived = 1;
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
	int version = -1;
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	if ((e = check_syntax(tok, len, &d1, &d2)) != CB_OK)
		goto out;
	if ((e = segment_json(tok, d1, hbuf, sizeof(hbuf), &h)) != CB_OK ||
	    (e = segment_json(tok + d1 + 1, d2 - d1 - 1, pbuf, sizeof(pbuf), &p)) != CB_OK)
		goto out;
	if ((e = check_header(h, &version)) != CB_OK)
		goto out;

	/* Issuer lookup: the payload is not trusted yet, iss only selects. */
	if ((s = get_str(p, "iss", &n)) == NULL || (iss = issuer_find(vp->issuers, s, n)) == NULL) {
		e = CB_TOK_ISSUER;
		goto out;
	}
	sig64 = tok + d2 + 1;
	sig64_len = len - d2 - 1;
	if (version == 1)
		e = verify_ed25519(iss, h, tok, d2, sig64, sig64_len, out->kid);
	else
		e = iss->n_hs256 == 0 ? CB_TOK_ALG
		    : sig_hs256(tok, d2, sig64, sig64_len, iss->hs256, iss->n_hs256);
	if (e != CB_OK)
		goto out;

	/* Signed from here on. */
	if (version == 1) {
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
	if ((e = check_times(p, vp, version, out)) != CB_OK)
		goto out;
	if ((e = check_identity(p, version, sig64, sig64_len, out)) != CB_OK)
		goto out;
	if (str_copy(out->iss, sizeof(out->iss), iss->id, strlen(iss->id)) != CB_OK) {
		e = CB_EINTERNAL;
		goto out;
	}
	out->version = version;
	e = CB_OK;
out:
	json_decref(h);
	json_decref(p);
	if (e != CB_OK)
		sodium_memzero(out, sizeof(*out));
	return e;
}

enum cb_err
jws_verify(const char *tok, size_t len, int alg, const unsigned char *key, size_t keylen)
{
	unsigned char hbuf[CB_TOKEN_HEADER_MAX], pbuf[CB_TOKEN_PAYLOAD_MAX];
	size_t plen;
	struct secret k = {(unsigned char *)(uintptr_t)key, keylen};
	json_t *h = NULL;
	size_t d1 = 0, d2 = 0;
	int version = -1;
	enum cb_err e;

	if ((e = check_syntax(tok, len, &d1, &d2)) != CB_OK ||
	    (e = segment_json(tok, d1, hbuf, sizeof(hbuf), &h)) != CB_OK ||
	    (e = check_header(h, &version)) != CB_OK)
		goto out;
	/* The payload is not interpreted, but must be canonical base64url. */
	if (d2 - d1 - 1 > B64_LEN(sizeof(pbuf))) {
		e = CB_TOK_TOO_LONG;
		goto out;
	}
	if ((e = b64url_decode(tok + d1 + 1, d2 - d1 - 1, pbuf, sizeof(pbuf), &plen)) != CB_OK)
		goto out;
	if (version != alg) {
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

json_t *
claims_to_json(const struct claims *c)
{
	json_t *o = json_object(), *teams = json_array();
	size_t i;

	if (o == NULL || teams == NULL) {
		json_decref(o);
		json_decref(teams);
		return NULL;
	}
	json_object_set_new(o, "ver", json_integer(c->version));
	json_object_set_new(o, "iss", json_string(c->iss));
	if (c->version == 1)
		json_object_set_new(o, "kid", json_string(c->kid));
	json_object_set_new(o, "sub", json_string(c->sub));
	json_object_set_new(o, "com", json_string(c->com));
	if (c->lic[0])
		json_object_set_new(o, "lic", json_string(c->lic));
	json_object_set_new(o, "email", json_string(c->email));
	if (c->name[0])
		json_object_set_new(o, "name", json_string(c->name));
	if (c->com_name[0])
		json_object_set_new(o, "com_name", json_string(c->com_name));
	if (c->cre[0])
		json_object_set_new(o, "cre", json_string(c->cre));
	if (c->reg[0])
		json_object_set_new(o, "reg", json_string(c->reg));
	for (i = 0; i < c->n_teams; i++)
		json_array_append_new(teams, json_string(c->teams[i]));
	json_object_set_new(o, "team", teams);
	json_object_set_new(o, "iat", json_integer(c->iat));
	json_object_set_new(o, "exp", json_integer(c->exp));
	if (c->has_nbf)
		json_object_set_new(o, "nbf", json_integer(c->nbf));
	json_object_set_new(o, "jti", json_string(c->jti));
	json_object_set_new(o, "jti_derived", json_boolean(c->jti_derived));
	return o;
}
