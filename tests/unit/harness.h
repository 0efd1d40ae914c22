/*
 * harness.h - a tiny TAP-style test harness: each check prints one
 * "ok N - ..." or "not ok N - ... (file:line)" line; the program exits 1
 * if any check failed or none ran. A test file defines run_tests().
 *
 * Inputs from outside the repository (../shared, Debian's iso-codes) are
 * looked for with have_input(): when one is missing, the checks that need
 * it are skipped with a printed reason, and the program exits 77 (CTest's
 * SKIP_RETURN_CODE) instead of 0 -- but still 1 if any other check failed.
 */
#ifndef CB_TEST_HARNESS_H
#define CB_TEST_HARNESS_H

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define T_EXIT_SKIP 77

static int t_run, t_failed, t_skipped;

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
	if (t_failed > 0 || (t_run == 0 && t_skipped == 0)) {
		printf("# %d of %d checks failed\n", t_failed, t_run);
		return 1;
	}
	if (t_skipped > 0) {
		printf("# all %d checks that ran passed; SKIPPED: %d missing input(s), see above\n",
		    t_run, t_skipped);
		return T_EXIT_SKIP;
	}
	printf("# all %d checks passed\n", t_run);
	return 0;
}

/* Whether the input path (a file or a directory from outside the
 * repository) exists. If not, prints why the checks that need it are
 * skipped (what they test, and how to provide the input) and marks the
 * run as skipped; the caller then skips those checks. A path that exists
 * but cannot be read or parsed is a failure, not a skip. */
static inline int
have_input(const char *path, const char *what, const char *how)
{
	struct stat st;

	if (path == NULL) {
		printf("# SKIP %s: no path given (%s)\n", what, how);
	} else if (stat(path, &st) != 0) {
		printf("# SKIP %s: %s: %s (%s)\n", what, path, strerror(errno), how);
	} else {
		return 1;
	}
	t_skipped++;
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
