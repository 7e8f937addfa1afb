/* datadir.c - owner lock, openers and syncing of the data directory (see datadir.h). */
#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "err.h"

int datadir_lock(const char *dir, int *fd, char *err, size_t errlen)
{
	char path[4096 + sizeof(DATADIR_LOCK_FILE)];
	snprintf(path, sizeof(path), "%s/%s", dir, DATADIR_LOCK_FILE);
	*fd = -1;
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return LT_ESYS;
	}
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		char pid[24] = "";
		ssize_t n = e == EWOULDBLOCK ? pread(f, pid, sizeof(pid) - 1, 0) : -1;
		close(f);
		if (e != EWOULDBLOCK) {
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
			return LT_ESYS;
		}
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen, "%s is in use by process %s (lawtallyd, or lawtally restore)",
			 dir, pid[0] ? pid : "?");
		return LT_EBUSY;
	}
	char text[24];
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(f, 0) != 0 || pwrite(f, text, (size_t)len, 0) != len) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(f);
		return LT_ESYS;
	}
	*fd = f;
	return 0;
}

void datadir_unlock(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * LMDB (its mdb_env_excl_lock) keeps a read lock on byte 0 of
 * lock.mdb in every process that has the environment open; F_GETLK with a
 * write lock over that byte names one of them.
 */
int datadir_opener(const char *dir, long *pid)
{
	char path[4096 + 16];
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	*pid = 0;
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? 0 : LT_ESYS;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	int rc = fcntl(f, F_GETLK, &fl);
	close(f);
	if (rc != 0)
		return LT_ESYS;
	if (fl.l_type == F_UNLCK)
		return 0;
	*pid = (long)fl.l_pid;
	return LT_EBUSY;
}

int datadir_sync(const char *path)
{
	int f = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f < 0)
		return LT_ESYS;
	int rc = fsync(f);
	int e = errno;
	close(f);
	errno = e;
	return rc == 0 ? 0 : LT_ESYS;
}
