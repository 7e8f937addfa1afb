/*
 * cli_view.c - office views over the query endpoint, shared by lawtally
 * report, close-year and export: one QueryRequest with a View, the
 * document of the reply written out as it came, and output files written
 * whole or not at all (FILE.partial, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "client.h"
#include "err.h"
#include "keys.h"
#include "xalloc.h"

struct cli_view_opts cli_view_defaults(const char *cmd)
{
	return (struct cli_view_opts){.cmd = cmd,
				      .endpoint = cli_env_or("LAWTALLY_QUERY", DEFAULT_QUERY),
				      .timeout_ms = 30000};
}

int cli_view_opt(struct cli_view_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'e': o->endpoint = arg; return 1;
	case 't': return cli_parse_timeout(arg, &o->timeout_ms) ? -1 : 1;
	case KEYS_OPT_KEY: o->key_file = arg; return 1;
	case KEYS_OPT_SERVER_KEY: o->server_key_file = arg; return 1;
	default: return 0;
	}
}

int cli_view_keys(struct cli_view_opts *o)
{
	int keyed = keys_load(o->cmd, o->key_file, o->server_key_file, &o->keys_loaded);
	if (keyed < 0)
		return EXIT_USAGE;
	o->keys = keyed ? &o->keys_loaded : NULL;
	return 0;
}

int cli_view(const struct cli_view_opts *o, const Lawtally__V1__QueryRequest *q, FILE *out,
	     uint64_t *next_cursor)
{
	Lawtally__V1__QueryReply *r = NULL;
	int rc = client_query(o->endpoint, o->keys, q, o->timeout_ms, &r);
	if (rc) {
		fprintf(stderr, "lawtally %s: %s: %s\n", o->cmd, o->endpoint,
			rc == LT_ETIMEOUT ? "no answer in time" : lt_strerror(rc));
		return rc == LT_EINVAL ? EXIT_USAGE : EXIT_UNREACHABLE;
	}
	int status = 0;
	if (r->error[0]) {
		fprintf(stderr, "lawtally %s: %s\n", o->cmd, r->error);
		status = EXIT_USAGE;
	} else if (r->document.len &&
		   fwrite(r->document.data, 1, r->document.len, out) != r->document.len) {
		fprintf(stderr, _("lawtally %s: cannot write: %s\n"), o->cmd, strerror(errno));
		status = EXIT_USAGE;
	}
	if (next_cursor)
		*next_cursor = status ? 0 : r->next_cursor;
	lawtally__v1__query_reply__free_unpacked(r, &xalloc_protobuf);
	return status;
}

int cli_out_open(const char *cmd, const char *path, struct cli_out *o)
{
	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.partial", path) >= (int)sizeof(o->tmp)) {
		fprintf(stderr, _("lawtally %s: %s: path too long\n"), cmd, path);
		return EXIT_USAGE;
	}
	snprintf(o->path, sizeof(o->path), "%s", path);
	int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	o->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!o->f) {
		fprintf(stderr, _("lawtally %s: cannot create %s: %s\n"), cmd, o->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_out_binary_ok(const char *cmd, const char *path, const char *format)
{
	if ((path && strcmp(path, "-") != 0) || !isatty(STDOUT_FILENO))
		return 0;
	fprintf(stderr, _("lawtally %s: a %s document is binary: write it to a file with -o FILE "
			  "(or redirect the output)\n"), cmd, format);
	return EXIT_USAGE;
}

int cli_out_close(const char *cmd, struct cli_out *o, int status)
{
	if (o->f == stdout) {
		if (fflush(stdout) != 0 && !status) {
			fprintf(stderr, _("lawtally %s: cannot write: %s\n"), cmd, strerror(errno));
			status = EXIT_USAGE;
		}
		return status;
	}
	int bad = fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
	bad |= fclose(o->f) != 0;
	if (!status && bad) {
		fprintf(stderr, _("lawtally %s: cannot write %s: %s\n"), cmd, o->tmp, strerror(errno));
		status = EXIT_USAGE;
	}
	if (!status && rename(o->tmp, o->path) != 0) {
		fprintf(stderr, _("lawtally %s: cannot rename %s: %s\n"), cmd, o->tmp, strerror(errno));
		status = EXIT_USAGE;
	}
	if (status)
		unlink(o->tmp);
	return status;
}
