/*
 * timefmt.h - the two time formats the bridge writes: IMF-fixdate for
 * HTTP (cookie Expires) and ISO 8601 UTC with milliseconds for log lines;
 * and the one it reads, an operator's "since" (a duration back from now,
 * or a UTC date). Pure: the time is given.
 */
#ifndef CB_TIMEFMT_H
#define CB_TIMEFMT_H

#include <stdint.h>

#include "err.h"

#define TIMEFMT_HTTP_LEN 30	/* "Thu, 01 Jan 1970 00:00:00 GMT" + NUL */
#define TIMEFMT_ISO_LEN 32	/* "1970-01-01T00:00:00.000Z" + NUL, rounded up */

/* t (seconds since the epoch) as an IMF-fixdate (RFC 9110 5.6.7). */
void timefmt_http(int64_t t, char out[TIMEFMT_HTTP_LEN]);

/* ts_ms (milliseconds since the epoch) as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void timefmt_iso_ms(int64_t ts_ms, char out[TIMEFMT_ISO_LEN]);

/* An operator's point in time (chat-bridge users list --since), in
 * milliseconds since the epoch: a duration back from now_ms, a positive
 * integer and one unit of s, m, h, d or w ("90m", "7d"); or a UTC date,
 * "YYYY-MM-DD" (its midnight) or "YYYY-MM-DDTHH:MM[:SS][Z]". CB_REQ_MALFORMED
 * for anything else, an impossible date, or a time before the epoch. */
enum cb_err timefmt_parse_since(const char *s, int64_t now_ms, int64_t *out_ms) CB_WUR;

#endif
