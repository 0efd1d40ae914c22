/*
 * useragent.h - the platform/os/browser session props Mattermost derives
 * from a login's User-Agent (mattermost-behaviour.md 3.2), approximated
 * for sessions the bridge writes itself in database mode; and the
 * sanitised User-Agent the bridge forwards to Mattermost's login.
 */
#ifndef CB_USERAGENT_H
#define CB_USERAGENT_H

#include <stdbool.h>

#include "bounds.h"

struct ua_info {
	char platform[32];
	char os[32];
	char browser[96];	/* "Name/version" */
	bool mobile;	/* Mattermost's IsMobileRequest keywords */
};

/* Fills *out from ua like Mattermost's login does (NULL or "": platform
 * "Windows", os "", browser "Unknown/0.0", not mobile). */
void ua_parse(const char *ua, struct ua_info *out);

/* Copies ua into out, keeping visible ASCII and spaces only, cut at
 * CB_USER_AGENT_MAX bytes; "" if ua is NULL. */
void ua_sanitize(const char *ua, char out[CB_USER_AGENT_MAX + 1]);

#endif
