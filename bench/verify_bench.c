/*
 * verify_bench.c - the cost of the cryptography and parsing in one click,
 * measured in isolation: the benchmark's second baseline.
 *
 *   bench-verify --token TOKEN --aud SITE_URL --iss ISSUER_ID --key KID
 *                [--seconds S]
 *
 * TOKEN is a real version-1 link token (as `chat-bridge mint` prints it;
 * "@FILE" reads it from the first line of FILE), KID the issuer's Ed25519
 * public key (base64url, as in the [issuer] section). Measures
 *
 *   ed25519_verify  crypto_sign_verify_detached() on the token's signing
 *                   input (header "." payload) and its 64-byte signature;
 *   token_verify    the full token_verify() of the bridge's core (syntax,
 *                   base64url, JSON header and claims, issuer lookup,
 *                   signature, claim checks) - replay is not included,
 *                   it needs the store.
 *
 * Each is run in ROUNDS rounds of about S/ROUNDS seconds of thread CPU
 * time; the median round is reported (and the fastest, for reference), in
 * nanoseconds of CPU per operation. Output: one JSON object on stdout.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "issuer.h"
#include "token.h"
#include "util.h"

#define ROUNDS 7
#define TOKEN_MAX 4096

/* Thread CPU time in nanoseconds. */
static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* qsort order for doubles, ascending. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* What one measured operation needs. */
struct subject {
	const char *tok;
	size_t len;
	size_t signed_len;			/* header "." payload */
	unsigned char sig[crypto_sign_BYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	struct verify_params vp;
	long failures;
};

/* The first subject: one bare Ed25519 verification of the signing input. */
static void
op_ed25519(struct subject *s)
{
	if (crypto_sign_verify_detached(s->sig, (const unsigned char *)s->tok, s->signed_len, s->pk) != 0)
		s->failures++;
}

/* The second subject: the bridge's whole token_verify(). */
static void
op_token_verify(struct subject *s)
{
	struct claims c;

	if (token_verify(s->tok, s->len, &s->vp, &c) != CB_OK)
		s->failures++;
}

/* Runs op in ROUNDS rounds of round_s seconds each (after a calibration
 * round) and stores the median and minimum ns per operation. */
static void
measure(void (*op)(struct subject *), struct subject *s, double round_s, double *median,
    double *best, long *total_ops)
{
	double per[ROUNDS], t0, el;
	long n = 16, i;
	int r;

	/* Calibrate: grow n until one batch takes >= 20 ms. */
	for (;;) {
		t0 = cpu_ns();
		for (i = 0; i < n; i++)
			op(s);
		el = cpu_ns() - t0;
		if (el >= 20e6)
			break;
		n *= 2;
	}
	n = (long)((double)n * (round_s * 1e9) / el) + 1;
	*total_ops = 0;
	for (r = 0; r < ROUNDS; r++) {
		t0 = cpu_ns();
		for (i = 0; i < n; i++)
			op(s);
		per[r] = (cpu_ns() - t0) / (double)n;
		*total_ops += n;
	}
	qsort(per, ROUNDS, sizeof(per[0]), cmp_double);
	*median = per[ROUNDS / 2];
	*best = per[0];
}

/* Prints the usage line; exit status 2. */
static int
usage(void)
{
	fprintf(stderr, "usage: bench-verify --token TOKEN|@FILE --aud SITE_URL --iss ISSUER_ID --key KID "
	    "[--seconds S]\n");
	return 2;
}

/* Parses the arguments, builds a one-issuer registry, checks the token
 * verifies and prints the measurements as JSON. */
int
main(int argc, char **argv)
{
	static char tokbuf[TOKEN_MAX + 2];
	static struct issuer iss;
	struct issuer_registry reg;
	struct subject s;
	struct claims c;
	const char *token = NULL, *aud = NULL, *iss_id = NULL, *kid = NULL, *dot;
	double seconds = 2.0, ed_med, ed_best, tv_med, tv_best;
	long ed_ops, tv_ops;
	size_t n;
	enum cb_err e;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--token") == 0)
			token = argv[i + 1];
		else if (strcmp(argv[i], "--aud") == 0)
			aud = argv[i + 1];
		else if (strcmp(argv[i], "--iss") == 0)
			iss_id = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			kid = argv[i + 1];
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[i + 1]);
		else
			return usage();
	}
	if (i != argc || token == NULL || aud == NULL || iss_id == NULL || kid == NULL || seconds <= 0)
		return usage();
	if (sodium_init() < 0)
		return 1;

	if (token[0] == '@') {
		FILE *f = fopen(token + 1, "r");
		char *got = f != NULL ? fgets(tokbuf, sizeof(tokbuf), f) : NULL;

		if (f != NULL)
			fclose(f);
		if (got == NULL) {
			fprintf(stderr, "bench-verify: cannot read %s\n", token + 1);
			return 1;
		}
		tokbuf[strcspn(tokbuf, "\r\n")] = '\0';
		token = tokbuf;
	}

	/* The registry: one issuer with one Ed25519 key, as the config has it. */
	memset(&iss, 0, sizeof(iss));
	if (str_set(iss.id, sizeof(iss.id), iss_id) != CB_OK ||
	    b64url_decode(kid, strlen(kid), iss.ed25519[0], sizeof(iss.ed25519[0]), &n) != CB_OK ||
	    n != crypto_sign_PUBLICKEYBYTES) {
		fprintf(stderr, "bench-verify: bad --iss or --key\n");
		return 1;
	}
	iss.n_ed25519 = 1;
	reg.v = &iss;
	reg.n = 1;

	memset(&s, 0, sizeof(s));
	s.tok = token;
	s.len = strlen(token);
	memcpy(s.pk, iss.ed25519[0], sizeof(s.pk));
	s.vp.issuers = &reg;
	s.vp.audience = aud;
	s.vp.now = (int64_t)time(NULL);
	s.vp.leeway = 60;

	/* The token must verify, or we would time the failure path. */
	if ((e = token_verify(s.tok, s.len, &s.vp, &c)) != CB_OK || c.origin != CLAIMS_TOKEN_V1) {
		fprintf(stderr, "bench-verify: token does not verify as version 1: %s\n", cb_err_reason(e));
		return 1;
	}
	if ((dot = strrchr(token, '.')) == NULL ||
	    b64url_decode(dot + 1, strlen(dot + 1), s.sig, sizeof(s.sig), &n) != CB_OK ||
	    n != crypto_sign_BYTES) {
		fprintf(stderr, "bench-verify: cannot extract the signature\n");
		return 1;
	}
	s.signed_len = (size_t)(dot - token);

	measure(op_ed25519, &s, seconds / 2 / ROUNDS, &ed_med, &ed_best, &ed_ops);
	measure(op_token_verify, &s, seconds / 2 / ROUNDS, &tv_med, &tv_best, &tv_ops);
	if (s.failures != 0) {
		fprintf(stderr, "bench-verify: %ld verifications failed while timing\n", s.failures);
		return 1;
	}
	printf("{\"token_bytes\": %zu, \"signing_input_bytes\": %zu, \"rounds\": %d,\n"
	    " \"ed25519_verify_ns\": %.0f, \"ed25519_verify_best_ns\": %.0f, \"ed25519_ops\": %ld,\n"
	    " \"token_verify_ns\": %.0f, \"token_verify_best_ns\": %.0f, \"token_verify_ops\": %ld}\n",
	    s.len, s.signed_len, ROUNDS, ed_med, ed_best, ed_ops, tv_med, tv_best, tv_ops);
	return 0;
}
