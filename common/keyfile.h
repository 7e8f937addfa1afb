/*
 * keyfile.h - CurveZMQ key files and client files, as lawtally writes them.
 *
 * A key file holds one key in Z85: exactly 40 characters, optionally
 * followed by one line end, nothing else (Z85 uses '#', so there are no
 * comments). The daemon's secret key (server.key, also passed as a systemd
 * credential) and every client's secret key are such files, mode 0600;
 * the daemon's public key (server.pub) too.
 *
 * A client file is what the daemon's clients directory holds per client,
 * named NAME.client (docs/keys.md):
 *
 *   # lines starting with # are comments; blank lines are ignored
 *   public_key = <40 Z85 characters>
 *   role = village:ZL07 | device | office
 *
 * Both keys exactly once, nothing else. Shared by lawtallyd and lawtally.
 */
#ifndef LAWTALLY_KEYFILE_H
#define LAWTALLY_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scope.h"

#define KEYFILE_Z85_LEN 40           /* characters of a key in Z85 */
#define KEYFILE_KEY_LEN 32           /* bytes of a key */
#define KEYFILE_NAME_MAX 48          /* bytes of a client name */
#define KEYFILE_CLIENT_MAX 4096      /* bytes of a client file */
#define KEYFILE_SUFFIX ".client"     /* client files in the clients directory */

/*
 * Decodes a Z85 key of exactly KEYFILE_Z85_LEN characters (no more) into
 * key (may be NULL to only check). Returns 0 or LT_EINVAL.
 */
int keyfile_z85_decode(const char *z85, size_t len, uint8_t key[KEYFILE_KEY_LEN]);

/*
 * Reads the open file fd into buf until its end or until buf holds cap
 * bytes, riding out EINTR and short reads: the reading of key, client and
 * token files, which a caller sizes one byte beyond the longest it accepts
 * so that *len == cap means "too long". Returns 0 with *len set, or LT_ESYS
 * with errno from read(2).
 */
int keyfile_read_fd(int fd, char *buf, size_t cap, size_t *len);

/*
 * Reads the key file at path into z85 (NUL-terminated). With secret set,
 * the file must not be readable or writable by others (like ssh, refuses
 * a key anyone on the machine could copy). Returns 0, or LT_ESYS (cannot
 * open or read) / LT_EINVAL (not a key file, or too open) with one line in
 * err naming the file: "server.key: not one Z85 key of 40 characters".
 */
int keyfile_read(const char *path, int secret, char z85[KEYFILE_Z85_LEN + 1], char *err,
		 size_t errlen);

/*
 * Creates path with the key and a line end, with mode (0600 for a secret
 * key), refusing to overwrite an existing file; fsyncs it. Returns 0, or
 * LT_EEXIST / LT_ESYS with one line in err.
 */
int keyfile_write(const char *path, const char *z85, mode_t mode, char *err, size_t errlen);

/* 1 if name is a valid client name: 1..48 bytes of A-Z a-z 0-9 . _ -, not starting with '.'. */
int keyfile_name_valid(const char *name);

/* One client, as its client file describes it. */
struct keyfile_client {
	char z85[KEYFILE_Z85_LEN + 1];
	uint8_t key[KEYFILE_KEY_LEN];
	struct scope scope;
};

/*
 * Parses the text of a client file (len bytes, need not be NUL-terminated,
 * at most KEYFILE_CLIENT_MAX). Returns 0, or LT_EINVAL with the line and the
 * reason in why ("line 3: role must be village:CODE, device, office or
 * township:CODE").
 * Pure.
 */
int keyfile_parse_client(const char *text, size_t len, struct keyfile_client *out, char *why,
			 size_t whylen);

/*
 * Writes the client file of name (its comment line) with public key z85
 * and scope s into buf. Returns the length, or -1 if buf is too small.
 */
int keyfile_format_client(char *buf, size_t len, const char *name, const char *z85,
			  const struct scope *s);

#endif
