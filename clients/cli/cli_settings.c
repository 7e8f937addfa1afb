/*
 * cli_settings.c - the agent's settings and the machine's one spool.
 *
 * A village PC runs `lawtally agent` under systemd with its settings in
 * AGENT_SETTINGS (the unit's EnvironmentFile: KEY=VALUE lines). Every
 * command on that PC must use the spool the agent forwards, whoever runs
 * it and from whatever directory, so the spool is found the same way
 * everywhere: --spool DIR, else $LAWTALLY_SPOOL, else LAWTALLY_SPOOL in the
 * agent's settings, else DEFAULT_SPOOL; never relative to the working
 * directory unless a relative DIR is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LINE_MAX_BYTES 1024

/* Blanks off both ends of s, in place. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int cli_agent_setting(const char *key, char *out, size_t len)
{
	FILE *f = fopen(AGENT_SETTINGS, "r");
	char line[LINE_MAX_BYTES];
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq = strchr(s, '=');
		if (*s == '#' || *s == ';' || !eq)
			continue;
		*eq = '\0';
		if (strcmp(trim(s), key) != 0)
			continue;
		char *v = trim(eq + 1);
		size_t n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
		}
		snprintf(out, len, "%s", v); /* the last one wins, as in systemd */
		found = 1;
	}
	fclose(f);
	return found && out[0];
}

const char *cli_setting(const char *key, const char *def)
{
	static char values[4][512];
	static unsigned next;
	const char *v = getenv(key);
	if (v && *v)
		return v;
	char *out = values[next++ % 4];
	return cli_agent_setting(key, out, sizeof(values[0])) ? out : def;
}

const char *cli_spool_dir(const char *dir)
{
	return dir ? dir : cli_setting("LAWTALLY_SPOOL", DEFAULT_SPOOL);
}

const char *cli_spool_origin(const char *given)
{
	char v[512];
	if (given)
		return "--spool";
	const char *env = getenv("LAWTALLY_SPOOL");
	if (env && *env)
		return "$LAWTALLY_SPOOL";
	if (cli_agent_setting("LAWTALLY_SPOOL", v, sizeof(v)))
		return AGENT_SETTINGS;
	return "the default";
}

const char *cli_send_spool(void)
{
	const char *env = getenv("LAWTALLY_SPOOL");
	if (env && *env)
		return env;
	return access(AGENT_SETTINGS, F_OK) == 0 ? cli_spool_dir(NULL) : NULL;
}
