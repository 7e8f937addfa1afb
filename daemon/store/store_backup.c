/*
 * store_backup.c - operations on a whole store: a hot, compacted, private
 * backup (and the restore of one), and a new map-size limit applied live
 * (SIGHUP).
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

/* One attempt at the compacted copy; a map grown by the writer meanwhile is adopted. */
static int copy_to(struct store *s, int fd)
{
	pthread_rwlock_rdlock(&s->maplock);
	int rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
	pthread_rwlock_unlock(&s->maplock);
	if (rc != MDB_MAP_RESIZED)
		return rc;
	pthread_rwlock_wrlock(&s->maplock);
	rc = mdb_env_set_mapsize(s->env, 0);
	pthread_rwlock_unlock(&s->maplock);
	if (rc || ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		return rc ? rc : errno;
	pthread_rwlock_rdlock(&s->maplock);
	rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
	pthread_rwlock_unlock(&s->maplock);
	return rc;
}

int store_backup(struct store *s, const char *dir, int replace, uint64_t *bytes, char *err,
		 size_t errlen)
{
	char tmp[4096], final[4096];
	struct stat dst, fst;
	if (snprintf(tmp, sizeof(tmp), "%s/data.mdb.partial", dir) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return LT_EINVAL;
	}
	snprintf(final, sizeof(final), "%s/data.mdb", dir);
	if (stat(dir, &dst) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return LT_ESYS;
	}
	if (!S_ISDIR(dst.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return LT_EINVAL;
	}
	if (!replace && lstat(final, &fst) == 0) {
		snprintf(err, errlen, "%s already holds a store (data.mdb): choose a new directory",
			 dir);
		return LT_EEXIST;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		snprintf(err, errlen, "%s exists: another copy is running, or one was interrupted "
				      "(then remove it)", tmp);
		return LT_EBUSY;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return LT_ESYS;
	}
	int lrc = LT_ESYS;
	/* as root, the copy takes the directory's owner (a service's state directory) */
	if (geteuid() == 0 && fchown(fd, dst.st_uid, dst.st_gid) != 0) {
		snprintf(err, errlen, "cannot give %s to the owner of %s: %s", tmp, dir,
			 strerror(errno));
		goto unlink_tmp;
	}
	int rc = copy_to(s, fd);
	if (rc) {
		snprintf(err, errlen, "cannot copy the store to %s: %s", tmp, mdb_strerror(rc));
		lrc = lt_from_mdb(rc);
		goto unlink_tmp;
	}
	if (fstat(fd, &fst) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
		lrc = errno == ENOSPC || errno == EDQUOT ? LT_EFULL : LT_EIO;
		goto unlink_tmp;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	fd = -1;
	/*
	 * A restore: the record of the last commit belongs to the store it
	 * replaces (the copy, compacted, numbers its one transaction 1). It
	 * goes first, so that a crash leaves no record newer than the store;
	 * the daemon writes it afresh at its start.
	 */
	char commit[4200];
	snprintf(commit, sizeof(commit), "%s/%s", dir, STORE_COMMIT_FILE);
	if (replace && unlink(commit) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", commit, strerror(errno));
		goto unlink_tmp;
	}
	if (replace && datadir_sync(dir) != 0) {
		snprintf(err, errlen, "cannot sync the directory %s: %s", dir, strerror(errno));
		lrc = LT_EIO;
		goto unlink_tmp;
	}
	if (rename(tmp, final) != 0) {
		snprintf(err, errlen, "cannot rename %s to data.mdb: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		snprintf(err, errlen, "cannot sync the directory %s: %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return LT_EIO;
	}
	close(dfd);
	*bytes = (uint64_t)fst.st_size;
	return 0;

unlink_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return lrc;
}

size_t store_set_map_size_max(struct store *s, size_t max)
{
	pthread_rwlock_wrlock(&s->maplock);
	s->map_size_max = max > s->map_size ? max : s->map_size;
	size_t now = s->map_size_max;
	pthread_rwlock_unlock(&s->maplock);
	return now;
}

