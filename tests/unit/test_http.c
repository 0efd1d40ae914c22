/*
 * test_http.c - the request/response side of the core: form parsing,
 * routing with nginx's and Caddy's parameter sets, cookies, pages (escaped,
 * generic), log lines (no secrets), rate limiter, metrics, User-Agent.
 */
#include <jansson.h>

#include "harness.h"
#include "buf.h"
#include "cookie.h"
#include "form.h"
#include "logline.h"
#include "metrics.h"
#include "page.h"
#include "ratelimit.h"
#include "response.h"
#include "route.h"
#include "timefmt.h"
#include "useragent.h"
#include "util.h"

static void
test_form(void)
{
	struct form f;
	const char *v;
	size_t n;

	is_int(form_parse("jwt=a.b.c&r=%2Fpublic%2Fchannels%2Fx", 36, &f), CB_OK, "query parses");
	is_int(form_get(&f, "jwt", &v, &n), 1, "one jwt");
	ok(n == 5 && memcmp(v, "a.b.c", 5) == 0, "jwt value");
	is_int(form_get(&f, "r", &v, &n), 1, "one r");
	ok(n == 18 && memcmp(v, "/public/channels/x", 18) == 0, "r decoded once");
	is_int(form_get(&f, "x", &v, &n), 0, "absent parameter");
	form_free(&f);
	is_int(form_parse("jwt=1&jwt=2", 11, &f), CB_OK, "duplicates parse");
	is_int(form_get(&f, "jwt", &v, &n), 2, "duplicate jwt counted");
	ok(n == 1 && v[0] == '1', "first value returned");
	form_free(&f);
	is_int(form_parse("a=%2", 4, &f), CB_REQ_MALFORMED, "truncated escape");
	form_free(&f);
	is_int(form_parse("a=%zz", 5, &f), CB_REQ_MALFORMED, "bad escape");
	form_free(&f);
	is_int(form_parse("a=1+2%2B3&&b&=c&", 16, &f), CB_OK, "empty pairs and names");
	is_int(form_get(&f, "a", &v, &n), 1, "a");
	ok(n == 5 && memcmp(v, "1 2+3", 5) == 0, "+ is a space, %%2B a plus");
	is_int(form_get(&f, "b", &v, &n), 1, "name without value");
	is_int(n, 0, "empty value");
	is_int(form_get(&f, "", &v, &n), 1, "empty name");
	form_free(&f);
	is_int(form_parse("r=%00x", 6, &f), CB_OK, "NUL decodes");
	ok(form_get(&f, "r", &v, &n) == 1 && n == 2 && v[0] == '\0', "NUL kept with its length");
	form_free(&f);
	{
		char many[400];
		int i;

		many[0] = '\0';
		for (i = 0; i < 33; i++)
			strcat(many, "a=1&");
		is_int(form_parse(many, strlen(many), &f), CB_REQ_TOO_LARGE, "33 fields refused");
		form_free(&f);
	}
	is_int(form_parse("", 0, &f), CB_OK, "empty form");
	is_int(f.n, 0, "no fields");
	form_free(&f);
}

static void
test_route(void)
{
	struct route_params nginx = {"/auth/open", NULL, "/auth/open", "/auth/open?jwt=x"};
	struct route_params caddy = {"", "/auth/open", NULL, "/auth/open?jwt=x"};
	struct route_params p;

	is_int(route_match(&nginx), ROUTE_OPEN, "nginx parameters (SCRIPT_NAME)");
	is_int(route_match(&caddy), ROUTE_OPEN, "Caddy parameters (PATH_INFO)");
	p = (struct route_params){"/auth", "/open", NULL, NULL};
	is_int(route_match(&p), ROUTE_OPEN, "SCRIPT_NAME + PATH_INFO split");
	p = (struct route_params){NULL, NULL, "/auth/ping", NULL};
	is_int(route_match(&p), ROUTE_PING, "DOCUMENT_URI");
	p = (struct route_params){NULL, NULL, NULL, "/auth/metrics?x"};
	is_int(route_match(&p), ROUTE_METRICS, "REQUEST_URI");
	p = (struct route_params){"/auth/ready", "", NULL, NULL};
	is_int(route_match(&p), ROUTE_READY, "ready");
	p = (struct route_params){"/auth/back", NULL, NULL, NULL};
	is_int(route_match(&p), ROUTE_BACK, "back");
	{
		static const char *const no[] = {"/auth/open/", "/auth/open;a", "/AUTH/OPEN", "/auth/open/../x",
			"/auth/openx", "/auth/ope", "/auth", "/", "", "/auth/open%00", "/x/auth/open"};
		size_t i;

		for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			p = (struct route_params){no[i], NULL, NULL, NULL};
			is_int(route_match(&p), ROUTE_NONE, "no route for '%s' (nginx)", no[i]);
			p = (struct route_params){"", no[i], NULL, NULL};
			is_int(route_match(&p), ROUTE_NONE, "no route for '%s' (Caddy)", no[i]);
		}
	}
	p = (struct route_params){"/auth/open", "/x", NULL, NULL};
	is_int(route_match(&p), ROUTE_NONE, "extra PATH_INFO");
	is_str(route_path(ROUTE_OPEN), "/auth/open", "route_path");
}

static void
test_cookie(void)
{
	struct cookie_params p = {"/", NULL, true, 720 * 3600, 1767225600};
	struct session_cookies s;
	char out[COOKIE_VALUE_MAX], d[30];

	timefmt_http(1767225600, d);
	is_str(d, "Thu, 01 Jan 2026 00:00:00 GMT", "IMF-fixdate");
	is_int(cookie_session(&s, "udtwmj9t4bybdjp511zmczcs6c", "mfd9d7zfgjgo7rnqshoittbdzh",
	    "s8gofxdufin4fy6wbxmi89c94y", &p), CB_OK, "session cookies");
	is_str(s.auth, "MMAUTHTOKEN=udtwmj9t4bybdjp511zmczcs6c; Path=/; Expires=Sat, 31 Jan 2026 00:00:00 GMT; "
	    "Max-Age=2592000; HttpOnly; Secure; SameSite=Lax", "MMAUTHTOKEN HttpOnly, Secure, Lax");
	is_str(s.user, "MMUSERID=mfd9d7zfgjgo7rnqshoittbdzh; Path=/; Expires=Sat, 31 Jan 2026 00:00:00 GMT; "
	    "Max-Age=2592000; Secure; SameSite=Lax", "MMUSERID readable");
	is_str(s.csrf, "MMCSRF=s8gofxdufin4fy6wbxmi89c94y; Path=/; Expires=Sat, 31 Jan 2026 00:00:00 GMT; "
	    "Max-Age=2592000; Secure; SameSite=Lax", "MMCSRF readable");
	p = (struct cookie_params){"/chat", "chat.example.com", false, 3600, 0};
	is_int(cookie_build(out, sizeof(out), "MMUSERID", "abc", false, &p), CB_OK, "http site with domain");
	is_str(out, "MMUSERID=abc; Path=/chat; Domain=chat.example.com; Expires=Thu, 01 Jan 1970 01:00:00 GMT; "
	    "Max-Age=3600; SameSite=Lax", "no Secure on http, Domain when configured");
	is_int(cookie_build(out, sizeof(out), "MMUSERID", "a;b", false, &p), CB_EINTERNAL, "value with ';' refused");
	is_int(cookie_build(out, sizeof(out), "MMUSERID", "a\r\nSet-Cookie: x=y", false, &p), CB_EINTERNAL, "CRLF refused");
	is_int(cookie_build(out, sizeof(out), "MMUSERID", "", false, &p), CB_EINTERNAL, "empty value refused");
	p.path = "/x;y";
	is_int(cookie_build(out, sizeof(out), "MMUSERID", "a", false, &p), CB_EINTERNAL, "path with ';' refused");
	p.path = "/";
	p.domain = "evil.example; Secure";
	is_int(cookie_build(out, sizeof(out), "MMUSERID", "a", false, &p), CB_EINTERNAL, "domain injection refused");
	ok(out[0] == '\0', "nothing written on refusal");
	is_int(cookie_build(out, 20, "MMUSERID", "abc", false, &(struct cookie_params){"/", NULL, 0, 1, 0}),
	    CB_ETOOBIG, "truncation detected");
}

static void
test_cookie_get(void)
{
	char v[64];

	is_int(cookie_get("a=1; cb_sso=abc_DEF-9; b=2", "cb_sso", v, sizeof(v)), 1, "found once");
	is_str(v, "abc_DEF-9", "value");
	is_int(cookie_get("cb_sso=x; cb_sso=y", "cb_sso", v, sizeof(v)), 2, "two cookies of the name");
	is_str(v, "", "ambiguous: no value");
	is_int(cookie_get("xcb_sso=1; cb_ssox=2", "cb_sso", v, sizeof(v)), 0, "prefix and suffix do not match");
	is_int(cookie_get("cb_sso=a\"b", "cb_sso", v, sizeof(v)), 1, "odd value counted");
	is_str(v, "", "odd value not copied");
	is_int(cookie_get(NULL, "cb_sso", v, sizeof(v)), 0, "no header");
	is_int(cookie_get("cb_sso=0123456789", "cb_sso", v, 5), 1, "too long");
	is_str(v, "", "too long: not copied");
	is_int(cookie_get(";;  cb_sso=ok ;", "cb_sso", v, sizeof(v)), 1, "spaces and empty pairs");
	is_str(v, "ok", "trimmed");
}

static void
test_pages(void)
{
	struct buf b;
	const char *ct;
	char code[16];
	json_t *j;

	buf_init(&b, 8192);
	is_int(page_error(&b, 401, "abc123", false, &ct), CB_OK, "401 page");
	is_str(ct, "text/html; charset=utf-8", "HTML content type");
	ok(strstr(b.data, "CBO-401") != NULL && strstr(b.data, "abc123") != NULL, "code and reference shown");
	ok(strstr(b.data, "<script") == NULL, "no script");
	buf_reset(&b);
	is_int(page_error(&b, 502, "<script>alert(1)</script>", false, &ct), CB_OK, "hostile request id");
	ok(strstr(b.data, "<script>") == NULL && strstr(b.data, "&lt;script&gt;") != NULL, "escaped");
	buf_reset(&b);
	is_int(page_error(&b, 403, "r1", true, &ct), CB_OK, "JSON page");
	is_str(ct, "application/json", "JSON content type");
	j = json_loads(b.data, 0, NULL);
	ok(j != NULL && !strcmp(json_string_value(json_object_get(j, "error")), "CBO-403") &&
	    json_is_string(json_object_get(j, "message")), "{error, message} JSON");
	json_decref(j);
	buf_reset(&b);
	is_int(page_no_token(&b, "https://x", false, &ct), CB_OK, "no-token page");
	ok(strstr(b.data, "Open Chat") != NULL, "explains Open Chat");
	buf_release(&b);
	page_code(504, code);
	is_str(code, "CBO-504", "code");
	is_str(http_status_text(429), "Too Many Requests", "reason phrase");
	ok(page_wants_json("application/json"), "Accept json");
	ok(!page_wants_json("text/html,application/json;q=0.9"), "browser Accept gets HTML");
	ok(!page_wants_json(NULL), "no Accept");
	buf_init(&b, 100);
	buf_add_html(&b, "a&<>\"'\x01z", 8);
	is_str(b.data, "a&amp;&lt;&gt;&quot;&#39;z", "html escaping drops controls");
	buf_reset(&b);
	buf_add_json(&b, "q\"\\\n\x01\xff\xc3\xa9", 8);
	is_str(b.data, "q\\\"\\\\\\u000a\\u0001\\ufffd\xc3\xa9", "json escaping, invalid UTF-8 replaced");
	buf_reset(&b);
	buf_add_urlenc(&b, "a b/c@d", 7);
	is_str(b.data, "a%20b%2Fc%40d", "url encoding");
	buf_release(&b);
	buf_init(&b, 4);
	ok(buf_adds(&b, "abcd") == CB_OK && buf_adds(&b, "e") == CB_ETOOBIG && b.err == CB_ETOOBIG &&
	    buf_adds(&b, "") == CB_ETOOBIG, "bounded buffer refuses past max, sticky error");
	is_str(buf_str(&b), "abcd", "content kept");
	buf_release(&b);
}

static void
test_logline(void)
{
	struct attempt a;
	struct buf b;
	json_t *j;

	memset(&a, 0, sizeof(a));
	a.ts_ms = 1767225600123;
	a.request_id = "r1";
	a.route = "/auth/open";
	a.method = "GET";
	a.status = 401;
	a.reason = CB_TOK_EXPIRED;
	a.iss = "01BD3TJX9A4TE4AXA6EZE0ZFNP";
	a.sub = "0165B6QY0F4TGXCTDRS8ZCM0V4";
	a.latency_us = 1234;
	a.upstream_us = 1000;
	a.client = "127.0.0.1";
	buf_init(&b, 4096);
	is_int(logline_attempt(&b, &a, LOG_JSON), CB_OK, "JSON attempt line");
	ok(b.len > 0 && b.data[b.len - 1] == '\n' && memchr(b.data, '\n', b.len - 1) == NULL, "exactly one line");
	j = json_loads(b.data, 0, NULL);
	ok(j != NULL, "valid JSON");
	is_str(json_string_value(json_object_get(j, "outcome")), "refused", "outcome");
	is_str(json_string_value(json_object_get(j, "reason")), "expired", "reason");
	is_str(json_string_value(json_object_get(j, "ts")), "2026-01-01T00:00:00.123Z", "timestamp");
	ok(strlen(json_string_value(json_object_get(j, "sub_hash"))) == 16, "subject hashed");
	ok(json_integer_value(json_object_get(j, "latency_us")) == 1234 &&
	    json_integer_value(json_object_get(j, "upstream_us")) == 1000, "latency and upstream wait");
	ok(strstr(b.data, "0165B6QY0F4TGXCTDRS8ZCM0V4") == NULL, "raw subject not logged");
	json_decref(j);
	buf_reset(&b);
	a.detail = "x\"\n{";
	is_int(logline_attempt(&b, &a, LOG_TEXT), CB_OK, "text line");
	ok(strstr(b.data, "reason=\"expired\"") != NULL && strstr(b.data, "detail=\"x\\\"\\u000a{\"") != NULL,
	    "text line quotes and escapes values");
	buf_reset(&b);
	a.status = 502;
	a.reason = CB_MM_UNREACHABLE;
	is_str(attempt_outcome(&a), "error", "5xx outcome is error");
	a.reason = CB_OK;
	is_str(attempt_outcome(&a), "ok", "ok outcome");
	buf_release(&b);
}

static void
test_ratelimit(void)
{
	struct ratelimit *rl = ratelimit_new(64);
	unsigned ra = 0;
	int i, allowed = 0;
	char key[32];

	ok(rl != NULL, "limiter");
	for (i = 0; i < 61; i++)
		allowed += ratelimit_take(rl, "10.0.0.1", 1000, 60, &ra);
	is_int(allowed, 60, "60 per minute allowed in a burst");
	ok(!ratelimit_take(rl, "10.0.0.1", 1000, 60, &ra) && ra == 1, "61st refused, Retry-After 1 s (got %u)", ra);
	ok(ratelimit_take(rl, "10.0.0.2", 1000, 60, &ra), "another address is independent");
	ok(ratelimit_take(rl, "10.0.0.1", 2000, 60, &ra), "one token back after one second");
	ok(!ratelimit_take(rl, "10.0.0.1", 2000, 60, &ra), "and only one");
	/* Thousands of addresses: memory stays what it was. */
	{
		size_t before = ratelimit_memory(rl);

		for (i = 0; i < 100000; i++) {
			snprintf(key, sizeof(key), "198.51.%d.%d", i / 256, i % 256);
			(void)ratelimit_take(rl, key, 3000 + i, 60, &ra);
		}
		is_int(ratelimit_memory(rl), before, "memory bounded with 100000 addresses (%zu bytes)", before);
	}
	ratelimit_free(rl);
	rl = ratelimit_new(16);
	ok(ratelimit_take(rl, "a", 0, 1, &ra) && !ratelimit_take(rl, "a", 0, 1, &ra) && ra == 60,
	    "1 per minute: Retry-After 60 (got %u)", ra);
	ok(ratelimit_take(rl, "a", 60000, 1, &ra), "refilled after a minute");
	/* A reload that raises the rate takes effect for an existing bucket. */
	ok(ratelimit_take(rl, "a", 61000, 120, &ra), "new rate: two per second");
	ratelimit_free(rl);
}

static void
test_metrics(void)
{
	struct metrics *m = metrics_new();
	struct buf b;
	const char *line, *end;
	size_t lines = 0, labelled = 0;

	metrics_attempt(m, CB_OK);
	metrics_attempt(m, CB_OK);
	metrics_attempt(m, CB_TOK_EXPIRED);
	metrics_attempt(m, CB_MM_TIMEOUT);
	metrics_observe(m, MH_CLICK, 700);
	metrics_observe(m, MH_CLICK, 20000000);
	metrics_observe(m, MH_MM, 3000);
	buf_init(&b, 65536);
	is_int(metrics_render(m, "bridge-1", &b), CB_OK, "render");
	ok(strstr(b.data, "chat_bridge_attempts_total{instance=\"bridge-1\",outcome=\"ok\",reason=\"ok\"} 2\n") != NULL, "ok counter");
	ok(strstr(b.data, "chat_bridge_attempts_total{instance=\"bridge-1\",outcome=\"refused\",reason=\"expired\"} 1\n") != NULL, "refused counter");
	ok(strstr(b.data, "chat_bridge_attempts_total{instance=\"bridge-1\",outcome=\"error\",reason=\"mm_timeout\"} 1\n") != NULL, "error counter");
	ok(strstr(b.data, "chat_bridge_config_reloads_total{instance=\"bridge-1\",result=\"ok\"} 0\n") != NULL, "reloads");
	ok(strstr(b.data, "chat_bridge_click_seconds_bucket{instance=\"bridge-1\",le=\"0.0001\"} 0\n") != NULL, "first bucket empty");
	ok(strstr(b.data, "chat_bridge_click_seconds_bucket{instance=\"bridge-1\",le=\"0.0005\"} 0\n") != NULL, "bucket below 700 us empty");
	ok(strstr(b.data, "chat_bridge_click_seconds_bucket{instance=\"bridge-1\",le=\"0.001\"} 1\n") != NULL, "cumulative bucket");
	ok(strstr(b.data, "chat_bridge_click_seconds_bucket{instance=\"bridge-1\",le=\"+Inf\"} 2\n") != NULL, "+Inf bucket");
	ok(strstr(b.data, "chat_bridge_click_seconds_count{instance=\"bridge-1\"} 2\n") != NULL, "count");
	ok(strstr(b.data, "chat_bridge_click_seconds_sum{instance=\"bridge-1\"} 20.000700\n") != NULL, "sum");
	ok(strstr(b.data, "# TYPE chat_bridge_mattermost_request_seconds histogram\n") != NULL, "mm histogram");
	ok(strstr(b.data, "# TYPE chat_bridge_store_seconds histogram\n") != NULL, "store histogram");
	ok(strstr(b.data, "# TYPE chat_bridge_click_own_seconds histogram\n") != NULL, "own-time histogram");
	/* Every sample line carries the label, first. */
	for (line = b.data; *line != '\0'; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			break;
		if (*line == '#')
			continue;
		lines++;
		if (strstr(line, "{instance=\"bridge-1\"") != NULL && strstr(line, "{instance=\"bridge-1\"") < end)
			labelled++;
	}
	ok(lines > 100 && labelled == lines, "every sample labelled (%zu of %zu)", labelled, lines);
	buf_release(&b);
	/* The value is escaped as the text format requires. */
	buf_init(&b, 65536);
	is_int(metrics_render(m, "a\"b\\c\nd", &b), CB_OK, "render an odd instance");
	ok(strstr(b.data, "chat_bridge_click_seconds_count{instance=\"a\\\"b\\\\c\\nd\"} 2\n") != NULL,
	    "quote, backslash and line feed escaped");
	buf_release(&b);
	metrics_free(m);
}

static void
test_useragent(void)
{
	struct ua_info u;
	char s[CB_USER_AGENT_MAX + 1], big[2000];

	ua_parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36", &u);
	ok(!strcmp(u.platform, "Linux") && !strcmp(u.os, "Linux") && !strcmp(u.browser, "Chrome/134.0") && !u.mobile,
	    "Chrome on Linux (%s/%s/%s)", u.platform, u.os, u.browser);
	ua_parse("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1", &u);
	ok(!strcmp(u.platform, "iPhone") && u.mobile && !strcmp(u.browser, "Safari/17.0"), "iPhone Safari");
	ua_parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", &u);
	ok(!strcmp(u.os, "Windows") && !strcmp(u.browser, "Firefox/128.0"), "Firefox on Windows");
	ua_parse(NULL, &u);
	ok(!strcmp(u.browser, "Unknown"), "no User-Agent");
	ua_sanitize("a\r\nb\x01" "c\xc3\xa9", s);
	is_str(s, "abc", "sanitised: controls and non-ASCII removed");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ua_sanitize(big, s);
	is_int(strlen(s), CB_USER_AGENT_MAX, "cut at the maximum");
}

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_response(void)
{
	struct cookie_params cp = {"/", NULL, true, 3600, 1767225600};
	struct response rs;
	struct buf out;
	const char *o;

	response_init(&rs);
	rs.status = 302;
	(void)str_set(rs.location, sizeof(rs.location), "https://chat.example/public/channels/x");
	is_int(cookie_session(&rs.session, "udtwmj9t4bybdjp511zmczcs6c", "mfd9d7zfgjgo7rnqshoittbdzh",
	    "c7k1xo5f8pgqdr3cjwy5x4bmoo", &cp), CB_OK, "session cookies");
	rs.has_session = true;
	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	is_int(response_render(&rs, "0123456789abcdef", false, &out), CB_OK, "render a redirect");
	o = buf_str(&out);
	ok(starts(o, "Status: 302 Found\r\nLocation: https://chat.example/public/channels/x\r\n"),
	    "status line then Location");
	ok(strstr(o, "Set-Cookie: MMAUTHTOKEN=udtwmj9t4bybdjp511zmczcs6c;") < strstr(o, "Set-Cookie: MMUSERID=") &&
	    strstr(o, "Set-Cookie: MMUSERID=") < strstr(o, "Set-Cookie: MMCSRF=") &&
	    strstr(o, "Set-Cookie: MMAUTHTOKEN=") != NULL, "the three cookies in Mattermost's order");
	ok(strstr(o, "Cache-Control: no-store\r\n") && strstr(o, "Referrer-Policy: no-referrer\r\n") &&
	    strstr(o, "X-Frame-Options: DENY\r\n") && strstr(o, "Content-Security-Policy: default-src 'none'"),
	    "security headers");
	ok(strstr(o, "X-Request-Id: 0123456789abcdef\r\n") != NULL, "request id header");
	ok(strstr(o, "Content-Length: 0\r\n\r\n") != NULL && o[out.len - 1] == '\n', "empty body, header end");
	ok(strstr(o, "Retry-After") == NULL && strstr(o, "Allow:") == NULL, "no Retry-After or Allow");
	buf_release(&out);

	/* A Location with a control byte never goes out: a 500 page instead. */
	(void)str_set(rs.location, sizeof(rs.location), "https://chat.example/\r\nSet-Cookie: x=y");
	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	is_int(response_render(&rs, "r1", false, &out), CB_EINTERNAL, "bad Location reported");
	o = buf_str(&out);
	ok(starts(o, "Status: 500 Internal Server Error\r\n"), "becomes 500");
	ok(strstr(o, "Location") == NULL && strstr(o, "Set-Cookie") == NULL && strstr(o, "x=y") == NULL,
	    "no Location, no cookies, nothing injected");
	ok(strstr(o, "CBO-500") != NULL, "the generic 500 page");
	buf_release(&out);
	response_release(&rs);

	/* The generic page keeps Retry-After and Allow, drops the rest. */
	response_init(&rs);
	rs.retry_after = 7;
	rs.n_extra_cookies = 1;
	(void)str_set(rs.extra_cookies[0], COOKIE_VALUE_MAX, "cb_sso=x; Path=/auth/");
	is_int(response_error(&rs, CB_REQ_RATE_LIMITED, "r2", true), CB_OK, "error page");
	is_int(rs.status, 429, "status from the reason");
	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	is_int(response_render(&rs, "r2", true, &out), CB_OK, "render HEAD");
	o = buf_str(&out);
	ok(strstr(o, "Retry-After: 7\r\n") != NULL, "Retry-After kept");
	ok(strstr(o, "Set-Cookie") == NULL, "extra cookies dropped");
	ok(strstr(o, "Content-Type: application/json\r\n") != NULL, "JSON page");
	ok(strstr(o, "\r\n\r\n") != NULL && strstr(o, "\r\n\r\n")[4] == '\0' &&
	    strstr(o, "Content-Length: 0\r\n") == NULL, "HEAD: length of the page, no body");
	buf_release(&out);
	response_release(&rs);
	response_init(&rs);
	rs.allow = "GET, HEAD";
	is_int(response_error(&rs, CB_REQ_METHOD, "r3", false), CB_OK, "405 page");
	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	is_int(response_render(&rs, "r3", false, &out), CB_OK, "render 405");
	ok(strstr(buf_str(&out), "Allow: GET, HEAD\r\n") != NULL, "Allow kept");
	ok(strstr(buf_str(&out), "<!DOCTYPE html>") != NULL, "HTML body");
	buf_release(&out);
	response_release(&rs);
}

static void
run_tests(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_form();
	test_route();
	test_cookie();
	test_cookie_get();
	test_pages();
	test_logline();
	test_ratelimit();
	test_metrics();
	test_useragent();
	test_response();
}
