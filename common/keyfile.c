/*
 * keyfile.c - reading and writing key files and client files (see keyfile.h).
 */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"

/* A key file is the key and at most "\r\n". */
#define KEYFILE_FILE_MAX (KEYFILE_Z85_LEN + 2)

static const char z85_alphabet[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int keyfile_z85_decode(const char *z85, size_t len, uint8_t key[KEYFILE_KEY_LEN])
{
	char buf[KEYFILE_Z85_LEN + 1];
	uint8_t scratch[KEYFILE_KEY_LEN];
	if (len != KEYFILE_Z85_LEN)
		return LT_EINVAL;
	for (size_t i = 0; i < len; i++)
		if (z85[i] == '\0' || !strchr(z85_alphabet, z85[i]))
			return LT_EINVAL;
	memcpy(buf, z85, len);
	buf[len] = '\0';
	/* five characters make four bytes; a group over 2^32 - 1 does not decode */
	for (size_t g = 0; g < len; g += 5) {
		uint64_t v = 0;
		for (size_t j = 0; j < 5; j++)
			v = v * 85 + (uint64_t)(strchr(z85_alphabet, buf[g + j]) - z85_alphabet);
		if (v > UINT32_MAX)
			return LT_EINVAL;
	}
	return zmq_z85_decode(key ? key : scratch, buf) ? 0 : LT_EINVAL;
}

int keyfile_read_fd(int fd, char *buf, size_t cap, size_t *len)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return LT_ESYS;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return 0;
}

int keyfile_read(const char *path, int secret, char z85[KEYFILE_Z85_LEN + 1], char *err,
		 size_t errlen)
{
	char buf[KEYFILE_FILE_MAX + 1];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return LT_ESYS;
	}
	int rc = LT_EINVAL;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = LT_ESYS;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto close_fd;
	}
	if (secret && (st.st_mode & 0007)) {
		snprintf(err, errlen, "%s: a secret key open to others (mode %04o); chmod 600 it",
			 path, (unsigned)(st.st_mode & 07777));
		goto close_fd;
	}
	size_t len;
	if (keyfile_read_fd(fd, buf, sizeof(buf), &len) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = LT_ESYS;
		goto close_fd;
	}
	size_t keylen = len;
	if (keylen > 0 && buf[keylen - 1] == '\n')
		keylen--;
	if (keylen > 0 && buf[keylen - 1] == '\r' && keylen < len)
		keylen--;
	if (keyfile_z85_decode(buf, keylen, NULL) != 0) {
		snprintf(err, errlen, "%s: not one Z85 key of %d characters", path, KEYFILE_Z85_LEN);
		goto close_fd;
	}
	memcpy(z85, buf, KEYFILE_Z85_LEN);
	z85[KEYFILE_Z85_LEN] = '\0';
	rc = 0;
close_fd:
	close(fd);
	return rc;
}

int keyfile_write(const char *path, const char *z85, mode_t mode, char *err, size_t errlen)
{
	char buf[KEYFILE_Z85_LEN + 1];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(e));
		return e == EEXIST ? LT_EEXIST : LT_ESYS;
	}
	memcpy(buf, z85, KEYFILE_Z85_LEN);
	buf[KEYFILE_Z85_LEN] = '\n';
	/* the umask may have taken bits away, never added: set exactly mode */
	if (fchmod(fd, mode) != 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return LT_ESYS;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		unlink(path);
		return LT_ESYS;
	}
	return 0;
}

int keyfile_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > KEYFILE_NAME_MAX || name[0] == '.')
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* The keys of a client file: what each holds and where it goes. */
enum client_key { CK_PUBLIC_KEY, CK_ROLE, CK_COUNT };
static const char *const client_keys[CK_COUNT] = {"public_key", "role"};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Sets key k of out from value v (NUL-terminated). Returns 0 or -1 with why. */
static int client_set(struct keyfile_client *out, enum client_key k, const char *v,
		      const char **why)
{
	switch (k) {
	case CK_PUBLIC_KEY:
		if (keyfile_z85_decode(v, strlen(v), out->key) != 0) {
			*why = "public_key: not a Z85 key of 40 characters";
			return -1;
		}
		memcpy(out->z85, v, KEYFILE_Z85_LEN + 1);
		return 0;
	case CK_ROLE:
		return scope_parse(&out->scope, v, why) == 0 ? 0 : -1;
	case CK_COUNT:
		break;
	}
	*why = "unknown key";
	return -1;
}

/*
 * A strict reader of the two-key format: each line is blank, a comment or
 * "key = value" (blanks around both allowed). Two keys do not warrant an
 * INI library, and its leniencies (continuations, inline comments) are
 * what a file that grants access must not have.
 */
int keyfile_parse_client(const char *text, size_t len, struct keyfile_client *out, char *why,
			 size_t whylen)
{
	struct keyfile_client c;
	int seen[CK_COUNT] = {0};
	size_t lineno = 0;
	memset(&c, 0, sizeof(c));
	if (len > KEYFILE_CLIENT_MAX) {
		snprintf(why, whylen, "longer than %d bytes", KEYFILE_CLIENT_MAX);
		return LT_EINVAL;
	}
	for (size_t i = 0; i < len;) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + (nl ? 1 : 0);
		lineno++;
		if (memchr(line, '\0', n)) {
			snprintf(why, whylen, "line %zu: NUL byte", lineno);
			return LT_EINVAL;
		}
		while (n > 0 && (is_blank(line[n - 1]) || line[n - 1] == '\r'))
			n--;
		while (n > 0 && is_blank(*line))
			line++, n--;
		if (n == 0 || line[0] == '#')
			continue;
		const char *eq = memchr(line, '=', n);
		if (!eq) {
			snprintf(why, whylen, "line %zu: expected key = value", lineno);
			return LT_EINVAL;
		}
		size_t klen = (size_t)(eq - line);
		while (klen > 0 && is_blank(line[klen - 1]))
			klen--;
		const char *v = eq + 1;
		size_t vlen = n - (size_t)(v - line);
		while (vlen > 0 && is_blank(*v))
			v++, vlen--;
		int k = -1;
		for (int j = 0; j < CK_COUNT; j++)
			if (strlen(client_keys[j]) == klen && memcmp(client_keys[j], line, klen) == 0)
				k = j;
		if (k < 0) {
			snprintf(why, whylen, "line %zu: unknown key '%.*s' (public_key, role)", lineno,
				 (int)(klen > 32 ? 32 : klen), line);
			return LT_EINVAL;
		}
		if (seen[k]) {
			snprintf(why, whylen, "line %zu: %s set twice", lineno, client_keys[k]);
			return LT_EINVAL;
		}
		char value[64];
		const char *reason = NULL;
		if (vlen >= sizeof(value)) {
			reason = k == CK_ROLE ? "role must be village:CODE, device, office or township:CODE"
					      : "public_key: not a Z85 key of 40 characters";
		} else {
			memcpy(value, v, vlen);
			value[vlen] = '\0';
			client_set(&c, (enum client_key)k, value, &reason);
		}
		if (reason) {
			snprintf(why, whylen, "line %zu: %s", lineno, reason);
			return LT_EINVAL;
		}
		seen[k] = 1;
	}
	for (int j = 0; j < CK_COUNT; j++) {
		if (!seen[j]) {
			snprintf(why, whylen, "no %s", client_keys[j]);
			return LT_EINVAL;
		}
	}
	*out = c;
	return 0;
}

int keyfile_format_client(char *buf, size_t len, const char *name, const char *z85,
			  const struct scope *s)
{
	char role[SCOPE_TEXT_MAX + 1];
	scope_format(s, role, sizeof(role));
	int n = snprintf(buf, len,
			 "# lawtally client %s: put this file in lawtallyd's clients directory as\n"
			 "# %s" KEYFILE_SUFFIX ", then reload lawtallyd (SIGHUP)\n"
			 "public_key = %s\n"
			 "role = %s\n",
			 name, name, z85, role);
	return n < 0 || (size_t)n >= len ? -1 : n;
}
