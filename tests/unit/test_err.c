/*
 * test_err.c - the err.c table is complete: every enum cb_err value from
 * CB_OK to CB_ERR_COUNT - 1 has its own reason, an HTTP status and a
 * description (err.c falls back to CB_EINTERNAL's row for a value without
 * one, so a forgotten row would otherwise log "internal" unnoticed);
 * reasons are unique snake_case (they are log, audit and metric label
 * values); statuses are registered HTTP statuses that the page module has
 * a page for.
 */
#include "harness.h"
#include "err.h"
#include "page.h"

/* The statuses of RFC 9110 section 15 plus 429 (RFC 6585). */
static int
registered_status(int s)
{
	static const int known[] = {100, 101, 200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303,
		304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
		414, 415, 416, 417, 421, 422, 426, 429, 500, 501, 502, 503, 504, 505};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == s)
			return 1;
	return 0;
}

/* [a-z][a-z0-9]*(_[a-z0-9]+)*: lower-case words joined by single '_'. */
static int
snake_case(const char *r)
{
	size_t i;

	if (r == NULL || !(r[0] >= 'a' && r[0] <= 'z'))
		return 0;
	for (i = 1; r[i] != '\0'; i++) {
		if (r[i] == '_') {
			if (r[i - 1] == '_' || r[i + 1] == '\0')
				return 0;
		} else if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9'))) {
			return 0;
		}
	}
	return 1;
}

static void
test_table(void)
{
	const char *internal = cb_err_reason(CB_EINTERNAL);
	int e, f, bad_reason = 0, dup = 0, bad_status = 0, bad_describe = 0;

	for (e = CB_OK; e < CB_ERR_COUNT; e++) {
		const char *r = cb_err_reason((enum cb_err)e);
		const char *d = cb_err_describe((enum cb_err)e);
		int s = cb_err_status((enum cb_err)e);

		if (!snake_case(r) || (e != CB_EINTERNAL && r == internal)) {
			bad_reason++;
			printf("# value %d: reason %s%s\n", e, r != NULL ? r : "(null)",
			    r == internal ? " (no row of its own: the CB_EINTERNAL fallback)" : " is not snake_case");
		}
		for (f = CB_OK; f < e; f++) {
			const char *o = cb_err_reason((enum cb_err)f);

			if (r != NULL && o != NULL && strcmp(r, o) == 0) {
				dup++;
				printf("# values %d and %d share the reason %s\n", f, e, r);
			}
		}
		if (!registered_status(s) || strcmp(http_status_text(s), "Error") == 0) {
			bad_status++;
			printf("# value %d (%s): status %d is not a registered status with a page\n", e,
			    r != NULL ? r : "(null)", s);
		}
		if (d == NULL || d[0] == '\0' || (e != CB_EINTERNAL && d == cb_err_describe(CB_EINTERNAL))) {
			bad_describe++;
			printf("# value %d (%s): no description of its own\n", e, r != NULL ? r : "(null)");
		}
	}
	is_int(bad_reason, 0, "each of the %d values has a snake_case reason of its own", CB_ERR_COUNT);
	is_int(dup, 0, "reasons are unique");
	is_int(bad_status, 0, "statuses are registered HTTP statuses that page.c has a page for");
	is_int(bad_describe, 0, "each value has a description of its own");
}

static void
test_known(void)
{
	/* A few rows spelled out: the names are an interface (logs, audit
	 * rows, metrics labels, token.md's reason list). */
	is_str(cb_err_reason(CB_OK), "ok", "CB_OK is ok");
	is_int(cb_err_status(CB_OK), 200, "CB_OK answers 200");
	is_str(cb_err_reason(CB_TOK_EXPIRED), "expired", "expired");
	is_int(cb_err_status(CB_TOK_EXPIRED), 401, "expired answers 401");
	is_str(cb_err_reason(CB_TOK_SIGNATURE), "signature_invalid", "signature_invalid");
	is_int(cb_err_status(CB_REQ_RATE_LIMITED), 429, "rate limited answers 429");
	is_int(cb_err_status(CB_STORE_UNAVAILABLE), 503, "store unavailable answers 503");
	is_str(cb_err_reason(CB_ERR_COUNT - 1), "store_unavailable", "the last value has its row");
}

static void
test_out_of_range(void)
{
	/* Values outside the enum (a corrupted or future value) fail closed
	 * as an internal error, never crash or read past the table. */
	is_str(cb_err_reason(CB_ERR_COUNT), "internal", "CB_ERR_COUNT reads as internal");
	is_int(cb_err_status(CB_ERR_COUNT), 500, "CB_ERR_COUNT answers 500");
	is_str(cb_err_reason((enum cb_err)-1), "internal", "-1 reads as internal");
	is_str(cb_err_describe((enum cb_err)1000), cb_err_describe(CB_EINTERNAL), "1000: internal's description");
}

static void
run_tests(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_table();
	test_known();
	test_out_of_range();
}
