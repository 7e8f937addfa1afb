/*
 * keyring.c - loading the clients directory (see keyring.h).
 */
#include "keyring.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

static int entry_cmp(const void *a, const void *b)
{
	return memcmp(((const struct keyring_entry *)a)->key,
		      ((const struct keyring_entry *)b)->key, KEYFILE_KEY_LEN);
}

/* The client name of a directory entry, or 0 if the entry is not a client file. */
static int client_name(const char *file, char name[KEYFILE_NAME_MAX + 1])
{
	size_t n = strlen(file), s = strlen(KEYFILE_SUFFIX);
	if (n <= s || strcmp(file + n - s, KEYFILE_SUFFIX) != 0 || n - s > KEYFILE_NAME_MAX)
		return 0;
	memcpy(name, file, n - s);
	name[n - s] = '\0';
	return keyfile_name_valid(name);
}

/* Reads and parses one client file (relative to the open directory dfd). */
static int load_file(int dfd, const char *dir, const char *file, struct keyring_entry *e,
		     char *err, size_t errlen)
{
	char text[KEYFILE_CLIENT_MAX + 1], why[160];
	struct stat st;
	int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: cannot open: %s", dir, file, strerror(errno));
		return LT_ESYS;
	}
	int rc = LT_EINVAL;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s/%s: cannot read: %s", dir, file, strerror(errno));
		rc = LT_ESYS;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s/%s: not a regular file", dir, file);
		goto close_fd;
	}
	if (st.st_mode & 0002) {
		snprintf(err, errlen, "%s/%s: writable by everyone (mode %04o)", dir, file,
			 (unsigned)(st.st_mode & 07777));
		goto close_fd;
	}
	size_t len;
	if (keyfile_read_fd(fd, text, sizeof(text), &len) != 0) {
		snprintf(err, errlen, "%s/%s: cannot read: %s", dir, file, strerror(errno));
		rc = LT_ESYS;
		goto close_fd;
	}
	struct keyfile_client c;
	if (keyfile_parse_client(text, len, &c, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s/%s: %s", dir, file, why);
		goto close_fd;
	}
	memcpy(e->key, c.key, sizeof(e->key));
	memcpy(e->z85, c.z85, sizeof(e->z85));
	e->scope = c.scope;
	rc = 0;
close_fd:
	close(fd);
	return rc;
}

/* Reports a file left out of the keyring. */
static void left_out(keyring_bad_fn bad, void *arg, size_t *nbad, const char *line)
{
	(*nbad)++;
	if (bad)
		bad(line, arg);
}

/*
 * Leaves out every client whose key another file has too: which of the
 * two the administrator meant is not for us to guess.
 */
static void drop_shared_keys(struct keyring *k, const char *dir, keyring_bad_fn bad, void *arg,
			     size_t *nbad)
{
	char line[KEYRING_LINE_MAX];
	size_t kept = 0;
	for (size_t i = 0; i < k->n;) {
		size_t j = i + 1;
		while (j < k->n && memcmp(k->e[i].key, k->e[j].key, KEYFILE_KEY_LEN) == 0)
			j++;
		if (j - i == 1) {
			k->e[kept++] = k->e[i];
		} else {
			for (size_t d = i + 1; d < j; d++) {
				snprintf(line, sizeof(line),
					 "%s: %s" KEYFILE_SUFFIX " and %s" KEYFILE_SUFFIX
					 " have the same public key", dir, k->e[i].name, k->e[d].name);
				left_out(bad, arg, nbad, line);
			}
			(*nbad)++; /* and the first of them */
		}
		i = j;
	}
	k->n = kept;
}

int keyring_load(struct keyring **out, const char *dir, keyring_bad_fn bad, void *arg,
		 size_t *nbad, char *err, size_t errlen)
{
	struct keyring *k = xcalloc(1, sizeof(*k));
	size_t cap = 0;
	struct stat st;
	char line[KEYRING_LINE_MAX];
	int rc = LT_ESYS;
	*nbad = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open the clients directory: %s", dir,
			 strerror(errno));
		goto free_keyring;
	}
	if (fstat(dirfd(d), &st) != 0) {
		snprintf(err, errlen, "%s: cannot read the clients directory: %s", dir,
			 strerror(errno));
		goto close_dir;
	}
	if (st.st_mode & 0002) {
		snprintf(err, errlen, "%s: the clients directory is writable by everyone (mode %04o)",
			 dir, (unsigned)(st.st_mode & 07777));
		rc = LT_EINVAL;
		goto close_dir;
	}
	for (;;) {
		char name[KEYFILE_NAME_MAX + 1];
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno) {
				snprintf(err, errlen, "%s: cannot read the clients directory: %s", dir,
					 strerror(errno));
				rc = LT_ESYS;
				goto close_dir;
			}
			break;
		}
		if (!client_name(de->d_name, name))
			continue;
		if (k->n == KEYRING_CLIENTS_MAX) {
			snprintf(line, sizeof(line), "%s/%s: more than %d clients", dir, de->d_name,
				 KEYRING_CLIENTS_MAX);
			left_out(bad, arg, nbad, line);
			continue;
		}
		if (k->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			k->e = xreallocarray(k->e, ncap, sizeof(*k->e));
			cap = ncap;
		}
		struct keyring_entry *e = &k->e[k->n];
		memset(e, 0, sizeof(*e));
		if (load_file(dirfd(d), dir, de->d_name, e, line, sizeof(line)) != 0) {
			left_out(bad, arg, nbad, line);
			continue;
		}
		memcpy(e->name, name, sizeof(e->name));
		k->n++;
	}
	if (k->n > 1)
		qsort(k->e, k->n, sizeof(k->e[0]), entry_cmp);
	drop_shared_keys(k, dir, bad, arg, nbad);
	closedir(d);
	*out = k;
	return 0;
close_dir:
	closedir(d);
free_keyring:
	keyring_free(&k);
	return rc;
}

const struct keyring_entry *keyring_find(const struct keyring *k, const uint8_t *key)
{
	struct keyring_entry probe;
	if (!k || k->n == 0)
		return NULL;
	memcpy(probe.key, key, KEYFILE_KEY_LEN);
	return bsearch(&probe, k->e, k->n, sizeof(k->e[0]), entry_cmp);
}

const struct keyring_entry *keyring_find_z85(const struct keyring *k, const char *z85)
{
	uint8_t key[KEYFILE_KEY_LEN];
	if (!z85 || keyfile_z85_decode(z85, strlen(z85), key) != 0)
		return NULL;
	return keyring_find(k, key);
}

void keyring_free(struct keyring **kp)
{
	struct keyring *k = *kp;
	if (!k)
		return;
	free(k->e);
	free(k);
	*kp = NULL;
}
