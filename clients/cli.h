/*
 * cli.h - what the subcommands of `lawtally` share: exit codes, the
 * command table's entry type, and small argument parsers.
 *
 * Each subcommand lives in its own file (cmd_send.c, cmd_totals.c, ...)
 * and is listed once in the table of lawtally.c.
 */
#ifndef LAWTALLY_CLI_H
#define LAWTALLY_CLI_H

#include <stdio.h>

/* Exit status of `lawtally` (contract.md). */
#define EXIT_REJECTED 1    /* some events rejected or invalid, each listed */
#define EXIT_USAGE 2       /* usage or config error */
#define EXIT_UNREACHABLE 3 /* the daemon could not be reached in time */

#define DEFAULT_INGEST "tcp://127.0.0.1:5570"
#define DEFAULT_QUERY "tcp://127.0.0.1:5571"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the subcommand's name */
	const char *summary;
	const char *help;                 /* full text of `lawtally help NAME` */
};

/* Prints the help of a subcommand to out; returns status (for usage errors). */
int cli_usage(const char *name, FILE *out, int status);

/* The value of environment variable name, or def when unset or empty. */
const char *cli_env_or(const char *name, const char *def);

/* Seconds (fractions allowed, 0 < s <= 86400) into milliseconds; 0 or -1. */
int cli_parse_timeout(const char *s, int *ms);

/* A decimal number 0..max; 0 or -1. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);

int cmd_send(int argc, char **argv);
extern const char cmd_send_help[];
int cmd_totals(int argc, char **argv);
extern const char cmd_totals_help[];

#endif
