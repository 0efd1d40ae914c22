/*
 * useragent.c - User-Agent heuristics (see useragent.h).
 */
#include <stdio.h>
#include <string.h>

#include "useragent.h"
#include "util.h"

/* Writes "Name/major.minor" for the product token at its first
 * occurrence, like Mattermost's session props ("Chrome/134.0"). */
static void
product(const char *ua, const char *token, const char *label, char *out, size_t cap)
{
	const char *p = strstr(ua, token);
	size_t n = 0, dots = 0;

	p += strlen(token);
	while (p[n] != '\0' && (p[n] == '.' || (p[n] >= '0' && p[n] <= '9')) && n < 20) {
		if (p[n] == '.' && ++dots == 2)
			break;
		n++;
	}
	(void)snprintf(out, cap, "%s/%.*s", label, (int)n, p);
}

void
ua_parse(const char *ua, struct ua_info *out)
{
	static const char *const mobile[] = {"Mobile", "Android", "iOS", "iPhone", "iPad"};
	size_t i;

	(void)snprintf(out->platform, sizeof(out->platform), "Unknown");
	(void)snprintf(out->os, sizeof(out->os), "Unknown");
	(void)snprintf(out->browser, sizeof(out->browser), "Unknown");
	out->mobile = false;
	if (ua == NULL || ua[0] == '\0')
		return;
	for (i = 0; i < sizeof(mobile) / sizeof(mobile[0]); i++)
		if (strstr(ua, mobile[i]) != NULL)
			out->mobile = true;

	if (strstr(ua, "iPhone") != NULL) {
		(void)snprintf(out->platform, sizeof(out->platform), "iPhone");
		(void)snprintf(out->os, sizeof(out->os), "iOS");
	} else if (strstr(ua, "iPad") != NULL) {
		(void)snprintf(out->platform, sizeof(out->platform), "iPad");
		(void)snprintf(out->os, sizeof(out->os), "iOS");
	} else if (strstr(ua, "Android") != NULL) {
		(void)snprintf(out->platform, sizeof(out->platform), "Linux");
		(void)snprintf(out->os, sizeof(out->os), "Android");
	} else if (strstr(ua, "Windows") != NULL) {
		(void)snprintf(out->platform, sizeof(out->platform), "Windows");
		(void)snprintf(out->os, sizeof(out->os), "Windows");
	} else if (strstr(ua, "Macintosh") != NULL || strstr(ua, "Mac OS") != NULL) {
		(void)snprintf(out->platform, sizeof(out->platform), "Macintosh");
		(void)snprintf(out->os, sizeof(out->os), "Mac OS");
	} else if (strstr(ua, "Linux") != NULL || strstr(ua, "X11") != NULL) {
		(void)snprintf(out->platform, sizeof(out->platform), "Linux");
		(void)snprintf(out->os, sizeof(out->os), "Linux");
	}

	/* Order matters: Edge and Opera also claim Chrome, Chrome claims Safari. */
	if (strstr(ua, "Edg/") != NULL)
		product(ua, "Edg/", "Edge", out->browser, sizeof(out->browser));
	else if (strstr(ua, "OPR/") != NULL)
		product(ua, "OPR/", "Opera", out->browser, sizeof(out->browser));
	else if (strstr(ua, "Firefox/") != NULL)
		product(ua, "Firefox/", "Firefox", out->browser, sizeof(out->browser));
	else if (strstr(ua, "Chrome/") != NULL)
		product(ua, "Chrome/", "Chrome", out->browser, sizeof(out->browser));
	else if (strstr(ua, "Safari/") != NULL && strstr(ua, "Version/") != NULL)
		product(ua, "Version/", "Safari", out->browser, sizeof(out->browser));
	else if (strstr(ua, "curl/") != NULL)
		product(ua, "curl/", "curl", out->browser, sizeof(out->browser));
}

void
ua_sanitize(const char *ua, char out[CB_USER_AGENT_MAX + 1])
{
	size_t i, o = 0;

	if (ua != NULL)
		for (i = 0; ua[i] != '\0' && o < CB_USER_AGENT_MAX; i++)
			if ((unsigned char)ua[i] >= 0x20 && (unsigned char)ua[i] < 0x7f)
				out[o++] = ua[i];
	out[o] = '\0';
}
