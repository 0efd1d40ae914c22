/*
 * mint.c - minting chat link tokens (see mint.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "buf.h"
#include "claims.h"
#include "mint.h"
#include "util.h"

static int
set_opt(json_t *o, const char *k, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return 0;
	return json_object_set_new(o, k, json_string(v));
}

/* True if the optional string v is absent or valid for f. */
static bool
opt_ok(enum claim_field f, const char *v)
{
	return v == NULL || v[0] == '\0' || claims_valid(f, v, strlen(v));
}

static enum cb_err
check_params(const struct mint_params *p)
{
	size_t i;

	if (p->alg == JWS_EDDSA && p->seed == NULL)
		return CB_TOK_ALG;
	if (p->alg == JWS_HS256 && (p->secret == NULL || p->secret_len == 0))
		return CB_TOK_ALG;
	if (p->iss == NULL || p->iss[0] == '\0' || strlen(p->iss) > CB_ISSUER_ID_MAX)
		return CB_TOK_ISSUER;
	if (p->aud == NULL || p->aud[0] == '\0')
		return CB_TOK_AUDIENCE;
	if (p->sub == NULL || !claims_valid(CLAIM_SUB, p->sub, strlen(p->sub)) ||
	    p->com == NULL || !claims_valid(CLAIM_COM, p->com, strlen(p->com)) ||
	    p->email == NULL || !claims_valid(CLAIM_EMAIL, p->email, strlen(p->email)) ||
	    !opt_ok(CLAIM_LIC, p->lic) || !opt_ok(CLAIM_NAME, p->name) ||
	    !opt_ok(CLAIM_COM_NAME, p->com_name) || !opt_ok(CLAIM_CRE, p->cre) ||
	    !opt_ok(CLAIM_REG, p->reg) || !opt_ok(CLAIM_JTI, p->jti) ||
	    p->n_teams > CB_TOKEN_TEAMS_MAX)
		return CB_TOK_CLAIM;
	for (i = 0; i < p->n_teams; i++)
		if (!is_team_name(p->teams[i], strlen(p->teams[i])))
			return CB_TOK_CLAIM;
	if (p->ttl <= 0 || p->ttl > (p->alg == JWS_EDDSA ? CB_LIFETIME_V1 : CB_LIFETIME_V0) ||
	    p->iat < 0 || p->iat > CB_JSON_INT_MAX - p->ttl)
		return CB_TOK_LIFETIME;
	return CB_OK;
}

static json_t *
build_payload(const struct mint_params *p, const char *jti)
{
	json_t *o = json_object(), *teams;
	char email[CB_EMAIL_MAX + 1];
	size_t i;
	int rc = 0;

	if (o == NULL || claims_email(p->email, strlen(p->email), email) != CB_OK) {
		json_decref(o);
		return NULL;
	}
	if (p->alg == JWS_EDDSA)
		rc |= json_object_set_new(o, "ver", json_integer(1));
	rc |= json_object_set_new(o, "intent", json_string("chat-open"));
	rc |= json_object_set_new(o, "iss", json_string(p->iss));
	rc |= json_object_set_new(o, "aud", json_string(p->aud));
	rc |= json_object_set_new(o, "sub", json_string(p->sub));
	rc |= json_object_set_new(o, "com", json_string(p->com));
	rc |= set_opt(o, "lic", p->lic);
	rc |= json_object_set_new(o, "email", json_string(email));
	rc |= set_opt(o, "name", p->name);
	rc |= set_opt(o, "com_name", p->com_name);
	rc |= set_opt(o, "reg", p->reg);
	rc |= set_opt(o, "cre", p->cre);
	if (p->n_teams > 0) {
		teams = json_array();
		for (i = 0; i < p->n_teams; i++)
			rc |= json_array_append_new(teams, json_string(p->teams[i]));
		rc |= json_object_set_new(o, "team", teams);
	}
	rc |= json_object_set_new(o, "iat", json_integer(p->iat));
	if (p->alg == JWS_HS256)	/* OpenTHC\JWT always writes nbf = iat */
		rc |= json_object_set_new(o, "nbf", json_integer(p->iat));
	rc |= json_object_set_new(o, "exp", json_integer(p->iat + p->ttl));
	rc |= json_object_set_new(o, "jti", json_string(jti));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Appends base64url(s[0..n)) to b. */
static enum cb_err
add_b64(struct buf *b, const void *s, size_t n)
{
	char tmp[CB_TOKEN_MAX + 4];

	if (b64url_encode(s, n, tmp, sizeof(tmp)) != CB_OK)
		return b->err = CB_ETOOBIG;
	return buf_adds(b, tmp);
}

enum cb_err
mint_token(const struct mint_params *p, char *out, size_t cap)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char sig[crypto_sign_BYTES], rnd[32];
	char kid[CB_ED25519_B64_LEN + 1], jti[CB_JTI_MAX + 1];
	json_t *hdr = NULL, *pay = NULL;
	char *hs = NULL, *ps = NULL;
	struct buf b;
	enum cb_err e;

	buf_init(&b, CB_TOKEN_MAX);
	if ((e = check_params(p)) != CB_OK)
		goto out;
	if (p->jti != NULL) {
		if ((e = str_set(jti, sizeof(jti), p->jti)) != CB_OK)
			goto out;
	} else {
		randombytes_buf(rnd, sizeof(rnd));
		if ((e = b64url_encode(rnd, sizeof(rnd), jti, sizeof(jti))) != CB_OK)
			goto out;
	}
	if (p->alg == JWS_EDDSA) {
		crypto_sign_seed_keypair(pk, sk, p->seed);
		if ((e = b64url_encode(pk, sizeof(pk), kid, sizeof(kid))) != CB_OK)
			goto out;
		hdr = json_pack("{s:s, s:s, s:s}", "typ", "JWT", "alg", "EdDSA", "kid", kid);
	} else {
		hdr = json_pack("{s:s, s:s}", "typ", "JWT", "alg", "HS256");
	}
	pay = build_payload(p, jti);
	e = CB_ENOMEM;
	if (hdr == NULL || pay == NULL ||
	    (hs = json_dumps(hdr, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL ||
	    (ps = json_dumps(pay, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		goto out;
	add_b64(&b, hs, strlen(hs));
	buf_addc(&b, '.');
	add_b64(&b, ps, strlen(ps));
	if ((e = b.err) != CB_OK)
		goto out;
	if (p->alg == JWS_EDDSA) {
		crypto_sign_detached(sig, NULL, (const unsigned char *)b.data, b.len, sk);
		buf_addc(&b, '.');
		add_b64(&b, sig, crypto_sign_BYTES);
	} else {
		hs256_mac(p->secret, p->secret_len, (const unsigned char *)b.data, b.len, sig);
		buf_addc(&b, '.');
		add_b64(&b, sig, crypto_auth_hmacsha256_BYTES);
	}
	if ((e = b.err) != CB_OK)
		goto out;
	e = str_copy(out, cap, b.data, b.len);
out:
	sodium_memzero(sk, sizeof(sk));
	free(hs);
	free(ps);
	json_decref(hdr);
	json_decref(pay);
	buf_release(&b);
	return e;
}
