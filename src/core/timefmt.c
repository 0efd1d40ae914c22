/*
 * timefmt.c - HTTP and log time formats (see timefmt.h).
 */
#include <stdio.h>
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
