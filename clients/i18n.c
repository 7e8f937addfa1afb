/* i18n.c - where the message catalogues are (see i18n.h). */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char localedir[PATH_MAX];

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Beside the program: BIN/locale is the build tree's (make writes the
 * catalogues there), BIN/../share/locale an installed program's.
 */
static void find_localedir(void)
{
	const char *env = getenv("LAWTALLY_LOCALEDIR");
	char exe[PATH_MAX];
	if (env && *env) {
		snprintf(localedir, sizeof(localedir), "%s", env);
		return;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		snprintf(localedir, sizeof(localedir), "%.*s/locale", PATH_MAX - 16, exe);
		if (is_dir(localedir))
			return;
		snprintf(localedir, sizeof(localedir), "%.*s/../share/locale", PATH_MAX - 32, exe);
		if (is_dir(localedir))
			return;
	}
	snprintf(localedir, sizeof(localedir), "/usr/share/locale");
}

void i18n_init(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	find_localedir();
	bindtextdomain(I18N_DOMAIN, localedir);
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
}

const char *i18n_localedir(void)
{
	return localedir;
}
