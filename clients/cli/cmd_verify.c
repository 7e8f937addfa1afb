/*
 * cmd_verify.c - `lawtally verify`: recounts the store from its events.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "err.h"
#include "fault.h"
#include "i18n.h"
#include "store.h"

#define EXIT_DIFFERS 1 /* differences found, or the store cannot be read */

const char cmd_verify_help[] =
	"Usage: lawtally verify [-c FILE | -d DIR]\n"
	"\n"
	"Checks the store: every stored record's checksum, and that a lookup by\n"
	"its key finds it; every stored event decodes and is in the id index, and\n"
	"every case and total equals a recount from the stored events alone. Runs\n"
	"in one read transaction beside a running lawtallyd. Prints\n"
	"\"verify: DIR: N events, consistent\"; else every damaged record it meets,\n"
	"one a line with its database, key and bytes (escaped), then the number\n"
	"of damaged records and of differences, and the first differences.\n"
	"\n"
	"  -c, --config FILE     the store named by data_dir in lawtallyd's config\n"
	"                        (default $LAWTALLY_CONFIG, else " CLI_PACKAGED_CONFIG "\n"
	"                        when it exists)\n"
	"  -d, --data-dir DIR    the store's directory (default: the config's, else\n"
	"                        ./var/lawtally)\n"
	"\n"
	"Exit: 0 consistent; 1 damage or differences found, or the store cannot be\n"
	"read;\n"
	"2 usage or config error.\n";

static void print_damaged(const char *line, void *arg)
{
	(void)arg;
	printf("  %s\n", line);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *data_dir = NULL;
	char dir[4096];
	int opt, made_lock;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":c:d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'd': data_dir = optarg; break;
		case 'h': return cli_usage("verify", stdout, 0);
		default: return cli_bad_option("verify", opt, argv);
		}
	}
	if (optind != argc)
		return cli_extra_arg("verify", argv[optind]);
	if (config && data_dir)
		return cli_fail("verify", "%s", _("-c and -d do not go together: -d names the data "
						  "directory, -c the config that names it"));
	int rc = cli_data_dir("verify", config, data_dir, dir, sizeof(dir));
	if (rc)
		return rc;
	struct store *s;
	fault_install("lawtally verify", dir); /* without it, a fault is only less explained */
	if (cli_store_open("verify", dir, 0, &s, &made_lock))
		return EXIT_DIFFERS;
	struct store_verify v;
	struct store_snap snap;
	int lrc = store_read_begin(s, &snap);
	if (!lrc)
		lrc = store_verify_all(&snap, &v, print_damaged, NULL);
	store_read_end(&snap);
	cli_store_close(dir, &s, made_lock);
	if (lrc == 0) {
		printf(_("verify: %s: %llu events, consistent\n"), dir, (unsigned long long)v.events);
		return 0;
	}
	if (lrc != LT_EMISMATCH && lrc != LT_ECORRUPT) {
		fprintf(stderr, _("lawtally verify: %s: the recount stopped: %s\n"), dir,
			lt_strerror(lrc));
		return EXIT_DIFFERS;
	}
	if (v.damaged)
		printf(dngettext(I18N_DOMAIN,
				 "verify: %s: %llu events, %llu damaged record (listed above; "
				 "restore a backup: lawtally restore), %llu differences%s\n",
				 "verify: %s: %llu events, %llu damaged records (listed above; "
				 "restore a backup: lawtally restore), %llu differences%s\n",
				 (unsigned long)v.damaged),
		       dir, (unsigned long long)v.events, (unsigned long long)v.damaged,
		       (unsigned long long)v.mismatches, v.nfirst ? _("; the first:") : "");
	else
		printf(dngettext(I18N_DOMAIN, "verify: %s: %llu events, %llu difference; the first:\n",
				 "verify: %s: %llu events, %llu differences; the first:\n",
				 (unsigned long)v.mismatches),
		       dir, (unsigned long long)v.events, (unsigned long long)v.mismatches);
	for (size_t i = 0; i < v.nfirst; i++)
		printf("  %s\n", v.first[i]);
	return EXIT_DIFFERS;
}
