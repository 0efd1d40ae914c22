/*
 * test_http.c - the request/response side of the core: form parsing,
 * routing with nginx's and Caddy's parameter sets, cookies, pages (escaped,
 * generic, in three languages; the session-swap form), log lines (no
 * secrets), rate limiter, metrics, User-Agent, the response writer.
 */
#include <malloc.h>

#include <jansson.h>

#include "harness.h"
#include "buf.h"
#include "cookie.h"
#include "form.h"
#include "lang.h"
#include "logline.h"
#include "metrics.h"
#include "msg.h"
#include "page.h"
#include "ratelimit.h"
#include "response.h"
#include "route.h"
#include "swap.h"
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
	/* nginx rewrites "/" to /auth/welcome: REQUEST_URI stays "/". */
	p = (struct route_params){"/auth/welcome", NULL, "/auth/welcome", "/"};
	is_int(route_match(&p), ROUTE_WELCOME, "welcome (nginx, after the rewrite of /)");
	p = (struct route_params){"", "/auth/welcome", NULL, "/"};
	is_int(route_match(&p), ROUTE_WELCOME, "welcome (Caddy, after the rewrite of /)");
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
	struct cookie_params p = {"/", NULL, true, false, 720 * 3600, 1767225600};
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
	/* Embedded in another site's page (MMEMBED=1), like Mattermost's own. */
	p.embedded = cookie_embedded("a=b; MMEMBED=1");
	ok(p.embedded && !cookie_embedded("MMEMBED=0") && !cookie_embedded(NULL), "MMEMBED=1 seen");
	is_int(cookie_build(out, sizeof(out), "MMCSRF", "abc", false, &p), CB_OK, "embedded");
	ok(strstr(out, "; Secure; SameSite=None") != NULL, "SameSite=None with Secure (%s)", out);
	p = (struct cookie_params){"/chat", "chat.example.com", false, true, 3600, 0};
	is_int(cookie_build(out, sizeof(out), "MMCSRF", "abc", false, &p), CB_OK, "embedded, http");
	ok(strstr(out, "SameSite=Lax") != NULL, "no SameSite=None without Secure: browsers drop it");
	p = (struct cookie_params){"/chat", "chat.example.com", false, false, 3600, 0};
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
	is_int(cookie_build(out, 20, "MMUSERID", "abc", false, &(struct cookie_params){"/", NULL, false, false, 1, 0}),
	    CB_ETOOBIG, "truncation detected");
}

static void
test_sso_state_cookie(void)
{
	char out[COOKIE_VALUE_MAX];

	is_int(cookie_sso_state(out, sizeof(out), "abc", true, "/chat", 600, 1767225600), CB_OK,
	    "https state cookie");
	ok(strncmp(out, "__Host-cb_sso=abc; Path=/; Expires=", 35) == 0, "__Host- prefix, Path=/ (%s)", out);
	ok(strstr(out, "; HttpOnly; Secure; SameSite=Lax") != NULL && strstr(out, "Domain") == NULL,
	    "HttpOnly, Secure, no Domain");
	is_int(cookie_sso_state(out, sizeof(out), "abc", false, "/chat", 600, 1767225600), CB_OK,
	    "http state cookie");
	ok(strncmp(out, "cb_sso=abc; Path=/chat/auth/;", 29) == 0 && strstr(out, "Secure") == NULL,
	    "plain http: no prefix (browsers would refuse it), the /auth/ path (%s)", out);
	is_str(cookie_sso_state_name(true), "__Host-cb_sso", "name on https");
	is_str(cookie_sso_state_name(false), "cb_sso", "name on http");
}

static void
test_swap_guard(void)
{
	static const unsigned char secret[] = "the-mattermost-bot-token-0123456789";
	char cur[CB_MMID_LEN + 1], code[SWAP_CODE_LEN + 1], other[SWAP_CODE_LEN + 1];

	ok(!swap_needed(NULL, "", cur) && cur[0] == '\0', "no cookie: nothing to guard");
	ok(!swap_needed("MMAUTHTOKEN=x", "", cur), "no MMUSERID");
	ok(swap_needed("MMUSERID=mfd9d7zfgjgo7rnqshoittbdzh", "", cur), "signed in, new account");
	is_str(cur, "mfd9d7zfgjgo7rnqshoittbdzh", "the current user");
	ok(!swap_needed("a=b; MMUSERID=mfd9d7zfgjgo7rnqshoittbdzh", "mfd9d7zfgjgo7rnqshoittbdzh", cur),
	    "the same user: straight through");
	ok(swap_needed("MMUSERID=mfd9d7zfgjgo7rnqshoittbdzh", "udtwmj9t4bybdjp511zmczcs6c", cur),
	    "another user: ask");
	ok(!swap_needed("MMUSERID=a; MMUSERID=mfd9d7zfgjgo7rnqshoittbdzh", "x", cur), "two MMUSERID: ignored");
	ok(!swap_needed("MMUSERID=not-an-id", "x", cur), "not an id: ignored");
	swap_code(secret, sizeof(secret) - 1, "jti-0123456789012345678901", "mfd9d7zfgjgo7rnqshoittbdzh", code);
	is_int(strlen(code), SWAP_CODE_LEN, "43-character code");
	ok(swap_code_ok(secret, sizeof(secret) - 1, "jti-0123456789012345678901", "mfd9d7zfgjgo7rnqshoittbdzh",
	    code, strlen(code)), "the code confirms");
	ok(!swap_code_ok(secret, sizeof(secret) - 1, "jti-0123456789012345678902", "mfd9d7zfgjgo7rnqshoittbdzh",
	    code, strlen(code)), "not for another token");
	ok(!swap_code_ok(secret, sizeof(secret) - 1, "jti-0123456789012345678901", "udtwmj9t4bybdjp511zmczcs6c",
	    code, strlen(code)), "not for another signed-in user");
	ok(!swap_code_ok((const unsigned char *)"another-secret", 14, "jti-0123456789012345678901",
	    "mfd9d7zfgjgo7rnqshoittbdzh", code, strlen(code)), "not under another key");
	ok(!swap_code_ok(secret, sizeof(secret) - 1, "jti-0123456789012345678901", "mfd9d7zfgjgo7rnqshoittbdzh",
	    code, 42), "not cut short");
	swap_code(secret, sizeof(secret) - 1, "jti-0123456789012345678901", "mfd9d7zfgjgo7rnqshoittbdzh", other);
	is_str(other, code, "deterministic: every bridge host computes the same");
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
	is_int(page_error(&b, 401, LANG_EN, "abc123", false, &ct), CB_OK, "401 page");
	is_str(ct, "text/html; charset=utf-8", "HTML content type");
	ok(strstr(b.data, "CBO-401") != NULL && strstr(b.data, "abc123") != NULL, "code and reference shown");
	ok(strstr(b.data, "<script") == NULL, "no script");
	buf_reset(&b);
	is_int(page_error(&b, 502, LANG_EN, "<script>alert(1)</script>", false, &ct), CB_OK, "hostile request id");
	ok(strstr(b.data, "<script>") == NULL && strstr(b.data, "&lt;script&gt;") != NULL, "escaped");
	buf_reset(&b);
	is_int(page_error(&b, 403, LANG_EN, "r1", true, &ct), CB_OK, "JSON page");
	is_str(ct, "application/json", "JSON content type");
	j = json_loads(b.data, 0, NULL);
	ok(j != NULL && !strcmp(json_string_value(json_object_get(j, "error")), "CBO-403") &&
	    json_is_string(json_object_get(j, "message")), "{error, message} JSON");
	json_decref(j);
	buf_reset(&b);
	is_int(page_no_token(&b, LANG_EN, "https://x", false, &ct), CB_OK, "no-token page");
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

/* Occurrences of needle in hay. */
static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static void
test_page_languages(void)
{
	static const struct {
		enum lang lang;
		const char *html_lang, *title_401, *code_label, *welcome_button, *no_token_title;
	} want[] = {
		{LANG_EN, "<html lang=\"en\">", "This chat link has expired or was already used", "Code:",
		    "Open Chat", "Open Chat from your OpenTHC app"},
		{LANG_ES, "<html lang=\"es-419\">", "Este enlace al chat expiró o ya fue usado", "Código:",
		    "Abrir el chat", "Abre el chat desde tu aplicación de OpenTHC"},
		{LANG_PT, "<html lang=\"pt-BR\">", "Este link do chat expirou ou já foi usado", "Código:",
		    "Abrir o chat", "Abra o chat pelo seu aplicativo OpenTHC"},
	};
	static const int statuses[] = {400, 401, 403, 404, 405, 413, 414, 429, 500, 502, 503, 504};
	struct buf b;
	const char *ct;
	json_t *j;
	size_t i, k;

	buf_init(&b, 16384);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		enum lang l = want[i].lang;
		char title[256];

		buf_reset(&b);
		is_int(page_error(&b, 401, l, "abc123", false, &ct), CB_OK, "%s: 401 page", lang_tag(l));
		ok(strstr(b.data, want[i].html_lang) != NULL, "%s: %s", lang_tag(l), want[i].html_lang);
		snprintf(title, sizeof(title), "<title>%s</title>", want[i].title_401);
		ok(strstr(b.data, title) != NULL, "%s: the title", lang_tag(l));
		snprintf(title, sizeof(title), "<h1>%s</h1>", want[i].title_401);
		ok(strstr(b.data, title) != NULL, "%s: the heading", lang_tag(l));
		ok(strstr(b.data, want[i].code_label) != NULL && strstr(b.data, "<code>CBO-401</code>") != NULL &&
		    strstr(b.data, "<code>abc123</code>") != NULL, "%s: code label, code and reference",
		    lang_tag(l));
		buf_reset(&b);
		is_int(page_error(&b, 401, l, "abc123", true, &ct), CB_OK, "%s: 401 JSON", lang_tag(l));
		j = json_loads(b.data, 0, NULL);
		ok(j != NULL && !strcmp(json_string_value(json_object_get(j, "error")), "CBO-401") &&
		    !strcmp(json_string_value(json_object_get(j, "message")), msg_get(l, MSG_401_TEXT)) &&
		    !strcmp(json_string_value(json_object_get(j, "request_id")), "abc123"),
		    "%s: JSON keeps the code, localises the message", lang_tag(l));
		json_decref(j);
		for (k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++) {
			buf_reset(&b);
			ok(page_error(&b, statuses[k], l, "r", false, &ct) == CB_OK &&
			    strstr(b.data, want[i].html_lang) != NULL && strstr(b.data, "<script") == NULL,
			    "%s: %d page", lang_tag(l), statuses[k]);
		}
		buf_reset(&b);
		is_int(page_no_token(&b, l, "https://x", false, &ct), CB_OK, "%s: no-token page", lang_tag(l));
		ok(strstr(b.data, want[i].html_lang) != NULL && strstr(b.data, want[i].no_token_title) != NULL,
		    "%s: no-token page in the language", lang_tag(l));
		buf_reset(&b);
		is_int(page_welcome(&b, l, &ct), CB_OK, "%s: landing page", lang_tag(l));
		is_str(ct, "text/html; charset=utf-8", "%s: landing page is HTML", lang_tag(l));
		snprintf(title, sizeof(title), "<a class=\"button\" href=\"/auth/open?r=%%2F\">%s</a>",
		    want[i].welcome_button);
		ok(strstr(b.data, want[i].html_lang) != NULL && strstr(b.data, title) != NULL,
		    "%s: landing page button %s", lang_tag(l), title);
		is_int(count(b.data, "<a "), 1, "%s: one link on the landing page", lang_tag(l));
	}
	/* An unknown language value renders English. */
	buf_reset(&b);
	is_int(page_error(&b, 404, LANG_COUNT, NULL, false, &ct), CB_OK, "unknown language");
	ok(strstr(b.data, "<html lang=\"en\">") != NULL && strstr(b.data, "Not found") != NULL, "English");
	buf_release(&b);
}

static void
test_swap(void)
{
	static const char evil_a[] = "<img src=x onerror=alert(1)>";
	static const char evil_b[] = "\"'&amp;<script>alert(2)</script>";
	static const char evil_v[] = "\"><script>alert(3)</script><input name=\"x";
	struct page_field f[3] = {
		{"state", "01J9ZK3V6Q8R5T2W4Y7A0C1D3E", 26},
		{"v", evil_v, sizeof(evil_v) - 1},
		{"empty", "", 0},
	};
	struct buf b;
	const char *ct, *form, *end, *o;
	char all[256];
	size_t i, n;

	buf_init(&b, 16384);
	is_int(page_swap(&b, LANG_EN, "alice", "bob", "/auth/open", f, 3, "/", &ct), CB_OK, "swap page");
	o = buf_str(&b);
	is_str(ct, "text/html; charset=utf-8", "HTML");
	ok(strstr(o, "<html lang=\"en\">") != NULL, "lang attribute");
	ok(strstr(o, "You are signed in to chat as <b>alice</b>. Continue as <b>bob</b>?") != NULL, "the question");
	ok(strstr(o, "<form method=\"post\" action=\"/auth/open\">") != NULL, "a POST form to the same origin");
	ok(strstr(o, "<button type=\"submit\">Continue as bob</button>") != NULL, "Continue as B");
	ok(strstr(o, "<a href=\"/\">Stay as alice</a>") != NULL, "Stay as A");
	form = strstr(o, "<form");
	end = strstr(o, "</form>");
	ok(form != NULL && end != NULL && count(o, "<form") == 1 && count(o, "</form>") == 1, "one form");
	is_int(count(o, "<input"), 3, "three fields");
	ok(form != NULL && end != NULL && count(end, "<input") == 0 && strstr(o, "<input") > form,
	    "no field outside the form");
	ok(strstr(o, "<input type=\"hidden\" name=\"state\" value=\"01J9ZK3V6Q8R5T2W4Y7A0C1D3E\">") != NULL,
	    "the field");
	ok(strstr(o, "value=\"&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;&lt;input name=&quot;x\">") != NULL,
	    "a hostile value escaped");
	ok(strstr(o, "<input type=\"hidden\" name=\"empty\" value=\"\">") != NULL, "an empty value");
	is_int(count(o, "01J9ZK3V6Q8R5T2W4Y7A0C1D3E"), 1, "the value once, in its field, nowhere else");
	ok(strstr(o, "<script") == NULL && strstr(o, "<img") == NULL, "no markup from input");

	/* Hostile names, Spanish. */
	buf_reset(&b);
	is_int(page_swap(&b, LANG_ES, evil_a, evil_b, "/auth/open", f, 1, NULL, &ct), CB_OK, "hostile names");
	o = buf_str(&b);
	ok(strstr(o, "<html lang=\"es-419\">") != NULL, "Spanish");
	ok(strstr(o, "<script") == NULL && strstr(o, "<img") == NULL, "names escaped");
	ok(strstr(o, "como <b>&lt;img src=x onerror=alert(1)&gt;</b>") != NULL, "current name escaped");
	ok(strstr(o, "Continuar como &quot;&#39;&amp;amp;&lt;script&gt;alert(2)&lt;/script&gt;</button>") != NULL,
	    "next name escaped in the button");
	ok(strstr(o, "<a ") == NULL, "no Stay link without stay_href");

	/* Every byte but NUL in the names, every non-control byte in a value:
	 * the page has exactly the markup of a page with plain ones. */
	for (i = 1, n = 0; i < 256; i++)
		all[n++] = (char)i;
	all[n] = '\0';
	{
		struct page_field g = {"v", all + 0x1f, 0x7f - 0x1f - 1};
		struct page_field h = {"v", all + 0x7f, 256 - 0x80};
		struct buf plain;
		const char *po;

		buf_reset(&b);
		is_int(page_swap(&b, LANG_PT, all, all, "/auth/open", &g, 1, "https://chat.example/", &ct), CB_OK,
		    "every byte in the names, printable ASCII in a value");
		buf_init(&plain, 16384);
		g.value = "x";
		g.value_len = 1;
		is_int(page_swap(&plain, LANG_PT, "a", "b", "/auth/open", &g, 1, "https://chat.example/", &ct),
		    CB_OK, "the same page, plain");
		o = buf_str(&b);
		po = buf_str(&plain);
		ok(count(o, "<") == count(po, "<") && count(o, ">") == count(po, ">") &&
		    count(o, "\"") == count(po, "\"") && count(o, "'") == count(po, "'"),
		    "no byte of the input became markup");
		ok(strstr(o, "<html lang=\"pt-BR\">") != NULL, "Portuguese");
		buf_reset(&b);
		is_int(page_swap(&b, LANG_PT, "a", "b", "/auth/open", &h, 1, NULL, &ct), CB_OK,
		    "bytes 0x80-0xff in a value");
		buf_release(&plain);
	}

	/* Refused arguments: the caller's bug, never a page. */
	{
		static const char *const bad_action[] = {"", "auth/open", "//evil.example/x", "/\\evil.example",
			"https://evil.example/auth/open", "javascript:alert(1)", "/auth/open x", "/auth/\x01"};
		static const char *const bad_stay[] = {"", "javascript:alert(1)", "//evil.example", "/\\evil",
			"data:text/html,x", "https://chat.example/ x", "ftp://chat.example/"};
		struct page_field nl = {"v", "a\nb", 3}, nul = {"v", "a\0b", 3}, del = {"v", "a\x7f", 2};
		struct page_field bad_name[] = {{"", "x", 1}, {"a b", "x", 1}, {"a\"", "x", 1}, {NULL, "x", 1},
			{"x", NULL, 1}};
		struct page_field many[CB_PAGE_FIELDS_MAX + 1];

		for (i = 0; i < sizeof(bad_action) / sizeof(bad_action[0]); i++)
			is_int(page_swap(&b, LANG_EN, "a", "b", bad_action[i], f, 1, NULL, &ct), CB_EINTERNAL,
			    "action '%s' refused", bad_action[i]);
		is_int(page_swap(&b, LANG_EN, "a", "b", NULL, f, 1, NULL, &ct), CB_EINTERNAL, "no action");
		for (i = 0; i < sizeof(bad_stay) / sizeof(bad_stay[0]); i++)
			is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", f, 1, bad_stay[i], &ct), CB_EINTERNAL,
			    "stay_href '%s' refused", bad_stay[i]);
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", &nl, 1, NULL, &ct), CB_EINTERNAL,
		    "a newline in a value refused, not altered");
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", &nul, 1, NULL, &ct), CB_EINTERNAL,
		    "a NUL in a value refused");
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", &del, 1, NULL, &ct), CB_EINTERNAL,
		    "DEL in a value refused");
		for (i = 0; i < sizeof(bad_name) / sizeof(bad_name[0]); i++)
			is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", &bad_name[i], 1, NULL, &ct), CB_EINTERNAL,
			    "bad field %zu refused", i);
		for (i = 0; i <= CB_PAGE_FIELDS_MAX; i++)
			many[i] = f[0];
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", many, CB_PAGE_FIELDS_MAX + 1, NULL, &ct),
		    CB_EINTERNAL, "too many fields");
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", NULL, 1, NULL, &ct), CB_EINTERNAL,
		    "fields missing");
		is_int(page_swap(&b, LANG_EN, NULL, "b", "/auth/open", f, 1, NULL, &ct), CB_EINTERNAL, "no name");
		is_int(page_swap(&b, LANG_EN, "a", "", "/auth/open", f, 1, NULL, &ct), CB_EINTERNAL, "empty name");
		buf_reset(&b);
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", many, CB_PAGE_FIELDS_MAX, NULL, &ct), CB_OK,
		    "the most fields");
		is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", NULL, 0, NULL, &ct), CB_OK, "no fields");
	}
	buf_release(&b);
	/* A page that does not fit its buffer reports it. */
	buf_init(&b, 64);
	is_int(page_swap(&b, LANG_EN, "a", "b", "/auth/open", f, 1, NULL, &ct), CB_ETOOBIG, "bounded");
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
	a.sub_hash = "0123456789abcdef";
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
	is_str(json_string_value(json_object_get(j, "sub_hash")), "0123456789abcdef", "the pseudonym the shell gave");
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
	/* Thousands of addresses: memory stays what it was. ratelimit_memory()
	 * is computed from the table size, so it cannot grow whatever the
	 * limiter does: the heap glibc reports in use is measured instead (a
	 * per-address allocation of even 8 bytes would add 800 000). Under
	 * ASan, glibc's counters do not see ASan's heap and stay equal. */
	{
		struct mallinfo2 before = mallinfo2(), after;

		for (i = 0; i < 100000; i++) {
			snprintf(key, sizeof(key), "198.51.%d.%d", i / 256, i % 256);
			(void)ratelimit_take(rl, key, 3000 + i, 60, &ra);
		}
		after = mallinfo2();
		ok(after.uordblks <= before.uordblks + 4096, "heap in use bounded with 100000 addresses "
		    "(%zu bytes before, %zu after; the table holds %zu)", before.uordblks, after.uordblks,
		    ratelimit_memory(rl));
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
test_client_key(void)
{
	char k1[RATELIMIT_KEY_MAX], k2[RATELIMIT_KEY_MAX];

	ratelimit_client_key("192.0.2.7", 64, k1);
	is_str(k1, "192.0.2.7", "IPv4 as it is");
	ratelimit_client_key("2001:db8:1:2:aaaa::1", 64, k1);
	ratelimit_client_key("2001:db8:1:2:bbbb:cccc:dddd:eeee", 64, k2);
	is_str(k1, "2001:db8:1:2::/64", "IPv6 keyed by /64");
	is_str(k1, k2, "two addresses of one /64 share a bucket");
	ratelimit_client_key("2001:db8:1:3::1", 64, k2);
	ok(strcmp(k1, k2) != 0, "the next /64 has its own");
	ratelimit_client_key("2001:db8:1:2:aaaa::1", 56, k1);
	is_str(k1, "2001:db8:1::/56", "configurable prefix");
	ratelimit_client_key("2001:db8::1", 128, k1);
	is_str(k1, "2001:db8::1/128", "/128: the address");
	ratelimit_client_key("::ffff:192.0.2.7", 64, k1);
	is_str(k1, "192.0.2.7", "IPv4-mapped: the IPv4 address");
	ratelimit_client_key("unix:", 64, k1);
	is_str(k1, "unix:", "not an address: as it is");
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
	ok(strstr(b.data, "chat_bridge_build_info{instance=\"bridge-1\",version=\"") != NULL, "build info");
	/* No readiness check yet: only the timestamp, 0. */
	ok(strstr(b.data, "\nchat_bridge_ready_checked_timestamp_seconds{instance=\"bridge-1\"} 0\n") != NULL, "never checked");
	ok(strstr(b.data, "\nchat_bridge_ready{") == NULL, "no readiness before a check");
	ok(strstr(b.data, "chat_bridge_dependency_up{") == NULL, "no dependency before a check");
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
test_metrics_ready(void)
{
	struct metrics *m = metrics_new();
	enum cb_err down = CB_MMDB_UNAVAILABLE, up = CB_OK;
	struct buf b;

	/* Login mode, all up. */
	metrics_ready(m, CB_OK, CB_OK, NULL, 1700000000);
	buf_init(&b, 65536);
	is_int(metrics_render(m, "i", &b), CB_OK, "render");
	ok(strstr(b.data, "# TYPE chat_bridge_ready gauge\nchat_bridge_ready{instance=\"i\"} 1\n") != NULL, "ready 1");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"store\"} 1\n") != NULL, "store up");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"mattermost\"} 1\n") != NULL, "mm up");
	ok(strstr(b.data, "mattermost_database") == NULL, "database not checked: no series");
	ok(strstr(b.data, "# TYPE chat_bridge_ready_checked_timestamp_seconds gauge\n"
	    "chat_bridge_ready_checked_timestamp_seconds{instance=\"i\"} 1700000000\n") != NULL, "timestamp");
	buf_release(&b);

	/* Database mode, Mattermost's database down: the last check wins. */
	metrics_ready(m, CB_OK, CB_OK, &down, 1700000060);
	buf_init(&b, 65536);
	is_int(metrics_render(m, "i", &b), CB_OK, "render");
	ok(strstr(b.data, "\nchat_bridge_ready{instance=\"i\"} 0\n") != NULL, "ready 0");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"mattermost_database\"} 0\n") != NULL,
	    "database down");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"store\"} 1\n") != NULL, "store still up");
	ok(strstr(b.data, "chat_bridge_ready_checked_timestamp_seconds{instance=\"i\"} 1700000060\n") != NULL, "new timestamp");
	buf_release(&b);

	/* Store and Mattermost down, database up. */
	metrics_ready(m, CB_STORE_UNAVAILABLE, CB_MM_TIMEOUT, &up, 1700000120);
	buf_init(&b, 65536);
	is_int(metrics_render(m, "i", &b), CB_OK, "render");
	ok(strstr(b.data, "\nchat_bridge_ready{instance=\"i\"} 0\n") != NULL, "ready 0");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"store\"} 0\n") != NULL, "store down");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"mattermost\"} 0\n") != NULL, "mm down");
	ok(strstr(b.data, "chat_bridge_dependency_up{instance=\"i\",dependency=\"mattermost_database\"} 1\n") != NULL,
	    "database up");
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
	ua_parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36", &u);
	is_str(u.browser, "Chrome/120.0.6099", "a patch that is not 0 is kept, like uasurfer");
	ua_parse("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1", &u);
	ok(!strcmp(u.platform, "iPhone") && !strcmp(u.os, "iOS") && u.mobile && !strcmp(u.browser, "Safari/17.0"),
	    "iPhone Safari");
	ua_parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", &u);
	ok(!strcmp(u.platform, "Windows") && !strcmp(u.os, "Windows 10") && !strcmp(u.browser, "Firefox/128.0"),
	    "Firefox on Windows 10 (%s)", u.os);
	ua_parse("Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36 Edg/109.0.1518.78", &u);
	ok(!strcmp(u.os, "Windows 7") && !strcmp(u.browser, "Edge/109.0.1518"), "Edge on Windows 7 (%s, %s)",
	    u.os, u.browser);
	ua_parse("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
	    "Mattermost/5.6.0 Chrome/120.0.6099.291 Electron/28.2.2 Safari/537.36", &u);
	ok(!strcmp(u.platform, "Macintosh") && !strcmp(u.os, "Mac OS") && !strcmp(u.browser, "Desktop App/5.6.0") &&
	    !u.mobile, "the desktop app (%s)", u.browser);
	ua_parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Electron/28.2.2 Safari/537.36", &u);
	is_str(u.browser, "Desktop App/28.2.2", "Electron without Mattermost/ is the desktop app too");
	ua_parse("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", &u);
	ok(!strcmp(u.platform, "Linux") && !strcmp(u.os, "Android") && u.mobile && !strcmp(u.browser, "Chrome/120.0"),
	    "Chrome on Android is mobile");
	ua_parse("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mattermost Mobile/2.20.0", &u);
	ok(!strcmp(u.platform, "iPad") && u.mobile && !strcmp(u.browser, "Mobile App/2.20.0"), "the mobile app (%s)",
	    u.browser);
	ua_parse("curl/8.5.0", &u);
	ok(!strcmp(u.platform, "Windows") && !strcmp(u.os, "") && !strcmp(u.browser, "Unknown/0.0") && !u.mobile,
	    "an unknown client: platform Windows, os empty, Unknown/0.0 (%s/%s/%s)", u.platform, u.os, u.browser);
	ua_parse("Mozilla/5.0 (Windows NT 10.01; x64) Chrome/1.2.3", &u);
	is_str(u.os, "Windows", "an unknown Windows NT version is plain Windows");
	ua_parse(NULL, &u);
	ok(!strcmp(u.browser, "Unknown/0.0") && !strcmp(u.os, "") && !u.mobile, "no User-Agent");
	ua_parse("Mattermost/ ", &u);
	is_str(u.browser, "Desktop App/", "an empty app version stays empty");
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
	struct cookie_params cp = {"/", NULL, true, false, 3600, 1767225600};
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
	ok(strstr(o, "Vary:") == NULL, "a redirect does not vary by language");
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
	ok(strstr(buf_str(&out), "Vary: Accept-Language\r\n") != NULL &&
	    strstr(buf_str(&out), "Cache-Control: no-store\r\n") != NULL,
	    "an error page varies by language, and is still not stored");
	buf_release(&out);
	response_release(&rs);

	/* The generic page in the negotiated language. */
	response_init(&rs);
	is_int(rs.lang, LANG_EN, "English until the dispatcher says otherwise");
	rs.lang = LANG_ES;
	is_int(response_error(&rs, CB_TOK_EXPIRED, "r4", false), CB_OK, "401 page in Spanish");
	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	is_int(response_render(&rs, "r4", false, &out), CB_OK, "render it");
	o = buf_str(&out);
	ok(starts(o, "Status: 401 Unauthorized\r\n"), "the status line stays English (protocol)");
	ok(strstr(o, "<html lang=\"es-419\">") != NULL && strstr(o, "Este enlace al chat expiró") != NULL,
	    "Spanish page");
	ok(strstr(o, "Vary: Accept-Language\r\n") != NULL, "Vary");
	buf_release(&out);
	response_release(&rs);
	is_int(rs.lang, LANG_EN, "released: English again");

	/* A handler's own page says whether it varies. */
	response_init(&rs);
	rs.status = 200;
	rs.vary_language = true;
	is_int(page_welcome(&rs.body, LANG_PT, &rs.content_type), CB_OK, "landing page");
	buf_init(&out, CB_RESPONSE_HEADER_MAX + CB_RESPONSE_BODY_MAX);
	is_int(response_render(&rs, "r5", false, &out), CB_OK, "render the landing page");
	ok(strstr(buf_str(&out), "Vary: Accept-Language\r\n") != NULL &&
	    strstr(buf_str(&out), "Content-Type: text/html; charset=utf-8\r\n") != NULL, "Vary and HTML");
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
	test_swap_guard();
	test_sso_state_cookie();
	test_pages();
	test_page_languages();
	test_swap();
	test_logline();
	test_ratelimit();
	test_client_key();
	test_metrics();
	test_metrics_ready();
	test_useragent();
	test_response();
}
