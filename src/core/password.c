/*
 * password.c - derived login passwords and their PBKDF2 PHC hash
 * (see password.h).
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "password.h"
#include "util.h"

#define CONTEXT_V1 "openthc-chat-bridge/v1/"
#define CONTEXT_V2 "openthc-chat-bridge/v2/"
#define PREFIX "Ob1!"	/* upper, lower, digit, symbol: any policy's classes */

enum cb_err
password_derive(const unsigned char *secret, size_t secret_len, const char *sub,
    enum password_version v, char out[CB_PASSWORD_MAX + 1])
{
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	char b64[CB_B64_LEN(crypto_auth_hmacsha512_BYTES) + 1];
	enum cb_err e = CB_OK;

	out[0] = '\0';
	if (secret == NULL || secret_len == 0)
		return CB_ECONFIG;
	memcpy(out, PREFIX, 4);
	if (v == PASSWORD_V1) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, secret, secret_len);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)CONTEXT_V1,
		    sizeof(CONTEXT_V1) - 1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)sub, strlen(sub));
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
		e = b64url_encode(mac, crypto_auth_hmacsha256_BYTES, out + 4, CB_PASSWORD_MAX + 1 - 4);
	} else if (v == PASSWORD_V2) {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, secret, secret_len);
		crypto_auth_hmacsha512_update(&st, (const unsigned char *)CONTEXT_V2,
		    sizeof(CONTEXT_V2) - 1);
		crypto_auth_hmacsha512_update(&st, (const unsigned char *)sub, strlen(sub));
		crypto_auth_hmacsha512_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
		if ((e = b64url_encode(mac, sizeof(mac), b64, sizeof(b64))) == CB_OK) {
			memcpy(out + 4, b64, PASSWORD_V2_LEN - 4);
			out[PASSWORD_V2_LEN] = '\0';
		}
	} else {
		e = CB_EINTERNAL;
	}
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(b64, sizeof(b64));
	if (e != CB_OK)
		sodium_memzero(out, CB_PASSWORD_MAX + 1);
	return e;
}

enum cb_err
password_bcrypt_salted(const char *pw, unsigned cost, const unsigned char salt[16],
    char out[PASSWORD_PHC_MAX])
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	enum cb_err e = CB_EINTERNAL;

	out[0] = '\0';
	if (strlen(pw) == 0 || strlen(pw) > CB_PASSWORD_MAX)
		return CB_EINTERNAL;
	if (crypt_gensalt_rn("$2b$", cost, (const char *)salt, 16, setting, sizeof(setting)) == NULL)
		return CB_EINTERNAL;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return CB_ENOMEM;
	if (crypt_rn(pw, setting, cd, sizeof(*cd)) != NULL && cd->output[0] == '$' &&
	    str_set(out, PASSWORD_PHC_MAX, cd->output) == CB_OK)
		e = CB_OK;
	sodium_memzero(cd, sizeof(*cd));
	free(cd);
	return e;
}

enum cb_err
password_bcrypt(const char *pw, char out[PASSWORD_PHC_MAX])
{
	unsigned char salt[16];
	enum cb_err e;

	randombytes_buf(salt, sizeof(salt));
	e = password_bcrypt_salted(pw, PASSWORD_BCRYPT_COST, salt, out);
	sodium_memzero(salt, sizeof(salt));
	return e;
}

bool
password_bcrypt_check(const char *pw, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	bool ok;

	if (cd == NULL)
		return false;
	ok = crypt_rn(pw, hash, cd, sizeof(*cd)) != NULL && cd->output[0] == '$' &&
	    strlen(cd->output) == strlen(hash) && sodium_memcmp(cd->output, hash, strlen(hash)) == 0;
	sodium_memzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

void
password_pbkdf2_sha256(const char *pw, size_t pw_len, const unsigned char *salt, size_t salt_len,
    uint32_t iterations, unsigned char *dk, size_t dk_len)
{
	crypto_auth_hmacsha256_state keyed, st;
	unsigned char u[crypto_auth_hmacsha256_BYTES], t[crypto_auth_hmacsha256_BYTES];
	unsigned char ctr[4];
	uint32_t block = 1, it;
	size_t off = 0, take, i;

	/* The keyed state is computed once and copied per HMAC: each
	 * iteration then costs two SHA-256 compressions. */
	crypto_auth_hmacsha256_init(&keyed, (const unsigned char *)pw, pw_len);
	while (off < dk_len) {
		ctr[0] = (unsigned char)(block >> 24);
		ctr[1] = (unsigned char)(block >> 16);
		ctr[2] = (unsigned char)(block >> 8);
		ctr[3] = (unsigned char)block;
		st = keyed;
		crypto_auth_hmacsha256_update(&st, salt, salt_len);
		crypto_auth_hmacsha256_update(&st, ctr, sizeof(ctr));
		crypto_auth_hmacsha256_final(&st, u);
		memcpy(t, u, sizeof(t));
		for (it = 1; it < iterations; it++) {
			st = keyed;
			crypto_auth_hmacsha256_update(&st, u, sizeof(u));
			crypto_auth_hmacsha256_final(&st, u);
			for (i = 0; i < sizeof(t); i++)
				t[i] ^= u[i];
		}
		take = dk_len - off < sizeof(t) ? dk_len - off : sizeof(t);
		memcpy(dk + off, t, take);
		off += take;
		block++;
	}
	sodium_memzero(&keyed, sizeof(keyed));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(u, sizeof(u));
	sodium_memzero(t, sizeof(t));
}

enum cb_err
password_phc_salted(const char *pw, uint32_t iterations, const unsigned char salt[16],
    char out[PASSWORD_PHC_MAX])
{
	unsigned char dk[32];
	char s64[32], h64[48];
	size_t n = strlen(pw);
	int w;

	if (n == 0 || n > CB_PASSWORD_MAX || iterations == 0)
		return CB_EINTERNAL;
	password_pbkdf2_sha256(pw, n, salt, 16, iterations, dk, sizeof(dk));
	/* Go's base64.RawStdEncoding: standard alphabet, no padding. */
	sodium_bin2base64(s64, sizeof(s64), salt, 16, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(h64, sizeof(h64), dk, sizeof(dk), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_memzero(dk, sizeof(dk));
	w = snprintf(out, PASSWORD_PHC_MAX, "$pbkdf2$f=SHA256,w=%u,l=32$%s$%s", iterations, s64, h64);
	if (w < 0 || w >= PASSWORD_PHC_MAX)
		return CB_ETOOBIG;
	return CB_OK;
}

enum cb_err
password_phc(const char *pw, uint32_t iterations, char out[PASSWORD_PHC_MAX])
{
	unsigned char salt[16];

	randombytes_buf(salt, sizeof(salt));
	return password_phc_salted(pw, iterations, salt, out);
}
