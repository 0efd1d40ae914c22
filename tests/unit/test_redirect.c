/*
 * test_redirect.c - the landing-path grammar: every line of oauth2-proxy's
 * open-redirect corpus (raw and percent-decoded once) is either refused or
 * yields a Location that stays on the configured origin; plus the B2
 * cases of peers-and-attacks.md and positive cases. argv[1]: the corpus
 * (without it, the corpus checks are skipped with a reason: exit 77).
 */
#include "harness.h"
#include "bounds.h"
#include "form.h"
#include "identity.h"
#include "redirect.h"

#define SITE "https://chat.openthc.example.com"

/* An independent statement of "stays on the origin": the Location is
 * SITE followed by a path whose first two bytes cannot start an
 * authority, with nothing a browser would strip or reinterpret. */
static int
same_origin(const char *path)
{
	size_t i, n = strlen(path);

	if (n < 1 || path[0] != '/')
		return 0;
	if (n >= 2 && (path[1] == '/' || path[1] == '\\'))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] <= 0x20 || (unsigned char)path[i] >= 0x7f || path[i] == '\\')
			return 0;
	return 1;
}

static void
check_one(const char *r, size_t n, int *honoured, int *refused, int lineno, const char *how)
{
	char landing[CB_LANDING_MAX + 1];

	(void)identity_landing(r, n, "usa-wa", "public", landing);
	if (redirect_ok(r, n)) {
		(*honoured)++;
		ok(same_origin(landing) && strncmp(landing, "/auth", 5) != 0,
		    "corpus line %d (%s) honoured and stays on %s", lineno, how, SITE);
	} else {
		(*refused)++;
		ok(strcmp(landing, "/usa-wa/channels/town-square") == 0,
		    "corpus line %d (%s) refused: default landing", lineno, how);
	}
}

static void
test_corpus(const char *path)
{
	size_t len, pos = 0;
	char *text = slurp(path, &len);
	int lineno = 0, honoured = 0, refused = 0;

	while (pos <= len) {
		char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		struct form f;
		char q[4096];
		const char *v;
		size_t vl;

		lineno++;
		if (nl == NULL && n == 0)
			break;
		check_one(text + pos, n, &honoured, &refused, lineno, "raw");
		/* As it arrives in a query string: r=<line>, decoded once. */
		if (n + 3 < sizeof(q)) {
			memcpy(q, "r=", 2);
			memcpy(q + 2, text + pos, n);
			q[n + 2] = '\0';
			if (form_parse(q, n + 2, &f) == CB_OK && form_get(&f, "r", &v, &vl) >= 1)
				check_one(v, vl, &honoured, &refused, lineno, "decoded");
			form_free(&f);
		}
		pos += n + 1;
	}
	ok(lineno >= 559, "read %d corpus lines", lineno);
	ok(refused > 900, "%d refused, %d honoured (all on our origin)", refused, honoured);
	free(text);
}

static void
test_table(void)
{
	static const char *const refuse[] = {
		/* peers-and-attacks.md B2 */
		"/\\evil.com", "/\t/evil.com", "/\r\n/evil.com", "/./\\evil.com", "\\/\\/evil.com",
		"http:evil.com", "//allowed.example@evil.com", "https://chat.example.com.evil.com",
		"https://evilchat.example.com", "https://chat.example.com:3838/",
		/* B3: header injection */
		"/x\r\nSet-Cookie: a=b", "/x\nLocation: //evil",
		/* B6: loops */
		"/auth/open", "/auth", "/auth/open?jwt=x", "/AUTH/open", "/%61uth/open", "/auth/",
		/* dot segments, also encoded */
		"/x/../auth/open", "/./x", "/x/.", "/%2e%2e/auth/open", "/.%2e/x", "/%2E/x",
		/* encoded separators and controls in the path */
		"/%2f%2fevil.com", "/x%2F..%2F", "/%5cevil.com", "/x%00", "/x%0d%0a", "/x%20y", "/%zz",
		"/x%", "/x%4",
		/* other */
		"", "/", "evil.com", "javascript:alert(1)", "data:text/html,x", " /x", "/x y",
		"/caf\xc3\xa9",
	};
	static const char *const honour[] = {
		"/public/channels/town-square", "/usa-wa/channels/off-topic", "/openthc/pl/abc123",
		"/public/channels/town-square?x=1#m", "/x", "/authors", "/x/auth/open",
		"/public/channels/a%2Db", "/x?r=//evil.com", "/x#//evil.com",
	};
	char big[CB_REDIRECT_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++)
		ok(!redirect_ok(refuse[i], strlen(refuse[i])), "refused: %zu", i);
	ok(!redirect_ok("/x\0y", 4), "embedded NUL refused");
	for (i = 0; i < sizeof(honour) / sizeof(honour[0]); i++)
		ok(redirect_ok(honour[i], strlen(honour[i])), "honoured: %s", honour[i]);
	big[0] = '/';
	memset(big + 1, 'a', sizeof(big) - 1);
	ok(redirect_ok(big, CB_REDIRECT_MAX), "512 bytes honoured");
	ok(!redirect_ok(big, CB_REDIRECT_MAX + 1), "513 bytes refused");
}

static void
run_tests(int argc, char **argv)
{
	const char *corpus = argc > 1 ? argv[1] : "../shared/vectors/openredirects.txt";

	test_table();
	if (have_input(corpus, "the open-redirect corpus",
	    "the shared folder is missing: put it beside the repository or configure with -DCB_SHARED_DIR=..."))
		test_corpus(corpus);
}
