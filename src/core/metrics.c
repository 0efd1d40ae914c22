/*
 * metrics.c - Prometheus counters and histograms (see metrics.h).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "bounds.h"
#include "metrics.h"

#ifndef CB_VERSION	/* set by CMake from the project's version */
#define CB_VERSION "unknown"
#endif

/* Bucket upper bounds in microseconds: 0.1 ms .. 10 s, finer between 1
 * and 5 ms, where the bridge's own time per click lies. */
static const uint64_t bounds_us[] = {
	100, 250, 500, 1000, 2000, 3000, 4000, 5000, 7500, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000, 10000000,
};
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

struct hist {
	atomic_uint_fast64_t bucket[NBOUNDS + 1];	/* last = +Inf */
	atomic_uint_fast64_t sum_us;
	atomic_uint_fast64_t count;
};

/* The last readiness check in one word, so that a scrape sees one check
 * whole: Unix time << 8 | READY_SEEN | for dependency d, bit 2d = checked,
 * bit 2d+1 = up. 0 = no check since the start. */
#define READY_SEEN 0x80u
_Static_assert(MD_COUNT * 2 <= 7, "dependency bits overlap READY_SEEN");

struct metrics {
	atomic_uint_fast64_t attempts[CB_ERR_COUNT];
	atomic_uint_fast64_t reloads_ok, reloads_failed;
	atomic_uint_fast64_t counters[MC_COUNT];
	atomic_uint_fast64_t ready;
	struct hist h[MH_COUNT];
};

static const char *const dep_names[MD_COUNT] = {
	[MD_STORE] = "store",
	[MD_MM] = "mattermost",
	[MD_MMDB] = "mattermost_database",
};

static const struct {
	const char *name;
	const char *help;
} counter_names[MC_COUNT] = {
	[MC_LOGIN_THROTTLED] = {"chat_bridge_mattermost_login_throttled_total",
	    "Logins Mattermost answered 429 (its login rate limit, 5/s per address from 11.3)."},
};

static const struct {
	const char *name;
	const char *help;
} hist_names[MH_COUNT] = {
	[MH_CLICK] = {"chat_bridge_click_seconds", "Time to answer a sign-in request."},
	[MH_MM] = {"chat_bridge_mattermost_request_seconds", "Duration of one Mattermost REST call."},
	[MH_STORE] = {"chat_bridge_store_seconds", "Duration of one bridge-store statement."},
	[MH_MMDB] = {"chat_bridge_mattermost_db_seconds",
	    "Duration of one Mattermost-database statement (database mode)."},
	[MH_SSO] = {"chat_bridge_sso_request_seconds",
	    "Duration of one OAuth2 call to OpenTHC SSO (token, profile)."},
	[MH_OWN] = {"chat_bridge_click_own_seconds",
	    "Time to answer a sign-in request minus the time spent waiting for Mattermost and OpenTHC SSO."},
};

struct metrics *
metrics_new(void)
{
	/* calloc gives all-zero atomics, a valid initial state for the
	 * lock-free integer atomics used here. */
	return calloc(1, sizeof(struct metrics));
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

void
metrics_attempt(struct metrics *m, enum cb_err reason)
{
	if ((unsigned)reason < CB_ERR_COUNT)
		atomic_fetch_add_explicit(&m->attempts[reason], 1, memory_order_relaxed);
}

void
metrics_observe(struct metrics *m, enum metric_hist h, uint64_t us)
{
	struct hist *x;
	size_t i;

	if ((unsigned)h >= MH_COUNT)
		return;
	x = &m->h[h];
	for (i = 0; i < NBOUNDS && us > bounds_us[i]; i++)
		;
	atomic_fetch_add_explicit(&x->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&x->sum_us, us, memory_order_relaxed);
	atomic_fetch_add_explicit(&x->count, 1, memory_order_relaxed);
}

void
metrics_count(struct metrics *m, enum metric_counter c)
{
	if ((unsigned)c < MC_COUNT)
		atomic_fetch_add_explicit(&m->counters[c], 1, memory_order_relaxed);
}

void
metrics_reload(struct metrics *m, int ok)
{
	atomic_fetch_add_explicit(ok ? &m->reloads_ok : &m->reloads_failed, 1,
	    memory_order_relaxed);
}

void
metrics_ready(struct metrics *m, enum cb_err store, enum cb_err mm, const enum cb_err *mmdb,
    int64_t now)
{
	uint64_t w = READY_SEEN;

	w |= 1u << (2 * MD_STORE) | (store == CB_OK ? 1u << (2 * MD_STORE + 1) : 0);
	w |= 1u << (2 * MD_MM) | (mm == CB_OK ? 1u << (2 * MD_MM + 1) : 0);
	if (mmdb != NULL)
		w |= 1u << (2 * MD_MMDB) | (*mmdb == CB_OK ? 1u << (2 * MD_MMDB + 1) : 0);
	w |= (uint64_t)(now > 0 ? now : 0) << 8;
	atomic_store_explicit(&m->ready, w, memory_order_relaxed);
}

static uint64_t
load(atomic_uint_fast64_t *v)
{
	return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

/* chat_bridge_build_info and the last readiness check. */
static void
render_state(struct metrics *m, const char *l, struct buf *b)
{
	uint64_t w = load(&m->ready);
	size_t d;
	int ready = 1;

	buf_printf(b, "# HELP chat_bridge_build_info The bridge's version (the value is always 1).\n"
	    "# TYPE chat_bridge_build_info gauge\n"
	    "chat_bridge_build_info{%s,version=\"" CB_VERSION "\"} 1\n", l);
	if (w & READY_SEEN) {
		for (d = 0; d < MD_COUNT; d++)
			if ((w >> (2 * d) & 3u) == 1u)	/* checked, not up */
				ready = 0;
		buf_printf(b, "# HELP chat_bridge_ready 1 if the last readiness check (/auth/ready) "
		    "passed, else 0.\n# TYPE chat_bridge_ready gauge\nchat_bridge_ready{%s} %d\n"
		    "# HELP chat_bridge_dependency_up 1 if the dependency passed the last readiness "
		    "check, else 0.\n# TYPE chat_bridge_dependency_up gauge\n", l, ready);
		for (d = 0; d < MD_COUNT; d++)
			if (w >> (2 * d) & 1u)
				buf_printf(b, "chat_bridge_dependency_up{%s,dependency=\"%s\"} %u\n",
				    l, dep_names[d], (unsigned)(w >> (2 * d + 1) & 1u));
	}
	buf_printf(b, "# HELP chat_bridge_ready_checked_timestamp_seconds Unix time of the last "
	    "readiness check (/auth/ready); 0 if none since the start.\n"
	    "# TYPE chat_bridge_ready_checked_timestamp_seconds gauge\n"
	    "chat_bridge_ready_checked_timestamp_seconds{%s} %llu\n", l, (unsigned long long)(w >> 8));
}

/* The label pair instance="..." with the value escaped as the text
 * format requires (backslash, double quote, line feed). */
static void
instance_label(struct buf *b, const char *instance)
{
	const char *p;

	buf_adds(b, "instance=\"");
	for (p = instance; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			buf_addc(b, '\\');
		if (*p == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

enum cb_err
metrics_render(struct metrics *m, const char *instance, struct buf *b)
{
	struct buf lb;
	const char *l;
	size_t i, k;

	buf_init(&lb, 4 * CB_INSTANCE_MAX + 16);
	instance_label(&lb, instance);
	if (lb.err != CB_OK) {
		buf_release(&lb);
		return lb.err;
	}
	l = buf_str(&lb);
	buf_adds(b, "# HELP chat_bridge_attempts_total Sign-in attempts by outcome and reason.\n"
	    "# TYPE chat_bridge_attempts_total counter\n");
	for (i = 0; i < CB_ERR_COUNT; i++) {
		uint64_t v = load(&m->attempts[i]);

		if (v == 0 && i != CB_OK)
			continue;
		buf_printf(b, "chat_bridge_attempts_total{%s,outcome=\"%s\",reason=\"%s\"} %llu\n", l,
		    cb_err_outcome((enum cb_err)i), cb_err_reason((enum cb_err)i), (unsigned long long)v);
	}
	buf_printf(b, "# HELP chat_bridge_config_reloads_total Configuration reloads (SIGHUP).\n"
	    "# TYPE chat_bridge_config_reloads_total counter\n"
	    "chat_bridge_config_reloads_total{%s,result=\"ok\"} %llu\n"
	    "chat_bridge_config_reloads_total{%s,result=\"failed\"} %llu\n",
	    l, (unsigned long long)load(&m->reloads_ok), l, (unsigned long long)load(&m->reloads_failed));
	for (k = 0; k < MC_COUNT; k++)
		buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s{%s} %llu\n", counter_names[k].name,
		    counter_names[k].help, counter_names[k].name, counter_names[k].name, l,
		    (unsigned long long)load(&m->counters[k]));
	render_state(m, l, b);
	for (k = 0; k < MH_COUNT; k++) {
		struct hist *x = &m->h[k];
		const char *name = hist_names[k].name;
		uint64_t cum = 0, sum = load(&x->sum_us);

		buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, hist_names[k].help, name);
		for (i = 0; i <= NBOUNDS; i++) {
			cum += load(&x->bucket[i]);
			if (i < NBOUNDS)
				buf_printf(b, "%s_bucket{%s,le=\"%g\"} %llu\n", name, l,
				    (double)bounds_us[i] / 1e6, (unsigned long long)cum);
			else
				buf_printf(b, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, l,
				    (unsigned long long)cum);
		}
		buf_printf(b, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, l, (double)sum / 1e6,
		    name, l, (unsigned long long)load(&x->count));
	}
	buf_release(&lb);
	return b->err;
}
