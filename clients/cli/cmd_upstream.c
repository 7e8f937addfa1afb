/*
 * cmd_upstream.c - a township's side of its county (docs/county.md):
 * `lawtally upstream status`, what the forwarding has done as the store
 * records it, and `lawtally restore --from-upstream`, a store rebuilt from
 * the events the county holds of this township.
 *
 * The rebuild reads them page by page (View.KIND_FORWARDED) with the
 * township's own key, applies them to a new store beside the data
 * directory, in the county's order (the township's commit order), sets
 * the forwarding cursor past them (the county has them all), and then
 * puts that store in place as `lawtally restore` puts a backup.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "client.h"
#include "config.h"
#include "err.h"
#include "i18n.h"
#include "keyfile.h"
#include "now.h"
#include "store.h"
#include "xalloc.h"

#define EXIT_FAILED 1
#define PAGE_TIMEOUT_MS 20000

const char cmd_upstream_help[] =
	"Usage: lawtally upstream status [-c FILE | -d DIR]\n"
	"\n"
	"What a township's lawtallyd has forwarded to its county (the config's\n"
	"[upstream], docs/county.md), as its store records it: the events not yet\n"
	"acknowledged and how long the oldest has waited, the last acknowledgement,\n"
	"events acknowledged and rejected. The daemon may be running.\n"
	"\n"
	"  -c, --config FILE     the store named by data_dir in lawtallyd's config\n"
	"  -d, --data-dir DIR    the store's directory\n"
	"\n"
	"Exit: 0 printed; 1 the store could not be read; 2 usage.\n";

static void when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !localtime_r(&tt, &tm))
		snprintf(buf, len, "%s", _("never"));
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

int cmd_upstream(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *data_dir = NULL;
	char dir[4096];
	int opt;
	optind = 1;
	if (argc < 2 || strcmp(argv[1], "status") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return cli_usage("upstream", stdout, 0);
		return cli_fail("upstream", "%s", _("which? lawtally upstream status"));
	}
	argc--, argv++;
	while ((opt = getopt_long(argc, argv, ":c:d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'd': data_dir = optarg; break;
		case 'h': return cli_usage("upstream", stdout, 0);
		default: return cli_bad_option("upstream", opt, argv);
		}
	}
	if (optind < argc)
		return cli_extra_arg("upstream", argv[optind]);
	int rc = cli_data_dir("upstream", config, data_dir, dir, sizeof(dir));
	if (rc)
		return rc;
	struct store *s = NULL;
	int made_lock;
	if (cli_store_open("upstream", dir, 0, &s, &made_lock))
		return EXIT_FAILED;
	struct store_snap snap;
	struct store_upstream u;
	uint64_t backlog = 0;
	int64_t oldest = 0;
	int lrc = store_read_begin(s, &snap);
	if (!lrc)
		lrc = store_upstream_get(&snap, &u);
	if (!lrc)
		lrc = store_upstream_backlog(&snap, u.next, &backlog, &oldest);
	store_read_end(&snap);
	cli_store_close(dir, &s, made_lock);
	if (lrc) {
		fprintf(stderr, _("lawtally upstream: %s: cannot read the store: %s\n"), dir,
			lt_strerror(lrc));
		return EXIT_FAILED;
	}
	char last[32], first[32];
	when(u.acked_at, last, sizeof(last));
	when(oldest, first, sizeof(first));
	int64_t age = backlog && oldest ? (int64_t)now_wall() - oldest : 0;
	printf(_("upstream: %llu events not yet acknowledged by the county"),
	       (unsigned long long)backlog);
	if (backlog)
		printf(_(", the oldest received %s (%lld s ago)"), first, (long long)age);
	printf(_("; last acknowledgement %s; %llu events acknowledged, %llu of them rejected "
		 "by the county\n"),
	       last, (unsigned long long)u.acked, (unsigned long long)u.rejected);
	return 0;
}

/* ---- restore --from-upstream -------------------------------------------- */

/* Applies one page of the county's events to s; counts them. Returns an LT_E* code. */
static int apply_page(struct store *s, Lawtally__V1__QueryReply *r, int64_t now,
		      uint64_t *applied, uint64_t *refused)
{
	struct store_item *items = xcalloc(r->n_events ? r->n_events : 1, sizeof(*items));
	struct store_result *res = xcalloc(r->n_events ? r->n_events : 1, sizeof(*res));
	char **township = xcalloc(r->n_events ? r->n_events : 1, sizeof(*township));
	for (size_t i = 0; i < r->n_events; i++) {
		Lawtally__V1__Event *e = r->events[i];
		/* back in its township's store: no township, stored from its sender */
		township[i] = e->township;
		e->township = (char *)protobuf_c_empty_string;
		items[i] = (struct store_item){e, e->source, now, 0, NULL};
	}
	int rc = r->n_events ? store_apply(s, items, r->n_events, res) : 0;
	for (size_t i = 0; i < r->n_events; i++)
		r->events[i]->township = township[i]; /* the reply's own, freed with it */
	free(township);
	for (size_t i = 0; i < r->n_events && !rc; i++) {
		if (res[i].status == STORE_ACCEPTED)
			(*applied)++;
		else
			(*refused)++;
	}
	free(items);
	free(res);
	return rc;
}

static int load_keys(const struct config *c, struct client_keys *k)
{
	char err[512];
	memset(k, 0, sizeof(*k));
	memcpy(k->server_public, c->upstream_server_key, KEYFILE_Z85_LEN);
	k->server_public[KEYFILE_Z85_LEN] = '\0';
	if (keyfile_read(c->upstream_secret_key_file, 1, k->secret_key, err, sizeof(err))) {
		fprintf(stderr, "lawtally restore: %s\n", err);
		return -1;
	}
	if (zmq_curve_public(k->public_key, k->secret_key) != 0) {
		fprintf(stderr, _("lawtally %s: %s: cannot derive the public key: %s\n"), "restore",
			c->upstream_secret_key_file, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* The rebuild into the new store in tmp. Returns 0 or an exit status after a line. */
static int rebuild(const struct config *c, const char *endpoint, const char *tmp,
		   uint64_t *applied, uint64_t *refused)
{
	struct client_keys keys;
	int have_keys = c->upstream_server_key[0] != 0;
	if (have_keys && load_keys(c, &keys))
		return EXIT_USAGE;
	char err[512];
	struct store *s = NULL;
	struct store_options so = {.dir = tmp, .tz_offset = c->tz_offset,
				   .map_size_max = c->map_size_max};
	int lrc = store_open(&s, &so, err, sizeof(err));
	if (lrc) {
		fprintf(stderr, "lawtally restore: %s: %s\n", tmp, err);
		return EXIT_FAILED;
	}
	Lawtally__V1__View view = LAWTALLY__V1__VIEW__INIT;
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	view.kind = LAWTALLY__V1__VIEW__KIND__KIND_FORWARDED;
	q.view = &view;
	q.township = (char *)c->upstream_township;
	int rc = 0;
	do {
		Lawtally__V1__QueryReply *r = NULL;
		lrc = client_query(endpoint, have_keys ? &keys : NULL, &q, PAGE_TIMEOUT_MS, &r);
		if (lrc) {
			fprintf(stderr, _("lawtally restore: the county at %s: %s\n"), endpoint,
				lrc == LT_ETIMEOUT ? _("no answer") : lt_strerror(lrc));
			rc = lrc == LT_ETIMEOUT ? EXIT_UNREACHABLE : EXIT_FAILED;
			break;
		}
		if (r->error[0]) {
			fprintf(stderr, _("lawtally restore: the county refused: %s\n"), r->error);
			rc = EXIT_FAILED;
		} else if ((lrc = apply_page(s, r, (int64_t)now_wall(), applied, refused))) {
			fprintf(stderr, _("lawtally restore: %s: cannot store the events: %s\n"), tmp,
				lt_strerror(lrc));
			rc = EXIT_FAILED;
		}
		view.cursor = r->next_cursor;
		lawtally__v1__query_reply__free_unpacked(r, &xalloc_protobuf);
	} while (!rc && view.cursor);
	if (!rc) {
		/* the county holds every event of this store: nothing to forward again */
		struct store_stats st;
		struct store_snap snap;
		struct store_upstream u = {.acked_at = (int64_t)now_wall(), .acked = *applied};
		lrc = store_read_begin(s, &snap);
		if (!lrc)
			lrc = store_stats(&snap, &st);
		store_read_end(&snap);
		u.next = st.events + 1;
		if (!lrc)
			lrc = store_upstream_set(s, &u);
		if (lrc) {
			fprintf(stderr, _("lawtally restore: %s: cannot write the cursor: %s\n"), tmp,
				lt_strerror(lrc));
			rc = EXIT_FAILED;
		}
	}
	store_close(&s);
	explicit_bzero(&keys, sizeof(keys));
	return rc;
}

/* Removes the rebuilt store's directory (its files, then itself). */
static void remove_tmp(const char *tmp)
{
	static const char *const files[] = {"data.mdb", "lock.mdb", "store.id", STORE_COMMIT_FILE};
	char path[4200];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
		unlink(path);
	}
	rmdir(tmp);
}

int cmd_restore_upstream(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"from-upstream", no_argument, NULL, 'u'},
		{"config", required_argument, NULL, 'c'},
		{"endpoint", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *endpoint = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":c:e:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': break;
		case 'c': config = optarg; break;
		case 'e': endpoint = optarg; break;
		case 'h': return cli_usage("restore", stdout, 0);
		default: return cli_bad_option("restore", opt, argv);
		}
	}
	if (optind < argc)
		return cli_extra_arg("restore", argv[optind]);
	if (!config || !endpoint)
		return cli_fail("restore", "%s",
				_("--from-upstream needs -c FILE (the township's config, with "
				  "[upstream]) and --endpoint E (the county's query endpoint)"));
	struct config *c = xmalloc(sizeof(*c));
	char err[512], tmp[sizeof(c->data_dir) + 16];
	config_defaults(c);
	if (config_load(c, config, err, sizeof(err))) {
		fprintf(stderr, "lawtally restore: %s\n", err);
		free(c);
		return EXIT_USAGE;
	}
	if (!c->upstream_township[0]) {
		free(c);
		return cli_fail("restore", _("%s: no [upstream] township"), config);
	}
	snprintf(tmp, sizeof(tmp), "%s.rebuild", c->data_dir);
	if (mkdir(tmp, 0700) != 0) {
		fprintf(stderr, _("lawtally restore: cannot create %s: %s (a rebuild left over? "
				  "remove it)\n"), tmp, strerror(errno));
		free(c);
		return EXIT_FAILED;
	}
	uint64_t applied = 0, refused = 0;
	int rc = rebuild(c, endpoint, tmp, &applied, &refused);
	if (!rc)
		rc = cli_restore_dir(c->data_dir, tmp);
	remove_tmp(tmp);
	if (!rc)
		printf(_("restore: %llu events of township %s rebuilt from the county (%llu "
			 "refused)\n"),
		       (unsigned long long)applied, c->upstream_township,
		       (unsigned long long)refused);
	free(c);
	return rc;
}
