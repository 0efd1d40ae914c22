/*
 * timefmt.h - the two time formats the bridge writes: IMF-fixdate for
 * HTTP (cookie Expires) and ISO 8601 UTC with milliseconds for log lines.
 * Pure: the time is given.
 */
#ifndef CB_TIMEFMT_H
#define CB_TIMEFMT_H

#include <stdint.h>

#define TIMEFMT_HTTP_LEN 30	/* "Thu, 01 Jan 1970 00:00:00 GMT" + NUL */
#define TIMEFMT_ISO_LEN 32	/* "1970-01-01T00:00:00.000Z" + NUL, rounded up */

/* t (seconds since the epoch) as an IMF-fixdate (RFC 9110 5.6.7). */
void timefmt_http(int64_t t, char out[TIMEFMT_HTTP_LEN]);

/* ts_ms (milliseconds since the epoch) as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void timefmt_iso_ms(int64_t ts_ms, char out[TIMEFMT_ISO_LEN]);

#endif
