/*
 * fuzz_config.c - the configuration parser on arbitrary text (secret
 * files are not read). Properties: no crash, no leak; a failure always
 * carries a "name:line: reason" message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	char err[1024];

	if (sodium_init() < 0)
		abort();
	if (config_parse((const char *)data, size, "fuzz.conf", "/nonexistent", CONFIG_SKIP_SECRETS, &c, err,
	    sizeof(err)) == CB_OK) {
		FUZZ_CHECK(c != NULL && c->site_url[0] != '\0' && c->issuers.n > 0);
		config_free(c);
	} else {
		FUZZ_CHECK(c == NULL && strncmp(err, "fuzz.conf:", 10) == 0);
	}
	return 0;
}
