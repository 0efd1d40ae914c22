/*
 * probe.h - what the bridge checks about its Mattermost before serving
 * (`serve` at start-up and on SIGHUP, `check-config`): the published
 * client configuration (version, sign-in settings, MFA), whether login
 * mode can sign anyone in there, and in database mode the columns of
 * Mattermost's tables. /auth/ready repeats the same checks (ready.c).
 */
#ifndef CB_PROBE_H
#define CB_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct config;
struct metrics;
struct mm_server_cache;

/* Checks c's Mattermost: its client configuration, and with tables (in
 * database mode) Mattermost's tables. sc (may be NULL) receives what was
 * learnt; metrics may be NULL. CB_OK; CB_MM_LOGIN_DISABLED (login mode cannot
 * work there) or CB_MMDB_SCHEMA (a table the bridge writes has drifted):
 * the bridge would refuse every click; CB_MM_UNAVAILABLE or
 * CB_MMDB_UNAVAILABLE: not reachable now. msg (cap bytes) gets one line
 * for a person either way, never a secret. */
enum cb_err probe_mattermost(const struct config *c, bool tables, struct mm_server_cache *sc,
    struct metrics *metrics, char *msg, size_t cap) CB_WUR;

#endif
