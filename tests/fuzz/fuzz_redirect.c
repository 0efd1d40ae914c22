/*
 * fuzz_redirect.c - the landing-path grammar. Property: whatever is
 * honoured keeps the Location on the configured origin (a single leading
 * '/', never followed by '/' or '\\', visible ASCII, at most 512 bytes,
 * never under /auth).
 */
#include <stdint.h>
#include <string.h>

#include "bounds.h"
#include "identity.h"
#include "redirect.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *r = (const char *)data;
	char out[CB_LANDING_MAX + 1];
	size_t i;

	if (redirect_ok(r, size)) {
		FUZZ_CHECK(size >= 2 && size <= CB_REDIRECT_MAX);
		FUZZ_CHECK(r[0] == '/' && r[1] != '/' && r[1] != '\\');
		for (i = 0; i < size; i++)
			FUZZ_CHECK(data[i] > 0x20 && data[i] < 0x7f && data[i] != '\\');
		FUZZ_CHECK(!(size >= 5 && memcmp(r, "/auth", 5) == 0 && (size == 5 || r[5] == '/' || r[5] == '?' || r[5] == '#')));
	}
	(void)identity_landing(r, size, "usa-wa", "public", out);
	FUZZ_CHECK(out[0] == '/' && out[1] != '/' && out[1] != '\\');
	return 0;
}
