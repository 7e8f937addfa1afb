/*
 * log.h - one line per notable thing, on stderr, for journald.
 *
 * Lines carry systemd priority prefixes (<2> critical, <3> error, <4>
 * warning, <6> info, <7> debug) and no timestamps or colours: journald
 * adds the time.
 */
#ifndef LAWTALLY_LOG_H
#define LAWTALLY_LOG_H

#define LT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Data the daemon serves can no longer be trusted (a damaged store). */
void log_crit(const char *fmt, ...) LT_PRINTF(1, 2);
void log_err(const char *fmt, ...) LT_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LT_PRINTF(1, 2);
void log_info(const char *fmt, ...) LT_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LT_PRINTF(1, 2);

/* Debug lines are dropped unless enabled. */
void log_set_debug(int on);

/* Logs at error priority and exits with status 1. */
_Noreturn void fatal(const char *fmt, ...) LT_PRINTF(1, 2);

#endif
