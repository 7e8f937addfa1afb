/* datadir.c - owner lock, openers and syncing of the data directory (see datadir.h). */
#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

void datadir_id_format(const uint8_t id[DATADIR_ID_LEN], char text[DATADIR_ID_TEXT + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < DATADIR_ID_LEN; i++) {
		text[2 * i] = hex[id[i] >> 4];
		text[2 * i + 1] = hex[id[i] & 15];
	}
	text[DATADIR_ID_TEXT] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int datadir_id_read(const char *dir, uint8_t id[DATADIR_ID_LEN], char *err, size_t errlen)
{
	char path[4096 + sizeof(DATADIR_ID_FILE)], text[DATADIR_ID_TEXT + 2];
	snprintf(path, sizeof(path), "%s/%s", dir, DATADIR_ID_FILE);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0 && errno == ENOENT)
		return LT_ENOTFOUND;
	if (f < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return LT_ESYS;
	}
	ssize_t n = read(f, text, sizeof(text));
	int e = errno;
	close(f);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		return LT_ESYS;
	}
	int ok = n == DATADIR_ID_TEXT + 1 && text[DATADIR_ID_TEXT] == '\n';
	for (int i = 0; ok && i < DATADIR_ID_LEN; i++) {
		int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
		ok = hi >= 0 && lo >= 0;
		if (ok)
			id[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!ok) {
		snprintf(err, errlen, "%s is damaged: it holds no store identity (32 hex digits)",
			 path);
		return LT_ECORRUPT;
	}
	return 0;
}

int datadir_id_write(const char *dir, const uint8_t id[DATADIR_ID_LEN], char *err,
		     size_t errlen)
{
	char tmp[4096 + sizeof(DATADIR_ID_FILE) + 4], path[4096 + sizeof(DATADIR_ID_FILE)];
	char text[DATADIR_ID_TEXT + 2];
	snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, DATADIR_ID_FILE);
	snprintf(path, sizeof(path), "%s/%s", dir, DATADIR_ID_FILE);
	datadir_id_format(id, text);
	text[DATADIR_ID_TEXT] = '\n';
	int f = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return LT_ESYS;
	}
	int rc = LT_ESYS;
	if (write(f, text, DATADIR_ID_TEXT + 1) != DATADIR_ID_TEXT + 1 || fsync(f) != 0) {
		rc = errno == ENOSPC || errno == EDQUOT ? LT_EFULL : LT_ESYS;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(f);
		goto unlink_tmp;
	}
	if (close(f) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, DATADIR_ID_FILE,
			 strerror(errno));
		goto unlink_tmp;
	}
	if (datadir_sync(dir) != 0) {
		snprintf(err, errlen, "cannot sync the directory %s: %s", dir, strerror(errno));
		return LT_ESYS;
	}
	return 0;

unlink_tmp:
	unlink(tmp);
	return rc;
}

int datadir_id_remove(const char *dir, char *err, size_t errlen)
{
	char path[4096 + sizeof(DATADIR_ID_FILE)];
	snprintf(path, sizeof(path), "%s/%s", dir, DATADIR_ID_FILE);
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return LT_ESYS;
	}
	if (datadir_sync(dir) != 0) {
		snprintf(err, errlen, "cannot sync the directory %s: %s", dir, strerror(errno));
		return LT_ESYS;
	}
	return 0;
}

int datadir_check(const char *dir, uint8_t id[DATADIR_ID_LEN], int *held, char *err,
		  size_t errlen)
{
	char path[4096 + 16], text[DATADIR_ID_TEXT + 1];
	struct stat st;
	*held = 0;
	int rc = datadir_id_read(dir, id, err, errlen);
	if (rc == LT_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	*held = 1;
	datadir_id_format(id, text);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (stat(path, &st) != 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			return LT_ESYS;
		}
		snprintf(err, errlen, "data.mdb is missing, but this directory held the store %s",
			 text);
		return LT_ECORRUPT;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "data.mdb is empty (0 bytes), but this directory held the "
				      "store %s", text);
		return LT_ECORRUPT;
	}
	return 0;
}
