/*
 * httpauth.c - the HTTP bearer token (see httpauth.h).
 */
#include "httpauth.h"

#include <errno.h>
#include <nettle/base64.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "keyfile.h"
#include "peer.h"

#define BEARER "Bearer "
#define BASIC "Basic "

int httpauth_loopback(const char *address)
{
	char host[64];
	return peer_split_host(address, host, sizeof(host)) == 0 && peer_is_loopback(host);
}

/* Reads the token file into a; 0 or an LT_E* code with err. */
static int read_token(struct httpauth *a, const char *path, char *err, size_t errlen)
{
	char buf[HTTPAUTH_TOKEN_MAX + 3];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "http: token file %s: cannot open: %s", path, strerror(errno));
		return LT_ESYS;
	}
	int rc = LT_EINVAL;
	size_t len;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "http: token file %s: not a readable regular file", path);
		goto close_fd;
	}
	if (st.st_mode & 0007) {
		snprintf(err, errlen, "http: token file %s: open to others (mode %04o); chmod 600 it",
			 path, (unsigned)(st.st_mode & 07777));
		goto close_fd;
	}
	if (keyfile_read_fd(fd, buf, sizeof(buf), &len) != 0) {
		snprintf(err, errlen, "http: token file %s: cannot read: %s", path, strerror(errno));
		rc = LT_ESYS;
		goto close_fd;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	int visible = len >= HTTPAUTH_TOKEN_MIN && len <= HTTPAUTH_TOKEN_MAX;
	for (size_t i = 0; visible && i < len; i++)
		visible = buf[i] > ' ' && buf[i] < 0x7f;
	if (!visible) {
		snprintf(err, errlen, "http: token file %s: must hold one token of %d-%d visible "
			 "ASCII characters", path, HTTPAUTH_TOKEN_MIN, HTTPAUTH_TOKEN_MAX);
		goto close_fd;
	}
	memcpy(a->token, buf, len);
	a->token[len] = '\0';
	a->len = len;
	rc = 0;
close_fd:
	close(fd);
	return rc;
}

int httpauth_load(struct httpauth *a, const char *token_file, const char *address, char *err,
		  size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (token_file && token_file[0])
		return read_token(a, token_file, err, errlen);
	if (!httpauth_loopback(address)) {
		snprintf(err, errlen, "http: listening on %s, not loopback, needs [http] token_file",
			 address);
		return LT_EINVAL;
	}
	return 0;
}

/*
 * Every byte of the token is compared whatever the header holds, so the
 * time taken says nothing about how much of a guess was right.
 */
/* Constant-time comparison of the presented secret t (NUL-ended) with the token. */
static int token_equal(const struct httpauth *a, const char *t)
{
	size_t n = strnlen(t, HTTPAUTH_TOKEN_MAX + 1);
	unsigned diff = n != a->len;
	for (size_t i = 0; i < a->len; i++)
		diff |= (unsigned char)a->token[i] ^ (unsigned char)(i < n ? t[i] : 0);
	return diff == 0;
}

/*
 * The password of "Basic BASE64(user:password)" into out; the user name is
 * ignored. Browsers cannot send a bearer token when they open the
 * dashboard or its event stream, but they do prompt for and resend Basic
 * credentials. Returns 0, or -1 if the credentials do not decode.
 */
static int basic_password(const char *b64, char *out, size_t outlen)
{
	uint8_t dec[BASE64_DECODE_LENGTH(2 * HTTPAUTH_TOKEN_MAX) + 1];
	size_t len = strnlen(b64, 2 * HTTPAUTH_TOKEN_MAX + 1), declen = sizeof(dec) - 1;
	struct base64_decode_ctx ctx;
	if (len > 2 * HTTPAUTH_TOKEN_MAX)
		return -1;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &declen, dec, len, b64) || !base64_decode_final(&ctx))
		return -1;
	dec[declen] = '\0';
	const char *colon = memchr(dec, ':', declen);
	if (!colon || strlen((const char *)dec) != declen)
		return -1;
	size_t plen = declen - (size_t)(colon + 1 - (const char *)dec);
	if (plen >= outlen)
		return -1;
	memcpy(out, colon + 1, plen + 1);
	return 0;
}

int httpauth_check(const struct httpauth *a, const char *authorization)
{
	char password[HTTPAUTH_TOKEN_MAX + 2];
	if (a->len == 0)
		return 1;
	if (!authorization)
		return 0;
	if (strncasecmp(authorization, BEARER, strlen(BEARER)) == 0)
		return token_equal(a, authorization + strlen(BEARER));
	if (strncasecmp(authorization, BASIC, strlen(BASIC)) == 0 &&
	    basic_password(authorization + strlen(BASIC), password, sizeof(password)) == 0)
		return token_equal(a, password);
	return 0;
}
