/*
 * datadir.h - the data directory around the store: who owns it, who has
 * the store open, and syncing it.
 *
 * lawtallyd holds an flock on DIR/lawtallyd.lock (its pid written in it)
 * for as long as it runs, and `lawtally restore` takes the same lock while
 * it replaces the store: a daemon and a restore never overlap. Besides,
 * every process with the LMDB environment open (the daemon, a running
 * `lawtally backup` or `verify`) holds LMDB's shared fcntl lock on the
 * first byte of DIR/lock.mdb; datadir_opener() asks the kernel about it.
 *
 * A directory knows that it held a store: the store's identity (16 random
 * bytes made when the store is created, kept in its meta database) is also
 * written beside it, in DIR/store.id (32 hex digits). A directory with that
 * file whose data.mdb is missing, empty or another store's has lost its
 * store: store_open refuses it, and `lawtally restore` puts a backup back
 * with its identity. A directory without the file is new (or from a
 * version before identities) and may start on an empty or existing store.
 */
#ifndef LAWTALLY_DATADIR_H
#define LAWTALLY_DATADIR_H

#include <stddef.h>
#include <stdint.h>

#define DATADIR_LOCK_FILE "lawtallyd.lock"
#define DATADIR_ID_FILE "store.id"
#define DATADIR_ID_LEN 16
#define DATADIR_ID_TEXT (2 * DATADIR_ID_LEN)

/*
 * Takes the owner lock of dir (which must exist) without waiting and
 * writes this process's pid into it. Returns 0 with *fd set; LT_EBUSY
 * when another process holds it (err names its pid); LT_ESYS.
 */
int datadir_lock(const char *dir, int *fd, char *err, size_t errlen);

/* Releases the lock (closes *fd) and sets *fd to -1. Safe on -1. */
void datadir_unlock(int *fd);

/*
 * Whether some process has the store in dir open. Returns 0 when none
 * does (or dir has no lock.mdb yet); LT_EBUSY with *pid set when one does;
 * LT_ESYS when it cannot be told.
 */
int datadir_opener(const char *dir, long *pid);

/* fsync()s the directory path, so that renames and new names in it last. */
int datadir_sync(const char *path);

/* Writes id as DATADIR_ID_TEXT lower-case hex digits and a NUL into text. */
void datadir_id_format(const uint8_t id[DATADIR_ID_LEN], char text[DATADIR_ID_TEXT + 1]);

/*
 * Reads dir's identity file. Returns 0 with id filled; LT_ENOTFOUND when
 * dir has none; LT_ECORRUPT when it holds no identity, LT_ESYS when it
 * cannot be read (both with one line in err).
 */
int datadir_id_read(const char *dir, uint8_t id[DATADIR_ID_LEN], char *err, size_t errlen);

/*
 * Writes dir's identity file durably: store.id.new (0600), fsync, rename,
 * fsync of dir. Returns 0, or LT_EFULL or LT_ESYS with one line in err
 * (store.id is then as it was, and no store.id.new is left).
 */
int datadir_id_write(const char *dir, const uint8_t id[DATADIR_ID_LEN], char *err,
		     size_t errlen);

/*
 * Removes dir's identity file durably (a store restored from a backup made
 * before identities gets a new one at its next writable open). Returns 0,
 * also when there was none, or LT_ESYS with one line in err.
 */
int datadir_id_remove(const char *dir, char *err, size_t errlen);

/*
 * Before the store in dir is opened: whether dir held a store (*held set,
 * its identity in id), and if it did, that its data.mdb is still there.
 * Returns 0; LT_ECORRUPT when data.mdb is missing or empty in a directory
 * that held a store, or the identity file is damaged, with one line in
 * err; LT_ESYS.
 */
int datadir_check(const char *dir, uint8_t id[DATADIR_ID_LEN], int *held, char *err,
		  size_t errlen);

#endif
