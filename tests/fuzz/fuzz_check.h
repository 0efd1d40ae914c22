/*
 * fuzz_check.h - FUZZ_CHECK(cond): the always-on property check of the
 * fuzz targets. assert() is compiled out where NDEBUG is defined (the
 * corpus replay is built RelWithDebInfo), which would turn every property
 * into a check that cannot fail. On failure this prints the property and
 * aborts: libFuzzer reports a crash, the replay test fails.
 */
#ifndef CB_FUZZ_CHECK_H
#define CB_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
