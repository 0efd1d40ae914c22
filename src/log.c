/*
 * log.c - log output (see log.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

/* Part of the loaded configuration: set at start-up and on reload. */
static atomic_int log_format = LOG_JSON;

void
log_set_format(enum log_format f)
{
	atomic_store(&log_format, (int)f);
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
log_msg(const char *level, const char *fmt, ...)
{
	char msg[1024];
	struct buf b;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_init(&b, 4096);
	if (logline_message(&b, now_ms(), level, msg, (enum log_format)atomic_load(&log_format)) ==
	    CB_OK)
		emit(&b);
	buf_release(&b);
}

void
log_attempt(const struct attempt *a)
{
	struct buf b;

	buf_init(&b, 4096);
	if (logline_attempt(&b, a, (enum log_format)atomic_load(&log_format)) == CB_OK)
		emit(&b);
	buf_release(&b);
}
