/*
 * swap.c - the session-swap guard (see swap.h).
 */
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "mmid.h"
#include "swap.h"
#include "util.h"

#define SWAP_CONTEXT "openthc-chat-bridge/swap-confirm/v1"

bool
swap_needed(const char *cookie_header, const char *expected, char current[CB_MMID_LEN + 1])
{
	current[0] = '\0';
	if (cookie_get(cookie_header, "MMUSERID", current, CB_MMID_LEN + 1) != 1 ||
	    !mmid_valid(current, strlen(current))) {
		current[0] = '\0';
		return false;
	}
	return strcmp(current, expected) != 0;
}

void
swap_code(const unsigned char *secret, size_t secret_len, const char *jti, const char *current,
    char out[SWAP_CODE_LEN + 1])
{
	unsigned char key[crypto_auth_hmacsha256_BYTES], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	/* A key of its own, derived from the secret, for this one purpose. */
	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)SWAP_CONTEXT, sizeof(SWAP_CONTEXT) - 1);
	crypto_auth_hmacsha256_final(&st, key);
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)jti, strlen(jti));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)current, strlen(current));
	crypto_auth_hmacsha256_final(&st, mac);
	if (b64url_encode(mac, sizeof(mac), out, SWAP_CODE_LEN + 1) != CB_OK)
		out[0] = '\0';
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(mac, sizeof(mac));
}

bool
swap_code_ok(const unsigned char *secret, size_t secret_len, const char *jti, const char *current,
    const char *given, size_t given_len)
{
	char want[SWAP_CODE_LEN + 1];
	bool ok;

	swap_code(secret, secret_len, jti, current, want);
	ok = given_len == SWAP_CODE_LEN && want[0] != '\0' &&
	    sodium_memcmp(want, given, SWAP_CODE_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
