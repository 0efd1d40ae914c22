/*
 * page.c - generic pages (see page.h). Every string inserted into HTML
 * goes through buf_add_html, every string into JSON through buf_add_json,
 * even our own constants and translations, so a future edit cannot
 * introduce an injection. The words are in msg_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "msg.h"
#include "page.h"
#include "util.h"

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{200, "OK"}, {302, "Found"}, {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"},
	{404, "Not Found"}, {405, "Method Not Allowed"}, {408, "Request Timeout"}, {409, "Conflict"},
	{413, "Content Too Large"}, {414, "URI Too Long"},
	{429, "Too Many Requests"}, {500, "Internal Server Error"}, {502, "Bad Gateway"},
	{503, "Service Unavailable"}, {504, "Gateway Timeout"},
};

/* The error pages; any other status gets the 500 page. */
static const struct status_page {
	int status;
	enum msg title;
	enum msg text;
} pages[] = {
	{400, MSG_400_TITLE, MSG_400_TEXT},
	{401, MSG_401_TITLE, MSG_401_TEXT},
	{403, MSG_403_TITLE, MSG_403_TEXT},
	{404, MSG_404_TITLE, MSG_404_TEXT},
	{405, MSG_405_TITLE, MSG_405_TEXT},
	{408, MSG_408_TITLE, MSG_408_TEXT},
	{409, MSG_409_TITLE, MSG_409_TEXT},
	{413, MSG_413_TITLE, MSG_413_TEXT},
	{414, MSG_413_TITLE, MSG_413_TEXT},
	{429, MSG_429_TITLE, MSG_429_TEXT},
	{500, MSG_500_TITLE, MSG_500_TEXT},
	{502, MSG_502_TITLE, MSG_502_TEXT},
	{503, MSG_503_TITLE, MSG_503_TEXT},
	{504, MSG_504_TITLE, MSG_504_TEXT},
};

const char *
http_status_text(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Error";
}

static const struct status_page *
page_of(int status)
{
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (pages[i].status == status)
			return &pages[i];
	return page_of(500);
}

void
page_code(int status, char out[16])
{
	(void)snprintf(out, 16, "CBO-%03d", status >= 100 && status <= 599 ? status : 500);
}

static const char html_meta[] =
    "\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><title>";

/* The small pages: error, no token, session swap. */
static const char small_style[] =
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;"
    "padding:0 1rem;color:#222}h1{font-size:1.4rem}code{background:#eee;padding:.1rem .3rem}"
    "button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:.3rem;"
    "background:#247420;color:#fff;cursor:pointer}button:focus,button:hover{background:#1b5a18}";

/* The landing page: OpenTHC's green header bar and button. */
static const char welcome_style[] =
    "body{margin:0;font-family:system-ui,sans-serif;color:#222;background:#f4f6f4}"
    "header{background:#247420;color:#fff;padding:1rem 1.5rem;font-size:1.25rem;font-weight:600}"
    "main{max-width:34rem;margin:3rem auto;padding:0 1.5rem;line-height:1.5}"
    "a.button{display:inline-block;margin:1rem 0;padding:.75rem 1.5rem;border-radius:.3rem;"
    "background:#247420;color:#fff;font-weight:600;text-decoration:none}"
    "a.button:focus,a.button:hover{background:#1b5a18}small{color:#555}";

static void
add_html(struct buf *b, const char *s)
{
	buf_add_html(b, s, strlen(s));
}

/* <!DOCTYPE html> up to <body>, in lang, with title and style. */
static void
head(struct buf *b, enum lang lang, const char *title, const char *style)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	add_html(b, lang_tag(lang));
	buf_adds(b, html_meta);
	add_html(b, title);
	buf_adds(b, "</title><style>");
	buf_adds(b, style);
	buf_adds(b, "</style></head><body>");
}

/* Appends s escaped, with each placeholder {n} replaced by args[n - 1]
 * escaped (in <b> when bold); a placeholder without an argument
 * disappears (msg_placeholders and the tests keep that from happening). */
static void
add_text(struct buf *b, const char *s, const char *const *args, size_t nargs, bool bold)
{
	size_t i = 0, run = 0;

	for (;;) {
		if (s[i + run] == '\0') {
			buf_add_html(b, s + i, run);
			return;
		}
		if (s[i + run] == '{' && s[i + run + 1] >= '1' && s[i + run + 1] <= '9' &&
		    s[i + run + 2] == '}') {
			size_t k = (size_t)(s[i + run + 1] - '1');

			buf_add_html(b, s + i, run);
			if (k < nargs) {
				if (bold)
					buf_adds(b, "<b>");
				add_html(b, args[k]);
				if (bold)
					buf_adds(b, "</b>");
			}
			i += run + 3;
			run = 0;
			continue;
		}
		run++;
	}
}

static enum cb_err
render(struct buf *b, enum lang lang, const char *title, const char *message, const char *code,
    const char *request_id, bool json, const char **content_type)
{
	if (json) {
		*content_type = "application/json";
		buf_adds(b, "{\"error\":\"");
		buf_add_json(b, code, strlen(code));
		buf_adds(b, "\",\"message\":\"");
		buf_add_json(b, message, strlen(message));
		if (request_id != NULL && request_id[0]) {
			buf_adds(b, "\",\"request_id\":\"");
			buf_add_json(b, request_id, strlen(request_id));
		}
		buf_adds(b, "\"}\n");
		return b->err;
	}
	*content_type = "text/html; charset=utf-8";
	head(b, lang, title, small_style);
	buf_adds(b, "<h1>");
	add_html(b, title);
	buf_adds(b, "</h1>\n<p>");
	add_html(b, message);
	buf_adds(b, "</p>\n");
	if (code[0]) {
		buf_adds(b, "<p>");
		add_html(b, msg_get(lang, MSG_CODE));
		buf_adds(b, " <code>");
		add_html(b, code);
		buf_adds(b, "</code>");
		if (request_id != NULL && request_id[0]) {
			buf_adds(b, " ");
			add_html(b, msg_get(lang, MSG_REFERENCE));
			buf_adds(b, " <code>");
			add_html(b, request_id);
			buf_adds(b, "</code>");
		}
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "</body></html>\n");
	return b->err;
}

enum cb_err
page_error(struct buf *b, int status, enum lang lang, const char *request_id, bool json,
    const char **content_type)
{
	const struct status_page *p = page_of(status);
	char code[16];

	page_code(status, code);
	return render(b, lang, msg_get(lang, p->title), msg_get(lang, p->text), code, request_id, json,
	    content_type);
}

enum cb_err
page_no_token(struct buf *b, enum lang lang, const char *site_url, bool json, const char **content_type)
{
	(void)site_url;
	return render(b, lang, msg_get(lang, MSG_NO_TOKEN_TITLE), msg_get(lang, MSG_NO_TOKEN_TEXT),
	    json ? "CBO-NOTOKEN" : "", NULL, json, content_type);
}

enum cb_err
page_welcome(struct buf *b, enum lang lang, const char **content_type)
{
	*content_type = "text/html; charset=utf-8";
	head(b, lang, msg_get(lang, MSG_WELCOME_TITLE), welcome_style);
	buf_adds(b, "\n<header>");
	add_html(b, msg_get(lang, MSG_WELCOME_TITLE));
	buf_adds(b, "</header>\n<main>\n<h1>");
	add_html(b, msg_get(lang, MSG_WELCOME_HEADING));
	buf_adds(b, "</h1>\n<p>");
	add_html(b, msg_get(lang, MSG_WELCOME_TEXT));
	buf_adds(b, "</p>\n<p><a class=\"button\" href=\"");
	add_html(b, "/auth/open?r=%2F");
	buf_adds(b, "\">");
	add_html(b, msg_get(lang, MSG_WELCOME_BUTTON));
	buf_adds(b, "</a></p>\n<p><small>");
	add_html(b, msg_get(lang, MSG_WELCOME_HINT));
	buf_adds(b, "</small></p>\n</main>\n</body></html>\n");
	return b->err;
}

/* A same-origin path: "/" then visible ASCII, not "//" or "/\" (which a
 * browser reads as another host). */
static bool
is_local_path(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= 1 && n <= max && s[0] == '/' && s[1] != '/' && s[1] != '\\' && is_visible_ascii(s, n);
}

static bool
is_field_name(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= CB_PAGE_FIELD_NAME_MAX || !(ascii_isalnum(s[i]) || s[i] == '_' || s[i] == '.' ||
		    s[i] == '-'))
			return false;
	return i > 0;
}

static bool
is_http_url(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n <= max && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
	    is_visible_ascii(s, n);
}

enum cb_err
page_swap(struct buf *b, enum lang lang, const char *current_name, const char *next_name,
    const char *action, const struct page_field *hidden, size_t n_hidden, const char *stay_href,
    const char **content_type)
{
	const char *names[2];
	size_t i;

	if (current_name == NULL || current_name[0] == '\0' || next_name == NULL || next_name[0] == '\0' ||
	    action == NULL || !is_local_path(action, CB_URL_MAX) || n_hidden > CB_PAGE_FIELDS_MAX ||
	    (n_hidden > 0 && hidden == NULL))
		return CB_EINTERNAL;
	if (stay_href != NULL && !is_local_path(stay_href, CB_LOCATION_MAX) &&
	    !is_http_url(stay_href, CB_LOCATION_MAX))
		return CB_EINTERNAL;
	for (i = 0; i < n_hidden; i++)
		if (hidden[i].name == NULL || !is_field_name(hidden[i].name) ||
		    (hidden[i].value == NULL && hidden[i].value_len > 0) ||
		    (hidden[i].value_len > 0 && !no_controls(hidden[i].value, hidden[i].value_len)))
			return CB_EINTERNAL;

	names[0] = current_name;
	names[1] = next_name;
	*content_type = "text/html; charset=utf-8";
	head(b, lang, msg_get(lang, MSG_SWAP_TITLE), small_style);
	buf_adds(b, "<h1>");
	add_html(b, msg_get(lang, MSG_SWAP_TITLE));
	buf_adds(b, "</h1>\n<p>");
	add_text(b, msg_get(lang, MSG_SWAP_TEXT), names, 2, true);
	buf_adds(b, "</p>\n<form method=\"post\" action=\"");
	add_html(b, action);
	buf_adds(b, "\">\n");
	for (i = 0; i < n_hidden; i++) {
		buf_adds(b, "<input type=\"hidden\" name=\"");
		add_html(b, hidden[i].name);
		buf_adds(b, "\" value=\"");
		if (hidden[i].value_len > 0)
			buf_add_html(b, hidden[i].value, hidden[i].value_len);
		buf_adds(b, "\">\n");
	}
	buf_adds(b, "<p><button type=\"submit\">");
	add_text(b, msg_get(lang, MSG_SWAP_CONTINUE), &next_name, 1, false);
	buf_adds(b, "</button></p>\n</form>\n");
	if (stay_href != NULL) {
		buf_adds(b, "<p><a href=\"");
		add_html(b, stay_href);
		buf_adds(b, "\">");
		add_text(b, msg_get(lang, MSG_SWAP_STAY), &current_name, 1, false);
		buf_adds(b, "</a></p>\n");
	}
	buf_adds(b, "</body></html>\n");
	return b->err;
}

bool
page_wants_json(const char *accept)
{
	return accept != NULL && strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL;
}
