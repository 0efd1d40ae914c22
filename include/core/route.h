/*
 * route.h - which bridge route a FastCGI request is for. Works with
 * nginx's parameters (SCRIPT_NAME=/auth/open) and Caddy's (SCRIPT_NAME
 * empty, PATH_INFO=/auth/open); only exact paths match.
 */
#ifndef CB_ROUTE_H
#define CB_ROUTE_H

enum route {
	ROUTE_NONE = 0,
	ROUTE_OPEN,		/* /auth/open */
	ROUTE_BACK,		/* /auth/back (OAuth2 redirect_uri) */
	ROUTE_PING,		/* /auth/ping */
	ROUTE_READY,		/* /auth/ready */
	ROUTE_METRICS,		/* /auth/metrics */
	ROUTE_WELCOME,		/* /auth/welcome (the landing page, shown at "/") */
};

/* FastCGI parameters that name the path; NULL when absent. */
struct route_params {
	const char *script_name;
	const char *path_info;
	const char *document_uri;
	const char *request_uri;
};

enum route route_match(const struct route_params *p);

/* The route's path ("/auth/open") or "" for ROUTE_NONE. */
const char *route_path(enum route r);

#endif
