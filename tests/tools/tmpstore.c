/* tmpstore.c - a store in a fresh temporary directory (see tmpstore.h). */
#include "tmpstore.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static void open_with(struct tmpstore *f, const struct store_options *o)
{
	char err[256];
	if (store_open(&f->s, o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
}

void tmpstore_open(struct tmpstore *f, int read_only)
{
	struct store_options o = {.dir = f->dir, .tz_offset = TMPSTORE_TZ, .read_only = read_only};
	open_with(f, &o);
}

void tmpstore_open_sized(struct tmpstore *f, size_t map_size, size_t map_size_max)
{
	struct store_options o = {.dir = f->dir, .map_size = map_size,
				  .map_size_max = map_size_max, .tz_offset = TMPSTORE_TZ};
	open_with(f, &o);
}

int tmpstore_setup(void **state)
{
	struct tmpstore *f = calloc(1, sizeof(*f));
	if (!f || tmpdir_make(f->dir) != 0) {
		free(f);
		return -1;
	}
	tmpstore_open(f, 0);
	*state = f;
	return 0;
}

int tmpstore_teardown(void **state)
{
	struct tmpstore *f = *state;
	store_close(&f->s);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

int tmpdir_make(char dir[TMPDIR_LEN])
{
	snprintf(dir, TMPDIR_LEN, "/tmp/lawtally-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

void tmpdir_remove(const char *dir)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
