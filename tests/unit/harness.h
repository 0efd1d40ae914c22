/*
 * harness.h - a tiny TAP-style test harness: each check prints one
 * "ok N - ..." or "not ok N - ... (file:line)" line; the program exits 1
 * if any check failed or none ran. A test file defines run_tests().
 */
#ifndef CB_TEST_HARNESS_H
#define CB_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static int t_run, t_failed;

static void run_tests(int argc, char **argv);

#define ok(cond, ...) do { \
	int ok_c_ = (cond) ? 1 : 0; \
	t_run++; \
	printf("%sok %d - ", ok_c_ ? "" : "not ", t_run); \
	printf(__VA_ARGS__); \
	if (!ok_c_) { t_failed++; printf(" (%s:%d)", __FILE__, __LINE__); } \
	printf("\n"); \
} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	ok(g_ == w_, __VA_ARGS__); \
	if (g_ != w_) printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int e_ = g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0; \
	ok(e_, __VA_ARGS__); \
	if (!e_) printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		printf("not ok 1 - sodium_init\n");
		return 1;
	}
	run_tests(argc, argv);
	printf("1..%d\n", t_run);
	if (t_failed > 0 || t_run == 0) {
		printf("# %d of %d checks failed\n", t_failed, t_run);
		return 1;
	}
	printf("# all %d checks passed\n", t_run);
	return 0;
}

/* Reads a whole file into a NUL-terminated heap buffer (or exits).
 * inline: not every test uses it (-Wunused-function). */
static inline char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		printf("not ok - cannot read %s\nBail out!\n", path);
		exit(1);
	}
	p = malloc((size_t)n + 1);
	if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
		printf("Bail out! read %s\n", path);
		exit(1);
	}
	p[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return p;
}

#endif
