/*
 * logline.h - one log line per attempt (product.md "Operations"): outcome,
 * reason code, issuer, hashed subject, Mattermost user id, latency. Never
 * tokens, cookies, passwords or the admin token: the struct has no field
 * that could hold one.
 */
#ifndef CB_LOGLINE_H
#define CB_LOGLINE_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

enum log_format { LOG_JSON = 0, LOG_TEXT = 1 };

/* Severity of a general message line. */
enum log_level { LOG_INFO = 0, LOG_WARN = 1, LOG_ERROR = 2 };

struct attempt {
	int64_t ts_ms;
	const char *request_id;
	const char *route;
	const char *method;
	const char *client;		/* REMOTE_ADDR from the web server */
	int status;
	enum cb_err reason;
	const char *detail;		/* optional safe detail, e.g. a Mattermost error id */
	const char *iss;
	const char *sub;		/* never logged: the shell sets sub_hash */
	const char *sub_hash;		/* the contact's pseudonym (store_pseudonym) */
	const char *mm_user_id;
	const char *mode;		/* session mode */
	const char *via;		/* "token" or "sso" */
	uint64_t latency_us;
	uint64_t upstream_us;		/* of latency_us: waiting for Mattermost
					 * (REST, database) and OpenTHC SSO */
	int user_created;
	int teams_added;
	int profile_synced;		/* the Mattermost profile was updated */
	int r_ignored;
	unsigned retry_after;		/* seconds the browser was told to wait */
};

/* "ok", "refused" (4xx) or "error" (5xx). */
const char *attempt_outcome(const struct attempt *a);

/* Appends the attempt as one line (with '\n') in format f. */
enum cb_err logline_attempt(struct buf *b, const struct attempt *a, enum log_format f);

/* Appends a general message line. */
enum cb_err logline_message(struct buf *b, int64_t ts_ms, enum log_level level, const char *msg,
    enum log_format f);

#endif
