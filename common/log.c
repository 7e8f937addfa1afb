/* log.c - stderr logging with systemd priority prefixes (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int debug_on;

void log_set_debug(int on)
{
	debug_on = on;
}

/* One fprintf per line so that concurrent writers do not interleave. */
static void vlog(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "<%d>%s\n", prio, line);
}

#define LOG_FN(name, prio)                         \
	void name(const char *fmt, ...)            \
	{                                          \
		va_list ap;                        \
		va_start(ap, fmt);                 \
		vlog(prio, fmt, ap);               \
		va_end(ap);                        \
	}

LOG_FN(log_crit, 2)
LOG_FN(log_err, 3)
LOG_FN(log_warn, 4)
LOG_FN(log_info, 6)

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (!debug_on)
		return;
	va_start(ap, fmt);
	vlog(7, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(3, fmt, ap);
	va_end(ap);
	exit(1);
}
