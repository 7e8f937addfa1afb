/*
 * keyring.h - the clients directory of lawtallyd: who may connect, as whom.
 *
 * One client file per client (keyfile.h), named NAME.client; files with
 * other names (a README, an editor's backup) are not read. A keyring is
 * the valid files of the whole directory: each file that is not valid is
 * left out and named, so that an error in one file never keeps the
 * others, a removal above all, from taking effect. A directory that
 * cannot be read, or that others may write, gives no keyring at all.
 * Lookups by public key are a binary search.
 */
#ifndef LAWTALLY_KEYRING_H
#define LAWTALLY_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"
#include "scope.h"

#define KEYRING_CLIENTS_MAX 10000

struct keyring_entry {
	uint8_t key[KEYFILE_KEY_LEN];
	char z85[KEYFILE_Z85_LEN + 1];
	char name[KEYFILE_NAME_MAX + 1];    /* the file name without .client */
	struct scope scope;
};

struct keyring {
	size_t n;
	struct keyring_entry *e;            /* sorted by key */
};

/* A line about a client file: the directory, the file and why. */
#define KEYRING_LINE_MAX 4400

/* Told about each client file left out of a keyring (keyring_load). */
typedef void (*keyring_bad_fn)(const char *line, void *arg);

/*
 * Reads every client file of dir into a keyring of the valid ones. A file
 * that cannot be read or is not valid (keyfile.h), one writable by
 * everyone, two files with the same public key (both), or files past
 * KEYRING_CLIENTS_MAX are left out: bad(line, arg) is called for each
 * (bad may be NULL), e.g. "clients/zl07.client: line 3: role must be
 * village:CODE, device, office or township:CODE", and *nbad counts the files left out.
 * A file left out can only shut its own key out; it never keeps the rest
 * of the directory from applying. Returns 0 with *out set (free it with
 * keyring_free), or LT_ESYS / LT_EINVAL with one line in err
 * when the directory itself cannot be read or others may write it (*out
 * is then untouched). An empty directory is a valid, empty keyring.
 */
int keyring_load(struct keyring **out, const char *dir, keyring_bad_fn bad, void *arg,
		 size_t *nbad, char *err, size_t errlen);

/* The client with this 32-byte public key, or NULL. */
const struct keyring_entry *keyring_find(const struct keyring *k, const uint8_t *key);

/* The client with this Z85 public key (40 characters), or NULL. */
const struct keyring_entry *keyring_find_z85(const struct keyring *k, const char *z85);

/* Frees the keyring and NULLs *k. Safe on NULL. */
void keyring_free(struct keyring **k);

#endif
