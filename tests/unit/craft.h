/*
 * craft.h - builds arbitrary compact JWS tokens for negative tests: the
 * header and payload are given as raw JSON text and signed with the test
 * Ed25519 seed (bytes 0..31, token.md) or an HMAC key.
 */
#ifndef CB_TEST_CRAFT_H
#define CB_TEST_CRAFT_H

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "token.h"
#include "util.h"

#define TEST_KID "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
#define TEST_ISS1 "01BD3TJX9A4TE4AXA6EZE0ZFNP"
#define TEST_ISS0 "01Y2AMN4631CA1YJ6XFPPJD6BN"
#define TEST_AUD "https://chat.openthc.example.com"
#define TEST_HS_SECRET "lab.openthc.example-secret"

static void
test_seed(unsigned char seed[32])
{
	int i;

	for (i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;
}

enum craft_sig { SIG_ED25519, SIG_HS256, SIG_NONE };

/* b64(hdr) "." b64(pay) "." b64(sig) into out; key used for HS256. */
static void
craft(const char *hdr, const char *pay, enum craft_sig how, const unsigned char *key,
    size_t keylen, char *out, size_t cap)
{
	unsigned char seed[32], pk[32], sk[64], sig[64];
	char *p = out;
	size_t n;

	if (b64url_encode((const unsigned char *)hdr, strlen(hdr), p, cap) != CB_OK)
		abort();
	n = strlen(p);
	p[n++] = '.';
	if (b64url_encode((const unsigned char *)pay, strlen(pay), p + n, cap - n) != CB_OK)
		abort();
	n += strlen(p + n);
	if (how == SIG_NONE) {
		p[n++] = '.';
		p[n] = '\0';
		return;
	}
	if (how == SIG_ED25519) {
		test_seed(seed);
		crypto_sign_seed_keypair(pk, sk, seed);
		crypto_sign_detached(sig, NULL, (const unsigned char *)out, n, sk);
		p[n++] = '.';
		if (b64url_encode(sig, 64, p + n, cap - n) != CB_OK)
			abort();
	} else {
		hs256_mac(key, keylen, (const unsigned char *)out, n, sig);
		p[n++] = '.';
		if (b64url_encode(sig, 32, p + n, cap - n) != CB_OK)
			abort();
	}
}

#endif
