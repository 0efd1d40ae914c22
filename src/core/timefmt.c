/*
 * timefmt.c - HTTP and log time formats, an operator's "since" (see
 * timefmt.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

void
timefmt_http(int64_t t, char out[TIMEFMT_HTTP_LEN])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, TIMEFMT_HTTP_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		(void)snprintf(out, TIMEFMT_HTTP_LEN, "Thu, 01 Jan 1970 00:00:00 GMT");
}

void
timefmt_iso_ms(int64_t ts_ms, char out[TIMEFMT_ISO_LEN])
{
	time_t t = (time_t)(ts_ms / 1000);
	struct tm tm;
	char tmp[24];

	if (gmtime_r(&t, &tm) == NULL || strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		tmp[0] = '\0';
	(void)snprintf(out, TIMEFMT_ISO_LEN, "%s.%03dZ", tmp, (int)(ts_ms % 1000));
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe, mp = m > 2 ? m - 3 : m + 9;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * mp + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s as a number; -1 if any is not a digit. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static enum cb_err
parse_date(const char *s, size_t n, int64_t *out_ms)
{
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0;
	bool leap;

	if (n > 0 && s[n - 1] == 'Z')
		n--;
	if ((n != 10 && n != 16 && n != 19) || s[4] != '-' || s[7] != '-')
		return CB_REQ_MALFORMED;
	if ((y = digits(s, 4)) < 1970 || (mo = digits(s + 5, 2)) < 1 || mo > 12 ||
	    (d = digits(s + 8, 2)) < 1 || (unsigned)d > mdays[mo - 1])
		return CB_REQ_MALFORMED;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return CB_REQ_MALFORMED;
	if (n >= 16) {
		if (s[10] != 'T' || s[13] != ':' || (h = digits(s + 11, 2)) < 0 || h > 23 ||
		    (mi = digits(s + 14, 2)) < 0 || mi > 59)
			return CB_REQ_MALFORMED;
		if (n == 19 && (s[16] != ':' || (sec = digits(s + 17, 2)) < 0 || sec > 59))
			return CB_REQ_MALFORMED;
	}
	*out_ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400) + h * 3600 + mi * 60 +
	    sec) * 1000;
	return CB_OK;
}

enum cb_err
timefmt_parse_since(const char *s, int64_t now_ms, int64_t *out_ms)
{
	static const struct {
		char c;
		int64_t ms;
	} units[] = {{'s', 1000}, {'m', 60000}, {'h', 3600000}, {'d', 86400000}, {'w', 604800000}};
	size_t n = strlen(s), i;
	int64_t v = 0, unit = 0;

	*out_ms = 0;
	if (n >= 10 && s[4] == '-')
		return parse_date(s, n, out_ms);
	if (n < 2 || n > 10 || s[0] < '1' || s[0] > '9')
		return CB_REQ_MALFORMED;
	for (i = 0; i + 1 < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return CB_REQ_MALFORMED;
		v = v * 10 + (s[i] - '0');
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].c == s[n - 1])
			unit = units[i].ms;
	if (unit == 0 || v > now_ms / unit)
		return CB_REQ_MALFORMED;	/* before the epoch */
	*out_ms = now_ms - v * unit;
	return CB_OK;
}
