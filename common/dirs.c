/* dirs.c - making directories (see dirs.h). */
#include "dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "err.h"

int dirs_make(const char *path, mode_t mode)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return LT_EINVAL;
	}
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			return LT_ESYS;
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		return LT_ESYS;
	return 0;
}
