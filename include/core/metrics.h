/*
 * metrics.h - counters and latency histograms for /auth/metrics
 * (Prometheus text format 0.0.4). Lock-free (C11 atomics); one instance
 * per process, owned by the server and passed to whoever records.
 */
#ifndef CB_METRICS_H
#define CB_METRICS_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

enum metric_hist {
	MH_CLICK = 0,	/* whole /auth/open (or /auth/back) request */
	MH_MM,		/* one Mattermost REST call */
	MH_STORE,	/* one bridge-store statement */
	MH_MMDB,	/* one Mattermost-database statement (database mode) */
	MH_SSO,		/* one OAuth2 call to OpenTHC SSO (token, profile) */
	MH_OWN,		/* MH_CLICK minus the waits for Mattermost and SSO */
	MH_COUNT
};

/* What /auth/ready checks, in chat_bridge_dependency_up{dependency}. */
enum metric_dep {
	MD_STORE = 0,	/* "store": the bridge's PostgreSQL */
	MD_MM,		/* "mattermost": GET /users/me with the bot token */
	MD_MMDB,	/* "mattermost_database": database mode only */
	MD_COUNT
};

/* Plain counters. */
enum metric_counter {
	MC_LOGIN_THROTTLED = 0,	/* Mattermost answered a login 429 (its login rate limit) */
	MC_COUNT
};

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Counts one finished attempt with its reason (outcome is derived). */
void metrics_attempt(struct metrics *m, enum cb_err reason);
/* Adds one to counter c. */
void metrics_count(struct metrics *m, enum metric_counter c);
/* Records one duration in microseconds. */
void metrics_observe(struct metrics *m, enum metric_hist h, uint64_t us);
/* Counts a configuration reload (ok = 1 success, 0 failure). */
void metrics_reload(struct metrics *m, int ok);

/* Records one readiness check (/auth/ready) made at now (Unix seconds):
 * each dependency's result; mmdb NULL when it was not checked (login
 * mode). The last check is exported as chat_bridge_ready,
 * chat_bridge_dependency_up and chat_bridge_ready_checked_timestamp_seconds. */
void metrics_ready(struct metrics *m, enum cb_err store, enum cb_err mm, const enum cb_err *mmdb,
    int64_t now);

/* Appends the exposition text. Every series carries the label
 * instance="<instance>" (escaped), so the series of several bridge hosts
 * stay apart however they are scraped. */
enum cb_err metrics_render(struct metrics *m, const char *instance, struct buf *b);

#endif
