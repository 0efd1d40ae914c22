/*
 * log.h - writing log lines to stderr (captured by systemd's journal or
 * the service manager). One write(2) per line so lines from different
 * threads never interleave. Never pass tokens, cookies, passwords or the
 * admin token: log_attempt takes a struct that has no field for them.
 */
#ifndef CB_LOG_H
#define CB_LOG_H

#include "err.h"
#include "logline.h"

/* Sets the line format (from the loaded configuration). */
void log_set_format(enum log_format f);

/* A general message line. */
void log_msg(enum log_level level, const char *fmt, ...) CB_PRINTF(2, 3);

/* The one line per sign-in attempt. */
void log_attempt(const struct attempt *a);

#endif
