/*
 * mmid.c - Mattermost-shaped identifiers (see mmid.h).
 */
#include <sodium.h>

#include "mmid.h"

static const char alphabet[] = "ybndrfg8ejkmcpqxot1uwisza345h769";

void
mmid_encode(const unsigned char in[16], char out[27])
{
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;

	/* RFC 4648 base32 bit order: big-endian 5-bit groups, the last one
	 * padded with zero bits. 128 bits give 26 characters. */
	for (i = 0; i < 16; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

void
mmid_new_n(char (*out)[27], size_t n)
{
	unsigned char u[MMID_BATCH_MAX * 16];
	size_t i;

	if (n > MMID_BATCH_MAX)
		n = MMID_BATCH_MAX;
	randombytes_buf(u, n * 16);	/* one system call for all of them */
	for (i = 0; i < n; i++) {
		unsigned char *v = u + 16 * i;

		v[6] = (unsigned char)((v[6] & 0x0f) | 0x40);	/* version 4 */
		v[8] = (unsigned char)((v[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
		mmid_encode(v, out[i]);
	}
	sodium_memzero(u, sizeof(u));
}

void
mmid_new(char out[27])
{
	mmid_new_n((char (*)[27])out, 1);
}

bool
mmid_valid(const char *s, size_t n)
{
	size_t i;

	if (n != 26)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}
