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
 */
#ifndef LAWTALLY_DATADIR_H
#define LAWTALLY_DATADIR_H

#include <stddef.h>

#define DATADIR_LOCK_FILE "lawtallyd.lock"

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

#endif
