/*
 * log.c - log output (see log.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "clock.h"
#include "log.h"

/* Part of the loaded configuration: set at start-up and on reload. */
static atomic_int log_format = LOG_JSON;

void
log_set_format(enum log_format f)
{
	atomic_store(&log_format, (int)f);
}

static void
emit(const struct buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(STDERR_FILENO, b->data + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[CB_LOG_MSG_MAX];
	struct buf b;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_init(&b, CB_LOG_LINE_MAX);
	if (logline_message(&b, clock_now_ms(), level, msg, (enum log_format)atomic_load(&log_format)) ==
	    CB_OK)
		emit(&b);
	buf_release(&b);
}

void
log_attempt(const struct attempt *a)
{
	struct buf b;

	buf_init(&b, CB_LOG_LINE_MAX);
	if (logline_attempt(&b, a, (enum log_format)atomic_load(&log_format)) == CB_OK)
		emit(&b);
	buf_release(&b);
}
