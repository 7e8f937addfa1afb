/*
 * keyring.h - the clients directory of lawtallyd: who may connect, as whom.
 *
 * One client file per client (keyfile.h), named NAME.client; files with
 * other names (a README, an editor's backup) are not read. A keyring is
 * the whole directory, loaded all or nothing: one unreadable or invalid
 * client file, two files with the same key, or a directory that others
 * may write, fails the load with one line naming the file. Lookups by
 * public key are a binary search.
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

/*
 * Reads every client file of dir. Returns 0 with *out set (free it with
 * keyring_free), or LT_ESYS / LT_EINVAL with one line in err,
 * e.g. "clients/zl07.client: line 3: role must be village:CODE, device or
 * office". An empty directory is a valid, empty keyring.
 */
int keyring_load(struct keyring **out, const char *dir, char *err, size_t errlen);

/* The client with this 32-byte public key, or NULL. */
const struct keyring_entry *keyring_find(const struct keyring *k, const uint8_t *key);

/* The client with this Z85 public key (40 characters), or NULL. */
const struct keyring_entry *keyring_find_z85(const struct keyring *k, const char *z85);

/* Frees the keyring and NULLs *k. Safe on NULL. */
void keyring_free(struct keyring **k);

#endif
