/*
 * config.h - lawtallyd's settings: the built-in defaults of docs/contract.md and
 * the INI file that overrides them (`lawtallyd -c FILE`).
 *
 * A config is plain data: no pointers, no allocations, safe to copy with
 * memcpy or assignment. Loading is all or nothing: a file with any error
 * leaves the caller's config exactly as it was, so that a SIGHUP reload of
 * a broken file keeps the daemon on its old settings. Every key, its type,
 * range and default live in one table in config.c; config/lawtallyd.conf is
 * the annotated example, and config_describe() prints the same form.
 */
#ifndef LAWTALLY_CONFIG_H
#define LAWTALLY_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "villages.h"

/* Values of `auth`. */
#define CONFIG_AUTH_OFF "off"
#define CONFIG_AUTH_CURVE "curve"

struct config {
	/* [ingest] endpoint: ZeroMQ ROUTER for SubmitRequests (tcp://, ipc://, inproc://) */
	char ingest_endpoint[256];
	/* [query] endpoint: ZeroMQ ROUTER for QueryRequests; never equal to the ingest one */
	char query_endpoint[256];
	/*
	 * [http] listen: "HOST:PORT" or "[IPV6]:PORT"; port 0 asks for any free
	 * port. "" means HTTP is off (the file may say `off` or leave it empty).
	 */
	char http_listen[128];
	/* [daemon] data_dir: the store's directory; never empty */
	char data_dir[4096];
	/* [daemon] timezone: seconds east of UTC, -43200..50400 */
	int32_t tz_offset;
	/* [daemon] map_size_max_mb, in bytes (a whole number of MiB) */
	uint64_t map_size_max;
	/*
	 * [daemon] map_size_initial_mb, in bytes; never above map_size_max. When
	 * the file sets only the maximum, and it is below the default initial
	 * size, the initial size follows it down.
	 */
	uint64_t map_size_initial;
	/* [ingest] batch_events_max: events in one write transaction, 1..65536 */
	unsigned batch_events_max;
	/* [ingest] request_events_max: events in one SubmitRequest, 1..1000 */
	unsigned request_events_max;
	/* [ingest] frame_bytes_max: ZMQ_MAXMSGSIZE, 1024..16777216 */
	unsigned frame_bytes_max;
	/* [ingest] receive_hwm: ZMQ_RCVHWM and ZMQ_SNDHWM, 1..1000000 */
	int receive_hwm;
	/* [http] timeout_s: seconds an HTTP connection may idle, 1..3600 */
	unsigned http_timeout_s;
	/* [http] connections_max: concurrent HTTP connections, 1..10000 */
	unsigned http_connections_max;
	/* [ingest] auth: CONFIG_AUTH_OFF or CONFIG_AUTH_CURVE, always lower case */
	char auth[16];
	/*
	 * [auth] server_secret_key_file: the daemon's CurveZMQ secret key (Z85);
	 * "" means the systemd credential server.key ($CREDENTIALS_DIRECTORY)
	 */
	char auth_secret_key_file[4096];
	/* [auth] clients_dir: one NAME.client file per client key (docs/keys.md) */
	char auth_clients_dir[4096];
	/* [auth] connections_per_key: ZeroMQ connections one client key may hold, 1..10000 */
	unsigned auth_connections_per_key;
	/* [http] token_file: bearer token HTTP requires; "" for none (loopback only) */
	char http_token_file[4096];
	/* [report] templates: directory of report.zh.txt / report.en.txt; "" built in */
	char report_templates[4096];
	/* [report] silent_days: senders not heard for longer are flagged, 1..3650 */
	unsigned report_silent_days;
	/* [daemon] log_debug: 0 or 1 */
	int log_debug;
	/* [store] scrub_period_s: seconds from one scrub pass's start to the next, 0..31536000; 0 off */
	unsigned scrub_period_s;
	/*
	 * [upstream] (docs/county.md): a township forwarding what it stores to
	 * its county. endpoint: the county's ingest ROUTER, "" for none; with
	 * one, township is required (1-12 of A-Z a-z 0-9 _ -).
	 */
	char upstream_endpoint[256];
	char upstream_township[16];
	/* [upstream] name: the township's name, for its own status lines */
	char upstream_name[64];
	/*
	 * [upstream] server_public_key: the county's public key (Z85, 40
	 * characters) when the county has auth = curve, "" when not; then
	 * secret_key_file names this township's secret key file (required).
	 */
	char upstream_server_key[48];
	char upstream_secret_key_file[4096];
	/* [upstream] batch_events: events in one forwarded request, 1..1000 */
	unsigned upstream_batch_events;
	/* [villages]: replaces the built-in 41 when the file has the section */
	struct villages villages;
};

/*
 * Sets every field to its built-in default (docs/contract.md): the values the
 * daemon runs with when no file is given, the 41 villages included.
 */
void config_defaults(struct config *c);

/*
 * Loads the INI file at path: the defaults, overridden by the file's keys.
 * Returns 0 with *c replaced, or an LT_E* code with *c untouched and one
 * line in err (when err is not NULL and errlen > 0), always naming the file
 * as given and, for errors in its text, the line:
 *   LT_EINVAL  "lawtallyd.conf:12: [ingest] batch_events_max = 0: must be 1..65536"
 *   LT_ESYS    "lawtallyd.conf: cannot open: No such file or directory"
 *              (or "cannot read: ..." when reading fails midway)
 * Lines may be at most CONFIG_LINE_MAX bytes; multi-line values, unknown
 * sections or keys, a key set twice and an empty [villages] are errors.
 * Uses about 100 KiB of heap while it runs; nothing stays allocated.
 */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/*
 * The same from a NUL-terminated text in memory (tests, fuzzing); messages
 * name it "<string>".
 */
int config_load_string(struct config *c, const char *text, char *err, size_t errlen);

/*
 * Writes c to out as an INI file that config_load() reads back to the same
 * config: every key in table order with its one-line help as a comment,
 * then the village list. Values that INI cannot carry (leading or trailing
 * blanks, " ;") are printed as they are and would not survive the trip;
 * a loaded config never holds them.
 */
void config_describe(const struct config *c, FILE *out);

/*
 * The longest line accepted, in bytes without the line end. inih reads
 * lines into a buffer of ini_max_line bytes (200 in Debian's build), which
 * needs 3 bytes of slack; a longer line is refused, never cut.
 */
#define CONFIG_LINE_MAX 197

#endif
