/*
 * cmd_backup.c - `lawtally backup DEST` and `lawtally restore BACKUP`.
 *
 * A backup is a directory holding one file, data.mdb: a compacted copy of
 * the store made from one read transaction, while lawtallyd runs. A
 * restore copies a backup over the store of a stopped daemon, then writes
 * the backup's identity into the directory's store.id (datadir.h). Both
 * write through store_backup(): a private temporary file, fsync, rename,
 * fsync of the directory.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "datadir.h"
#include "err.h"
#include "i18n.h"
#include "store.h"

#define EXIT_FAILED 1 /* backup or restore not done; nothing half-written is left */

const char cmd_backup_help[] =
	"Usage: lawtally backup [-c FILE | -d DIR] DEST\n"
	"\n"
	"Writes a compacted, consistent copy of the store to the directory DEST\n"
	"while lawtallyd runs: one read transaction, the daemon goes on committing.\n"
	"DEST is created (mode 0700) if missing and must not hold a backup yet.\n"
	"The copy, DEST/data.mdb (mode 0600), is synced to disk before this says\n"
	"it is done. Check it with `lawtally verify -d DEST`; put it back with\n"
	"`lawtally restore`.\n"
	"\n"
	"  -c, --config FILE     the store named by data_dir in lawtallyd's config\n"
	"                        (default $LAWTALLY_CONFIG, else " CLI_PACKAGED_CONFIG "\n"
	"                        when it exists)\n"
	"  -d, --data-dir DIR    the store's directory (default: the config's, else\n"
	"                        ./var/lawtally)\n"
	"\n"
	"Exit: 0 done; 1 the copy failed (nothing is left in DEST); 2 usage or\n"
	"config error.\n";

const char cmd_restore_help[] =
	"Usage: lawtally restore [-c FILE | -d DIR] BACKUP\n"
	"       lawtally restore --from-upstream -c FILE --endpoint E\n"
	"\n"
	"Replaces the store with the backup in the directory BACKUP (made by\n"
	"`lawtally backup`). Stop lawtallyd first (systemctl stop lawtallyd):\n"
	"restore refuses while a daemon, a backup or a verify has the store open,\n"
	"and a daemon cannot start while it runs. The backup must open as a\n"
	"lawtally store; it is copied next to the store, synced, and renamed over\n"
	"data.mdb, so that a crash leaves the old store or the restored one, never\n"
	"a mix; then store.id in the directory names the restored store. A data\n"
	"directory whose store was lost (data.mdb missing, empty or replaced) is\n"
	"brought back this way. Run as root, the restored file gets the data\n"
	"directory's owner. Then start lawtallyd and run `lawtally verify`.\n"
	"\n"
	"  -c, --config FILE     the store named by data_dir in lawtallyd's config\n"
	"                        (default $LAWTALLY_CONFIG, else " CLI_PACKAGED_CONFIG "\n"
	"                        when it exists)\n"
	"  -d, --data-dir DIR    the store's directory (default: the config's, else\n"
	"                        ./var/lawtally)\n"
	"\n"
	"With --from-upstream, a township rebuilds its store from its county\n"
	"(docs/county.md): every event it had forwarded is read back from the\n"
	"county's query endpoint E with the keys of the config's [upstream], into\n"
	"a new store that is then restored as a backup would be. What had not\n"
	"been forwarded yet cannot come back.\n"
	"\n"
	"Exit: 0 restored; 1 refused or failed (the old store is as it was);\n"
	"2 usage or config error; 3 the county did not answer.\n";

/* Options common to both: -c FILE, -d DIR and one path. -1: help was printed. */
static int parse(const char *cmd, int argc, char **argv, char *dir, size_t dirlen,
		 const char **path)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *data_dir = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":c:d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'd': data_dir = optarg; break;
		case 'h': return cli_usage(cmd, stdout, -1);
		default: return cli_bad_option(cmd, opt, argv);
		}
	}
	if (optind == argc || !*argv[optind])
		return cli_fail(cmd, _("which %s? lawtally %s [-c FILE | -d DIR] %s"),
				strcmp(cmd, "backup") == 0 ? _("directory to write") : _("backup"), cmd,
				strcmp(cmd, "backup") == 0 ? "DEST" : "BACKUP");
	if (optind + 1 < argc)
		return cli_extra_arg(cmd, argv[optind + 1]);
	if (config && data_dir)
		return cli_fail(cmd, "%s", _("-c and -d do not go together: -d names the data directory, "
					     "-c the config that names it"));
	*path = argv[optind];
	return cli_data_dir(cmd, config, data_dir, dir, dirlen);
}

/* Makes dir (0700) if it is missing; *made says whether it did. */
static int make_dir(const char *cmd, const char *dir, int *made)
{
	*made = mkdir(dir, 0700) == 0;
	if (!*made && errno != EEXIST) {
		fprintf(stderr, _("lawtally %s: cannot create %s: %s\n"), cmd, dir, strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}

/* A new directory's name lasts only once its parent is synced too. */
static int sync_parent(const char *dir)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", dir);
	return datadir_sync(dirname(copy));
}

int cmd_backup(int argc, char **argv)
{
	char dir[4096], err[512];
	const char *dest;
	int rc = parse("backup", argc, argv, dir, sizeof(dir), &dest);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct store *s = NULL, *copy = NULL;
	int made_lock, made_dest, copy_lock;
	uint64_t bytes = 0;
	struct store_stats st = {0};
	if (cli_store_open("backup", dir, 0, &s, &made_lock))
		return EXIT_FAILED;
	rc = make_dir("backup", dest, &made_dest);
	if (rc)
		goto store_close;
	int lrc = store_backup(s, dest, 0, &bytes, err, sizeof(err));
	if (lrc) {
		fprintf(stderr, "lawtally backup: %s\n", err);
		rc = EXIT_FAILED;
		goto rmdir_dest;
	}
	if (made_dest && sync_parent(dest) != 0) {
		fprintf(stderr, _("lawtally backup: cannot sync the directory above %s: %s\n"), dest,
			strerror(errno));
		rc = EXIT_FAILED;
		goto store_close;
	}
	/* the copy must open as a store: count what it holds */
	if (cli_store_open("backup", dest, 0, &copy, &copy_lock) || cli_store_stats(copy, &st)) {
		fprintf(stderr, _("lawtally backup: the copy in %s does not read back\n"), dest);
		rc = EXIT_FAILED;
	} else {
		printf(_("backup: %s/data.mdb: %llu events, %llu KiB, synced\n"), dest,
		       (unsigned long long)st.events, (unsigned long long)(bytes >> 10));
	}
	if (copy)
		cli_store_close(dest, &copy, copy_lock);
	goto store_close;

rmdir_dest:
	if (made_dest)
		rmdir(dest);
store_close:
	cli_store_close(dir, &s, made_lock);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	char dir[4096];
	const char *backup;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--from-upstream") == 0)
			return cmd_restore_upstream(argc, argv);
	int rc = parse("restore", argc, argv, dir, sizeof(dir), &backup);
	if (rc)
		return rc < 0 ? 0 : rc;
	return cli_restore_dir(dir, backup);
}

int cli_restore_dir(const char *dir, const char *backup)
{
	char err[512], real_dir[PATH_MAX], real_bk[PATH_MAX];
	int rc = 0;
	int made_dir, lock_fd = -1, bk_lock;
	long pid;
	struct store *bk = NULL;
	struct store_stats st = {0};
	uint64_t bytes = 0;
	if (make_dir("restore", dir, &made_dir))
		return EXIT_FAILED;
	if (realpath(dir, real_dir) && realpath(backup, real_bk) && !strcmp(real_dir, real_bk)) {
		fprintf(stderr, _("lawtally restore: %s is the data directory itself\n"), backup);
		return EXIT_USAGE;
	}
	if (datadir_lock(dir, &lock_fd, err, sizeof(err))) {
		fprintf(stderr, _("lawtally restore: %s: stop lawtallyd first\n"), err);
		return EXIT_FAILED;
	}
	if (datadir_opener(dir, &pid)) {
		fprintf(stderr, _("lawtally restore: the store in %s is open in process %ld (a lawtally "
				"backup or verify): wait for it\n"), dir, pid);
		rc = EXIT_FAILED;
		goto unlock;
	}
	if (cli_store_open("restore", backup, 1, &bk, &bk_lock)) {
		rc = EXIT_FAILED;
		goto unlock;
	}
	int lrc = cli_store_stats(bk, &st);
	if (lrc)
		snprintf(err, sizeof(err), "%s: cannot read it: %s", backup, lt_strerror(lrc));
	else
		lrc = store_backup(bk, dir, 1, &bytes, err, sizeof(err));
	if (lrc) {
		fprintf(stderr, "lawtally restore: %s\n", err);
		rc = EXIT_FAILED;
		goto store_close;
	}
	if (made_dir && sync_parent(dir) != 0) {
		fprintf(stderr, _("lawtally restore: cannot sync the directory above %s: %s\n"), dir,
			strerror(errno));
		rc = EXIT_FAILED;
		goto store_close;
	}
	/* the directory now holds the backup's store: store.id says which */
	uint8_t id[DATADIR_ID_LEN];
	char idtext[DATADIR_ID_TEXT + 1] = "";
	if (store_identity(bk, id)) {
		datadir_id_format(id, idtext);
		lrc = datadir_id_write(dir, id, err, sizeof(err));
	} else {
		lrc = datadir_id_remove(dir, err, sizeof(err));
	}
	if (lrc) {
		fprintf(stderr, "lawtally restore: %s (data.mdb is restored; run the restore again)\n",
			err);
		rc = EXIT_FAILED;
		goto store_close;
	}
	int32_t tz = store_tz_offset(bk);
	printf(_("restore: %s/data.mdb now holds the backup %s: %llu events, %llu KiB, counted in "
		 "UTC%+03d:%02d, %s%s; start lawtallyd, then run lawtally verify\n"),
	       dir, backup, (unsigned long long)st.events, (unsigned long long)(bytes >> 10),
	       tz / 3600, abs(tz % 3600) / 60,
	       idtext[0] ? _("store ") : _("made by a lawtally before store identities (lawtallyd "
					"migrates it when it starts)"),
	       idtext);
store_close:
	cli_store_close(backup, &bk, bk_lock);
unlock:
	datadir_unlock(&lock_fd);
	return rc;
}
