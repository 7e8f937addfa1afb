/*
 * dirs.h - making directories: the daemon's data directory and a sender's
 * spool, with the parents they need.
 */
#ifndef LAWTALLY_DIRS_H
#define LAWTALLY_DIRS_H

#include <sys/types.h>

/*
 * Creates path and its missing parents with mode (less the umask), like
 * mkdir -p; directories already there are left as they are. Returns 0;
 * LT_EINVAL with errno ENAMETOOLONG when path does not fit PATH_MAX; or
 * LT_ESYS with errno from mkdir(2), for the caller's message.
 */
int dirs_make(const char *path, mode_t mode);

#endif
