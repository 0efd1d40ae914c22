/*
 * page.c - generic pages (see page.h). Every string inserted into HTML
 * goes through buf_add_html, every string into JSON through buf_add_json,
 * even our own constants, so a future edit cannot introduce an injection.
 */
#include <stdio.h>
#include <string.h>

#include "page.h"

struct status_text {
	int status;
	const char *reason;
	const char *title;
	const char *message;
};

static const struct status_text texts[] = {
	{200, "OK", "Open Chat", ""},
	{302, "Found", "", ""},
	{400, "Bad Request", "This chat link is not valid",
	    "The link you followed is damaged. Go back to your OpenTHC app and use Open Chat again."},
	{401, "Unauthorized", "This chat link has expired or was already used",
	    "Chat links work once and only for a few minutes. Go back to your OpenTHC app and use Open Chat again."},
	{403, "Forbidden", "Chat is not available for this account",
	    "Your chat account cannot be signed in automatically. Please contact OpenTHC support and quote the code below."},
	{404, "Not Found", "Not found", "There is nothing here."},
	{405, "Method Not Allowed", "Method not allowed", "This address does not accept that kind of request."},
	{408, "Request Timeout", "The request took too long",
	    "Your browser took too long to send the request. Please go back to your OpenTHC app and use Open Chat again."},
	{409, "Conflict", "This chat account belongs to someone else",
	    "A chat account with your email address is already linked to another OpenTHC contact. Please contact OpenTHC support and quote the code below."},
	{413, "Content Too Large", "Request too large", "The request was too large."},
	{414, "URI Too Long", "Request too large", "The request was too large."},
	{429, "Too Many Requests", "Too many attempts",
	    "There were too many sign-in attempts from your network. Please wait a minute and try again."},
	{500, "Internal Server Error", "Something went wrong",
	    "Chat sign-in failed. Please try again; if it keeps failing, contact OpenTHC support and quote the code below."},
	{502, "Bad Gateway", "Chat is not available right now",
	    "Chat is not answering at the moment. Please try again in a few minutes."},
	{503, "Service Unavailable", "Chat sign-in is not available right now",
	    "Chat sign-in is temporarily unavailable. Please try again in a few minutes."},
	{504, "Gateway Timeout", "Chat is not available right now",
	    "Chat took too long to answer. Please try again in a few minutes."},
};

static const struct status_text *
lookup(int status)
{
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].status == status)
			return &texts[i];
	return lookup(500);
}

const char *
http_status_text(int status)
{
	const struct status_text *t = lookup(status);

	return t->status == status ? t->reason : "Error";
}

void
page_code(int status, char out[16])
{
	(void)snprintf(out, 16, "CBO-%03d", status >= 100 && status <= 599 ? status : 500);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><title>";
static const char html_style[] =
    "</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;"
    "padding:0 1rem;color:#222}h1{font-size:1.4rem}code{background:#eee;padding:.1rem .3rem}"
    "</style></head><body>";

static enum cb_err
render(struct buf *b, const char *title, const char *message, const char *code,
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
	buf_adds(b, html_head);
	buf_add_html(b, title, strlen(title));
	buf_adds(b, html_style);
	buf_adds(b, "<h1>");
	buf_add_html(b, title, strlen(title));
	buf_adds(b, "</h1>\n<p>");
	buf_add_html(b, message, strlen(message));
	buf_adds(b, "</p>\n");
	if (code[0]) {
		buf_adds(b, "<p>Code: <code>");
		buf_add_html(b, code, strlen(code));
		buf_adds(b, "</code>");
		if (request_id != NULL && request_id[0]) {
			buf_adds(b, " Reference: <code>");
			buf_add_html(b, request_id, strlen(request_id));
			buf_adds(b, "</code>");
		}
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "</body></html>\n");
	return b->err;
}

enum cb_err
page_error(struct buf *b, int status, const char *request_id, bool json,
    const char **content_type)
{
	const struct status_text *t = lookup(status);
	char code[16];

	page_code(status, code);
	return render(b, t->title, t->message, code, request_id, json, content_type);
}

enum cb_err
page_no_token(struct buf *b, const char *site_url, bool json, const char **content_type)
{
	(void)site_url;
	return render(b, "Open Chat from your OpenTHC app",
	    "To sign in to OpenTHC Chat, open any OpenTHC application (POS, Lab, Directory or "
	    "your account at OpenTHC SSO) and choose Open Chat. The link it gives you signs you "
	    "in here automatically.", json ? "CBO-NOTOKEN" : "", NULL, json, content_type);
}

bool
page_wants_json(const char *accept)
{
	return accept != NULL && strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL;
}
