/*
 * fuzz_form.c - the query/form parser. Properties: every field lies
 * inside the parser's storage, decoded lengths never exceed the input,
 * the field count never exceeds the limit.
 */
#include <stdint.h>
#include <string.h>

#include "form.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	const char *v;
	size_t n, i, total = 0;

	if (form_parse((const char *)data, size, &f) == CB_OK) {
		FUZZ_CHECK(f.n <= CB_FORM_FIELDS_MAX);
		for (i = 0; i < f.n; i++) {
			FUZZ_CHECK(f.f[i].name >= f.storage && f.f[i].name + f.f[i].name_len <= f.storage + f.storage_cap);
			FUZZ_CHECK(f.f[i].value >= f.storage && f.f[i].value + f.f[i].value_len <= f.storage + f.storage_cap);
			total += f.f[i].name_len + f.f[i].value_len;
		}
		FUZZ_CHECK(total <= size);
		if (form_get(&f, "jwt", &v, &n) > 0)
			FUZZ_CHECK(n <= size);
	}
	form_free(&f);
	return 0;
}
