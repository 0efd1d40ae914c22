/*
 * fuzz_token.c - token_verify and jws_verify on arbitrary bytes, with the
 * token.md test issuers and a fixed clock. Properties: no crash, no leak;
 * a refusal leaves the claims zeroed; an accepted token has claims that
 * satisfy token.md (ULIDs, lower-case email, jti length).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "issuer.h"
#include "token.h"
#include "util.h"
#include "fuzz_check.h"

static struct issuer iss[2];
static struct issuer_registry reg = {iss, 2};
static unsigned char hs_key[] = "lab.openthc.example-secret";

static void
init(void)
{
	static int done;
	size_t n;

	if (done)
		return;
	done = 1;
	if (sodium_init() < 0)
		abort();
	strcpy(iss[0].id, "01BD3TJX9A4TE4AXA6EZE0ZFNP");
	if (b64url_decode("A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg", 43, iss[0].ed25519[0], 32, &n) != CB_OK)
		abort();
	iss[0].n_ed25519 = 1;
	strcpy(iss[1].id, "01Y2AMN4631CA1YJ6XFPPJD6BN");
	iss[1].hs256[0].p = hs_key;
	iss[1].hs256[0].len = sizeof(hs_key) - 1;
	iss[1].n_hs256 = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_params vp = {&reg, "https://chat.openthc.example.com", 1767225700, 60};
	static const struct claims zero;
	struct claims c;
	enum cb_err e;

	init();
	e = token_verify((const char *)data, size, &vp, &c);
	if (e != CB_OK) {
		FUZZ_CHECK(memcmp(&c, &zero, sizeof(c)) == 0);
	} else {
		size_t i;

		FUZZ_CHECK(is_ulid(c.sub, strlen(c.sub)) && is_ulid(c.com, strlen(c.com)));
		for (i = 0; c.email[i]; i++)
			FUZZ_CHECK(!(c.email[i] >= 'A' && c.email[i] <= 'Z'));
		FUZZ_CHECK(strlen(c.jti) >= 22 && strlen(c.jti) <= 64);
		FUZZ_CHECK(c.exp > c.iat && c.exp - c.iat <= 900);
	}
	if (jws_verify((const char *)data, size, JWS_HS256, hs_key, sizeof(hs_key) - 1) == CB_OK)
		FUZZ_CHECK(size > 0);
	return 0;
}
