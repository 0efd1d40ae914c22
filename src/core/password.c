/*
 * password.c - derived login passwords and their PBKDF2 PHC hash
 * (see password.h).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "password.h"
#include "util.h"

#define PASSWORD_CONTEXT "openthc-chat-bridge/v1/"

enum cb_err
password_derive(const unsigned char *secret, size_t secret_len, const char *sub,
    char out[PASSWORD_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	enum cb_err e;

	if (secret == NULL || secret_len == 0)
		return CB_ECONFIG;
	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)PASSWORD_CONTEXT,
	    sizeof(PASSWORD_CONTEXT) - 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sub, strlen(sub));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "Ob1!", 4);
	e = b64url_encode(mac, sizeof(mac), out + 4, PASSWORD_LEN + 1 - 4);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
	return e;
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
