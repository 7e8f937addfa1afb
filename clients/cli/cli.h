/*
 * cli.h - what the subcommands of `lawtally` share: exit codes, the
 * command table's entry type, and small argument parsers.
 *
 * Each subcommand lives in its own file (cmd_send.c, cmd_totals.c, ...)
 * and is listed once in the table of lawtally.c.
 */
#ifndef LAWTALLY_CLI_H
#define LAWTALLY_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"

/* Exit status of `lawtally` (docs/contract.md). */
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

/*
 * Prints the help of a subcommand to out and returns status. To stderr (a
 * usage error without a better line) it prints one line pointing at
 * `lawtally help NAME` instead of the whole text.
 */
int cli_usage(const char *name, FILE *out, int status);

#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * A wrong value or a missing one: "lawtally CMD: " and the message (which
 * says which and why) as one line on stderr. Returns EXIT_USAGE.
 */
int cli_fail(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/*
 * getopt_long's answer opt ('?' or ':', with opterr 0 and the optstring
 * starting with ':' or "+:") as one line naming the option at fault.
 * Returns EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int opt, char **argv);

/*
 * What the default case of an option loop says: opt a getopt error ('?',
 * ':') or a link or view option (-t, -b, -w) whose value arg was refused;
 * one line either way. Returns EXIT_USAGE.
 */
int cli_opt_fail(const char *cmd, int opt, const char *arg, char **argv);

/* An argument left over after the options: one line naming it. Returns EXIT_USAGE. */
int cli_extra_arg(const char *cmd, const char *arg);

/* fen as yuan with thousands separators and two decimals: "2,400.00", into out[32]. */
void cli_yuan(uint64_t fen, char out[32]);

/* The value of environment variable name, or def when unset or empty. */
const char *cli_env_or(const char *name, const char *def);

/* A calendar year 1970..9999 ("2024"); 0 or -1. */
int cli_parse_year(const char *s, unsigned long *year);

/* Seconds (fractions allowed, 0 < s <= 86400) into milliseconds; 0 or -1. */
int cli_parse_timeout(const char *s, int *ms);

/* A decimal number 0..max; 0 or -1. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);

/*
 * The options of every subcommand that sends to lawtallyd: -e/--endpoint,
 * -t/--timeout, -b/--batch, -w/--window, --key and --server-key. A
 * subcommand fills the defaults, passes getopt_long's results it does not
 * handle itself to cli_link_opt, and reads the values afterwards.
 */
struct cli_link {
	const char *endpoint;
	int timeout_ms;
	size_t batch;                   /* events per request, 1..1000 */
	unsigned window;                /* requests in flight, 1..64 */
	const char *key_file, *server_key_file;
};

/* Their getopt_long entries (short forms "e:t:b:w:"); needs <getopt.h> and keys.h. */
#define CLI_LINK_LONGOPTS                                                    \
	{"endpoint", required_argument, NULL, 'e'},                          \
	{"timeout", required_argument, NULL, 't'},                           \
	{"batch", required_argument, NULL, 'b'},                             \
	{"window", required_argument, NULL, 'w'},                            \
	{"key", required_argument, NULL, KEYS_OPT_KEY},                      \
	{"server-key", required_argument, NULL, KEYS_OPT_SERVER_KEY}

/* The defaults: $LAWTALLY_INGEST or DEFAULT_INGEST, 10 s, 500 events, 8 requests. */
struct cli_link cli_link_defaults(void);

/* 1 if opt was one of the link options (taken), 0 if not, -1 if its value is bad. */
int cli_link_opt(struct cli_link *l, int opt, const char *arg);

int cmd_send(int argc, char **argv);
extern const char cmd_send_help[];
int cmd_totals(int argc, char **argv);
extern const char cmd_totals_help[];
int cmd_keygen(int argc, char **argv);
extern const char cmd_keygen_help[];

/* The store on disk, for backup, restore and verify (cli_store.c). */
struct store;
struct store_stats;

/* Where `make install` puts lawtallyd's config. */
#define CLI_PACKAGED_CONFIG "/etc/lawtally/lawtallyd.conf"

/*
 * The data directory: data_dir if given, else the config file's:
 * config_path, else $LAWTALLY_CONFIG, else CLI_PACKAGED_CONFIG when it
 * exists; else the built-in default. Returns 0, or EXIT_USAGE after one
 * line on stderr naming cmd.
 */
int cli_data_dir(const char *cmd, const char *config_path, const char *data_dir, char *out,
		 size_t len);

/*
 * Opens the store in dir read-only (in the store's own zone). Sets
 * *made_lock when this created dir/lock.mdb. With to_copy, a store of an
 * older schema opens too (store_options.old_schema_ok). Returns 0, or an
 * LT_E* code after one line on stderr.
 */
int cli_store_open(const char *cmd, const char *dir, int to_copy, struct store **s,
		   int *made_lock);

/* Closes it; removes a lock.mdb it made if nobody else has the store open. */
void cli_store_close(const char *dir, struct store **s, int made_lock);

/* The store's counts, read in a snapshot of their own. Returns 0 or an LT_E* code. */
int cli_store_stats(struct store *s, struct store_stats *st);

int cmd_backup(int argc, char **argv);
extern const char cmd_backup_help[];
int cmd_restore(int argc, char **argv);
extern const char cmd_restore_help[];
/*
 * Puts the store in the directory backup in place of the one in dir (a
 * stopped daemon's), as `lawtally restore` does. Returns 0, or the exit
 * status after a line on stderr.
 */
int cli_restore_dir(const char *dir, const char *backup);
/* cmd_upstream.c: `restore --from-upstream`, `upstream status` */
int cmd_restore_upstream(int argc, char **argv);
int cmd_upstream(int argc, char **argv);
extern const char cmd_upstream_help[];
int cmd_verify(int argc, char **argv);
extern const char cmd_verify_help[];

/*
 * Spooled delivery (cmd_spool.c), shared by send --spool, import and
 * simulate: events are committed to a local spool (spool.h) first, then
 * forwarded; what the daemon does not acknowledge in time stays spooled.
 */
#define DEFAULT_SPOOL "/var/lib/lawtally-spool"
/* The help line of --spool DIR of agent, import and spool. */
#define SPOOL_HELP \
	"  -s, --spool DIR       the spool (default $LAWTALLY_SPOOL, else LAWTALLY_SPOOL in\n" \
	"                        " AGENT_SETTINGS ", else " DEFAULT_SPOOL ")\n"
/* The agent's settings on a village PC (its unit's EnvironmentFile). */
#define AGENT_SETTINGS "/etc/default/lawtally-agent"
struct client_keys;

struct cli_spool_opts {
	const char *cmd;                /* for messages: "send", "import", ... */
	const char *dir;
	const char *endpoint;
	const struct client_keys *keys; /* NULL: no CurveZMQ */
	size_t batch;
	unsigned window;
	int timeout_ms;
	int quiet;                      /* print only failures and rejections */
	/* called per event answered while this process delivers (not while
	 * another one does), rejections included, which it then reports
	 * itself; may be NULL */
	void (*on_ack)(uint64_t seq, Lawtally__V1__Ack__Status status, const char *reason,
		       void *arg);
	void *ack_arg;
};

/*
 * The agent's settings and the machine's one spool (cli_settings.c).
 * cli_agent_setting: the value of KEY=VALUE in AGENT_SETTINGS into out;
 * 1 if set and not empty, 0 if not (or no file).
 */
int cli_agent_setting(const char *key, char *out, size_t len);

/* $key if set and not empty, else the agent's setting, else def (valid until 4 more calls). */
const char *cli_setting(const char *key, const char *def);

/* dir if given, else $LAWTALLY_SPOOL, else the agent's LAWTALLY_SPOOL, else DEFAULT_SPOOL. */
const char *cli_spool_dir(const char *dir);

/* Where cli_spool_dir(given) took it from: "--spool", "$LAWTALLY_SPOOL", AGENT_SETTINGS or "the default". */
const char *cli_spool_origin(const char *given);

/*
 * The spool `send` uses without --spool: $LAWTALLY_SPOOL, or on a machine
 * that runs an agent (AGENT_SETTINGS exists) the agent's spool; else NULL
 * (send delivers directly).
 */
const char *cli_send_spool(void);

/* Enqueues events durably (creating the spool); *first gets the first's number. Exit status. */
int cli_spool_enqueue(const struct cli_spool_opts *o, struct Lawtally__V1__Event *const *events,
		      size_t n, uint64_t *first);

/*
 * Delivers what the spool holds and reports it; when another process
 * (the agent) holds the sender lock, waits for it to deliver events
 * first..last instead. Returns the exit status (0, 1 rejected, 2, 3).
 */
int cli_spool_deliver(const struct cli_spool_opts *o, uint64_t first, uint64_t last);

/* cli_spool_enqueue() then cli_spool_deliver() of those events. */
int cli_spool_send(const struct cli_spool_opts *o, struct Lawtally__V1__Event *const *events,
		   size_t n);

int cmd_spool(int argc, char **argv);
extern const char cmd_spool_help[];
int cmd_agent(int argc, char **argv);
extern const char cmd_agent_help[];
int cmd_import(int argc, char **argv);
extern const char cmd_import_help[];
int cmd_simulate(int argc, char **argv);
extern const char cmd_simulate_help[];

/*
 * Office views over the query endpoint (cli_view.c), for report,
 * close-year and export: the daemon renders, the client writes it out.
 */
struct Lawtally__V1__QueryRequest;
struct cli_view_opts {
	const char *cmd;                /* for messages: "report", ... */
	const char *endpoint;
	const struct client_keys *keys; /* NULL: no CurveZMQ */
	int timeout_ms;
	/* the options as given, until cli_view_keys loads them */
	const char *key_file, *server_key_file;
	struct client_keys keys_loaded;
};

/*
 * The link options of the office views (report, export, close-year):
 * -e/--endpoint, -t/--timeout, --key, --server-key (short forms "e:t:").
 * Defaults: $LAWTALLY_QUERY or DEFAULT_QUERY, 30 s.
 */
#define CLI_VIEW_LONGOPTS                                                    \
	{"endpoint", required_argument, NULL, 'e'},                          \
	{"timeout", required_argument, NULL, 't'},                           \
	{"key", required_argument, NULL, KEYS_OPT_KEY},                      \
	{"server-key", required_argument, NULL, KEYS_OPT_SERVER_KEY}

struct cli_view_opts cli_view_defaults(const char *cmd);

/* 1 if opt was one of the link options (taken), 0 if not, -1 if its value is bad. */
int cli_view_opt(struct cli_view_opts *o, int opt, const char *arg);

/* Loads the key files given (sets o->keys); 0, or EXIT_USAGE after a line. */
int cli_view_keys(struct cli_view_opts *o);

/*
 * Sends q (with its view set) and writes the reply's document to out.
 * Sets *next_cursor (when not NULL) to the reply's. Returns 0, EXIT_USAGE
 * when the daemon refused the request (its reason on stderr) or out could
 * not be written, EXIT_UNREACHABLE when it did not answer in time.
 */
int cli_view(const struct cli_view_opts *o, const struct Lawtally__V1__QueryRequest *q,
	     FILE *out, uint64_t *next_cursor);

/* An output file written whole or not at all: path.partial, fsync, rename. */
struct cli_out {
	FILE *f;            /* stdout for "-" or no path */
	char path[4096], tmp[4120];
};

/* Opens path (NULL or "-": stdout). Returns 0 or EXIT_USAGE after a line on stderr. */
int cli_out_open(const char *cmd, const char *path, struct cli_out *o);

/*
 * A binary document (format, e.g. "docx") goes to a file or a pipe, never
 * to a terminal: returns 0 if path names a file or stdout is not a
 * terminal, else EXIT_USAGE after a line on stderr saying to use -o.
 */
int cli_out_binary_ok(const char *cmd, const char *path, const char *format);

/* With status 0 commits the file (rename), else removes it. Returns the status. */
int cli_out_close(const char *cmd, struct cli_out *o, int status);

int cmd_report(int argc, char **argv);
extern const char cmd_report_help[];
int cmd_close_year(int argc, char **argv);
extern const char cmd_close_year_help[];
int cmd_senders(int argc, char **argv);
extern const char cmd_senders_help[];
/*
 * Prints what is missing of year (0: every year) in lang (NULL: zh), as
 * `lawtally senders` does, to out. Returns cli_view's status.
 */
int cli_senders_print(struct cli_view_opts *o, unsigned year, const char *lang, FILE *out);
int cmd_export(int argc, char **argv);
extern const char cmd_export_help[];

#endif
