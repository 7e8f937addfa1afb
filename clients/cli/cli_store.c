/*
 * cli_store.c - how `lawtally backup`, `restore` and `verify` find and open
 * the store: --data-dir DIR, else data_dir from lawtallyd's config (-c
 * FILE, else $LAWTALLY_CONFIG, else the packaged /etc/lawtally/lawtallyd.conf
 * when it exists, as on the township's server after `make install`), else
 * the built-in ./var/lawtally; opened read-only in this process, beside a
 * daemon that may be running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "config.h"
#include "datadir.h"
#include "err.h"
#include "store.h"
#include "xalloc.h"

int cli_data_dir(const char *cmd, const char *config_path, const char *data_dir, char *out,
		 size_t len)
{
	if (data_dir) {
		if (!*data_dir || snprintf(out, len, "%s", data_dir) >= (int)len) {
			fprintf(stderr, _("lawtally %s: --data-dir: empty or too long\n"), cmd);
			return EXIT_USAGE;
		}
		return 0;
	}
	struct config *c = xmalloc(sizeof(*c));
	char err[512];
	config_defaults(c);
	if (!config_path) {
		const char *env = getenv("LAWTALLY_CONFIG");
		if (env && *env)
			config_path = env;
		else if (access(CLI_PACKAGED_CONFIG, F_OK) == 0)
			config_path = CLI_PACKAGED_CONFIG;
	}
	if (config_path && config_load(c, config_path, err, sizeof(err))) {
		fprintf(stderr, "lawtally %s: %s\n", cmd, err);
		free(c);
		return EXIT_USAGE;
	}
	int rc = snprintf(out, len, "%s", c->data_dir) >= (int)len ? EXIT_USAGE : 0;
	if (rc)
		fprintf(stderr, _("lawtally %s: data_dir too long\n"), cmd);
	free(c);
	return rc;
}

int cli_store_open(const char *cmd, const char *dir, int to_copy, struct store **s,
		   int *made_lock)
{
	char lock[4200], err[512];
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	*made_lock = access(lock, F_OK) != 0;
	struct store_options o = {.dir = dir, .read_only = 1, .old_schema_ok = to_copy};
	int rc = store_open(s, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lawtally %s: %s: %s\n", cmd, dir,
			rc == LT_ENOTFOUND ? "no store there" : err);
		if (*made_lock)
			unlink(lock);
	}
	return rc;
}

void cli_store_close(const char *dir, struct store **s, int made_lock)
{
	char lock[4200];
	long pid;
	store_close(s);
	/* leave a backup directory as it was: data.mdb alone */
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	if (made_lock && datadir_opener(dir, &pid) == 0)
		unlink(lock);
}

int cli_store_stats(struct store *s, struct store_stats *st)
{
	struct store_snap snap;
	int rc = store_read_begin(s, &snap);
	if (!rc)
		rc = store_stats(&snap, st);
	store_read_end(&snap);
	return rc;
}
