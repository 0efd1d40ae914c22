/*
 * route.c - FastCGI request path to route (see route.h).
 */
#include <string.h>

#include "route.h"

static const char *const paths[] = {
	[ROUTE_NONE] = "",
	[ROUTE_OPEN] = "/auth/open",
	[ROUTE_BACK] = "/auth/back",
	[ROUTE_PING] = "/auth/ping",
	[ROUTE_READY] = "/auth/ready",
	[ROUTE_METRICS] = "/auth/metrics",
	[ROUTE_WELCOME] = "/auth/welcome",
};

static int
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Compares the concatenation a || b with the route path. */
static int
is_path(const char *a, const char *b, const char *path)
{
	size_t la = strlen(a), lp = strlen(path);

	if (la > lp || memcmp(a, path, la) != 0)
		return 0;
	return strcmp(b, path + la) == 0;
}

enum route
route_match(const struct route_params *p)
{
	const char *a = "", *b = "";
	char rpath[64];
	size_t i;

	if (nonempty(p->script_name)) {		/* nginx */
		a = p->script_name;
		b = p->path_info != NULL ? p->path_info : "";
	} else if (nonempty(p->path_info)) {	/* Caddy */
		a = p->path_info;
	} else if (nonempty(p->document_uri)) {
		a = p->document_uri;
	} else if (nonempty(p->request_uri)) {
		const char *q = strchr(p->request_uri, '?');
		size_t n = q != NULL ? (size_t)(q - p->request_uri) : strlen(p->request_uri);

		if (n >= sizeof(rpath))
			return ROUTE_NONE;
		memcpy(rpath, p->request_uri, n);
		rpath[n] = '\0';
		a = rpath;
	}
	for (i = ROUTE_OPEN; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (is_path(a, b, paths[i]))
			return (enum route)i;
	return ROUTE_NONE;
}

const char *
route_path(enum route r)
{
	if ((unsigned)r >= sizeof(paths) / sizeof(paths[0]))
		return "";
	return paths[r];
}
