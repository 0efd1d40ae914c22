/*
 * useragent.c - User-Agent heuristics (see useragent.h).
 *
 * Mattermost parses the User-Agent with the uasurfer library
 * (app/user_agent.go); this is a small approximation of it that gives the
 * same answers for the browsers, apps and tools people use, and the same
 * answers as the emulator's (tests/emulator/mmemu/useragent.py):
 *   platform: iPad, iPhone, iPod, Windows Phone, BlackBerry, Macintosh,
 *             Linux (also Android and Chrome OS), Windows; unknown is
 *             "Windows" (uasurfer's PlatformUnknown maps there);
 *   os:       Windows 10/8.1/8/7/Vista/XP from "Windows NT x.y", Windows
 *             Phone, iOS, Android, Chrome OS, Mac OS, BlackBerry, Kindle,
 *             Linux; unknown is "";
 *   browser:  "Name/version", version major.minor, or major.minor.patch
 *             when patch is not 0; the desktop app ("Mattermost/x" or
 *             Electron) is "Desktop App", the mobile app "Mobile App",
 *             an unknown client "Unknown/0.0".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "useragent.h"
#include "util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct marker {
	const char *in_ua;
	const char *name;
};

/* First match wins. */
static const struct marker platforms[] = {
	{"iPad", "iPad"}, {"iPhone", "iPhone"}, {"iPod", "iPod"}, {"Windows Phone", "Windows Phone"},
	{"BlackBerry", "BlackBerry"}, {"BB10", "BlackBerry"}, {"Macintosh", "Macintosh"},
	{"Android", "Linux"}, {"CrOS", "Linux"}, {"Linux", "Linux"}, {"X11", "Linux"},
	{"Windows", "Windows"},
};

/* After "Windows Phone" and "Windows NT x.y". */
static const struct marker oses[] = {
	{"Windows", "Windows"}, {"iPhone", "iOS"}, {"iPad", "iOS"}, {"iPod", "iOS"},
	{"Android", "Android"}, {"CrOS", "Chrome OS"}, {"Mac OS X", "Mac OS"},
	{"Macintosh", "Mac OS"}, {"BlackBerry", "BlackBerry"}, {"BB10", "BlackBerry"},
	{"Kindle", "Kindle"}, {"Linux", "Linux"}, {"X11", "Linux"},
};

static const struct marker windows_nt[] = {
	{"5.1", "Windows XP"}, {"5.2", "Windows XP"}, {"6.0", "Windows Vista"}, {"6.1", "Windows 7"},
	{"6.2", "Windows 8"}, {"6.3", "Windows 8.1"}, {"10.0", "Windows 10"},
};

/* Product tokens, in order: Edge and Opera also claim Chrome, Chrome
 * claims Safari. */
static const struct marker browsers[] = {
	{"Edg/", "Edge"}, {"Edge/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
	{"CriOS/", "Chrome"}, {"Chrome/", "Chrome"},
};

static const char *
match(const struct marker *m, size_t n, const char *ua)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(ua, m[i].in_ua) != NULL)
			return m[i].name;
	return NULL;
}

/* Reads up to three dot-separated numbers after p (missing ones 0). */
static void
read_version(const char *p, unsigned long v[3])
{
	size_t i;

	v[0] = v[1] = v[2] = 0;
	for (i = 0; i < 3; i++) {
		char *end;

		if (*p < '0' || *p > '9')
			return;
		v[i] = strtoul(p, &end, 10);
		if (v[i] > 999999)
			v[i] = 999999;
		if (*end != '.')
			return;
		p = end + 1;
	}
}

/* "label/major.minor[.patch]" from the number after token in ua
 * ("0.0" if token is absent); the patch only when it is not 0. */
static void
product(const char *ua, const char *token, const char *label, char *out, size_t cap)
{
	const char *p = strstr(ua, token);
	unsigned long v[3] = {0, 0, 0};

	if (p != NULL)
		read_version(p + strlen(token), v);
	if (v[2] == 0)
		(void)snprintf(out, cap, "%s/%lu.%lu", label, v[0], v[1]);
	else
		(void)snprintf(out, cap, "%s/%lu.%lu.%lu", label, v[0], v[1], v[2]);
}

/* "label/" and the word after token, as sent (the apps' own versions). */
static void
app(const char *after, const char *label, char *out, size_t cap)
{
	size_t n = strcspn(after, " \t");

	(void)snprintf(out, cap, "%s/%.*s", label, (int)(n > 64 ? 64 : n), after);
}

static void
set(char *out, size_t cap, const char *s)
{
	(void)snprintf(out, cap, "%s", s);
}

void
ua_parse(const char *ua, struct ua_info *out)
{
	static const char *const mobile[] = {"Mobile", "Android", "iOS", "iPhone", "iPad"};
	const char *p, *name;
	size_t i;

	if (ua == NULL)
		ua = "";
	out->mobile = false;
	for (i = 0; ua[0] != '\0' && i < N(mobile); i++)
		if (strstr(ua, mobile[i]) != NULL)
			out->mobile = true;

	name = match(platforms, N(platforms), ua);
	set(out->platform, sizeof(out->platform), name != NULL ? name : "Windows");

	name = NULL;
	if (strstr(ua, "Windows Phone") != NULL) {
		name = "Windows Phone";
	} else if ((p = strstr(ua, "Windows NT ")) != NULL) {
		p += strlen("Windows NT ");
		for (i = 0; i < N(windows_nt) && name == NULL; i++) {
			size_t n = strlen(windows_nt[i].in_ua);

			if (strncmp(p, windows_nt[i].in_ua, n) == 0 && (p[n] < '0' || p[n] > '9'))
				name = windows_nt[i].name;
		}
		if (name == NULL)
			name = "Windows";
	} else {
		name = match(oses, N(oses), ua);
	}
	set(out->os, sizeof(out->os), name != NULL ? name : "");

	if ((p = strstr(ua, "Mattermost/")) != NULL) {
		app(p + strlen("Mattermost/"), "Desktop App", out->browser, sizeof(out->browser));
	} else if (strstr(ua, "Electron") != NULL) {
		product(ua, "Electron/", "Desktop App", out->browser, sizeof(out->browser));
	} else if ((p = strstr(ua, "Mattermost Mobile/")) != NULL) {
		app(p + strlen("Mattermost Mobile/"), "Mobile App", out->browser, sizeof(out->browser));
	} else {
		for (i = 0; i < N(browsers); i++)
			if (strstr(ua, browsers[i].in_ua) != NULL)
				break;
		if (i < N(browsers))
			product(ua, browsers[i].in_ua, browsers[i].name, out->browser,
			    sizeof(out->browser));
		else if (strstr(ua, "Safari/") != NULL && strstr(ua, "Version/") != NULL)
			product(ua, "Version/", "Safari", out->browser, sizeof(out->browser));
		else if (strstr(ua, "MSIE ") != NULL)
			product(ua, "MSIE ", "Internet Explorer", out->browser, sizeof(out->browser));
		else if (strstr(ua, "Trident/") != NULL)
			product(ua, "rv:", "Internet Explorer", out->browser, sizeof(out->browser));
		else
			set(out->browser, sizeof(out->browser), "Unknown/0.0");
	}
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
