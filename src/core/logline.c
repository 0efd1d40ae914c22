/*
 * logline.c - formatting of log lines (see logline.h). JSON lines are
 * built field by field with buf_add_json; text lines quote every value.
 */
#include <stdio.h>
#include <string.h>

#include "logline.h"
#include "timefmt.h"
#include "util.h"

const char *
attempt_outcome(const struct attempt *a)
{
	return cb_err_outcome(a->reason);
}

/* One field; NULL or "" values are omitted. */
static void
field(struct buf *b, enum log_format f, const char *k, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return;
	if (f == LOG_JSON) {
		buf_printf(b, ",\"%s\":\"", k);
		buf_add_json(b, v, strlen(v));
		buf_addc(b, '"');
	} else {
		buf_printf(b, " %s=\"", k);
		buf_add_json(b, v, strlen(v));
		buf_addc(b, '"');
	}
}

static void
field_num(struct buf *b, enum log_format f, const char *k, long long v)
{
	buf_printf(b, f == LOG_JSON ? ",\"%s\":%lld" : " %s=%lld", k, v);
}

static void
begin(struct buf *b, enum log_format f, int64_t ts_ms, const char *level)
{
	char ts[TIMEFMT_ISO_LEN];

	timefmt_iso_ms(ts_ms, ts);
	if (f == LOG_JSON)
		buf_printf(b, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, level);
	else
		buf_printf(b, "ts=%s level=%s", ts, level);
}

static void
end(struct buf *b, enum log_format f)
{
	buf_adds(b, f == LOG_JSON ? "}\n" : "\n");
}

enum cb_err
logline_attempt(struct buf *b, const struct attempt *a, enum log_format f)
{
	begin(b, f, a->ts_ms, a->status >= 500 ? "error" : "info");
	field(b, f, "event", "attempt");
	field(b, f, "request_id", a->request_id);
	field(b, f, "route", a->route);
	field(b, f, "method", a->method);
	field(b, f, "client", a->client);
	field_num(b, f, "status", a->status);
	field(b, f, "outcome", attempt_outcome(a));
	field(b, f, "reason", cb_err_reason(a->reason));
	field(b, f, "detail", a->detail);
	field(b, f, "via", a->via);
	field(b, f, "iss", a->iss);
	field(b, f, "sub_hash", a->sub_hash);
	field(b, f, "mm_user_id", a->mm_user_id);
	field(b, f, "mode", a->mode);
	if (a->user_created)
		field_num(b, f, "user_created", 1);
	if (a->teams_added)
		field_num(b, f, "teams_added", a->teams_added);
	if (a->profile_synced)
		field_num(b, f, "profile_synced", 1);
	if (a->r_ignored)
		field_num(b, f, "r_ignored", 1);
	field_num(b, f, "latency_us", (long long)a->latency_us);
	field_num(b, f, "upstream_us", (long long)a->upstream_us);
	end(b, f);
	return b->err;
}

enum cb_err
logline_message(struct buf *b, int64_t ts_ms, enum log_level level, const char *msg,
    enum log_format f)
{
	static const char *const names[] = {[LOG_INFO] = "info", [LOG_WARN] = "warn",
		[LOG_ERROR] = "error"};

	begin(b, f, ts_ms, (unsigned)level <= LOG_ERROR ? names[level] : "error");
	field(b, f, "msg", msg);
	end(b, f);
	return b->err;
}
