/*
 * replay.c - runs a fuzz target over its saved inputs, as a unit test.
 *
 *   replay_NAME            every file of tests/fuzz/corpus/NAME (the seeds,
 *                          at least one) and tests/fuzz/regress/NAME (each
 *                          crash `make fuzz` ever found)
 *   replay_NAME FILE...    just those files, to reproduce a crash
 *
 * NAME comes from the program's own name. The directories are found under
 * $LAWTALLY_SRCDIR, or the current directory (the repository root, where
 * `make unit` runs). A crash is a crash: the sanitizers of the build name it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define INPUT_MAX (16u << 20)

static unsigned char *buf;

/* Runs the target on one file. Returns 0, or -1 if it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, INPUT_MAX, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		return -1;
	}
	/* a copy of exactly n bytes, so that ASan sees reads past the input */
	unsigned char *input = malloc(n ? n : 1);
	if (!input) {
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	memcpy(input, buf, n);
	LLVMFuzzerTestOneInput(input, n);
	free(input);
	return 0;
}

static int only_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Replays every file of dir; returns how many, or -1. A missing dir is 0 unless required. */
static long replay_dir(const char *dir, int required)
{
	struct dirent **list;
	int n = scandir(dir, &list, only_files, alphasort);
	if (n < 0) {
		if (!required && errno == ENOENT)
			return 0;
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	long done = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (done >= 0 && replay_file(path) == 0)
			done++;
		else
			done = -1;
		free(list[i]);
	}
	free(list);
	if (required && done == 0) {
		fprintf(stderr, "replay: %s: no seeds\n", dir);
		return -1;
	}
	return done;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/');
	self = self ? self + 1 : argv[0];
	const char *name = strncmp(self, "replay_", 7) == 0 ? self + 7 : self;
	buf = malloc(INPUT_MAX);
	if (!buf) {
		fprintf(stderr, "replay: out of memory\n");
		return 1;
	}
	int rc = 0;
	if (argc > 1) {
		for (int i = 1; i < argc && rc == 0; i++)
			rc = replay_file(argv[i]) ? 1 : 0;
		free(buf);
		return rc;
	}
	const char *src = getenv("LAWTALLY_SRCDIR");
	char corpus[4096], regress[4096];
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s", src && *src ? src : ".", name);
	snprintf(regress, sizeof(regress), "%s/tests/fuzz/regress/%s", src && *src ? src : ".", name);
	long seeds = replay_dir(corpus, 1);
	long crashes = seeds < 0 ? -1 : replay_dir(regress, 0);
	free(buf);
	if (seeds < 0 || crashes < 0)
		return 1;
	printf("replay %s: %ld seeds and %ld saved crashes ran clean\n", name, seeds, crashes);
	return 0;
}
