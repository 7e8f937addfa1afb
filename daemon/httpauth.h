/*
 * httpauth.h - the bearer token of the HTTP endpoint.
 *
 * HTTP is read-only and listens on loopback by default. Bound anywhere
 * else it requires a token, read from a file ([http] token_file), that
 * every request carries as "Authorization: Bearer TOKEN" or, for browsers
 * (the dashboard), as the password of HTTP Basic credentials (any user
 * name); without it the answer is 401. The token is compared in constant
 * time.
 */
#ifndef LAWTALLY_HTTPAUTH_H
#define LAWTALLY_HTTPAUTH_H

#include <stddef.h>

#define HTTPAUTH_TOKEN_MIN 16
#define HTTPAUTH_TOKEN_MAX 256

struct httpauth {
	size_t len;                         /* 0: no token required */
	char token[HTTPAUTH_TOKEN_MAX + 1];
};

/*
 * Sets a up for the server bound at address ("127.0.0.1:8570",
 * "[::1]:8570", as http_address() gives it): reads the token from
 * token_file (16-256 visible ASCII characters and an optional line end;
 * the file must not be open to others), or, with token_file "", requires
 * that address is loopback. Returns 0, or LT_EINVAL / LT_ESYS with one line
 * in err.
 */
int httpauth_load(struct httpauth *a, const char *token_file, const char *address, char *err,
		  size_t errlen);

/*
 * 1 if a request whose Authorization header is authorization (NULL when
 * absent) may be served: no token is required, or it carries the token.
 */
int httpauth_check(const struct httpauth *a, const char *authorization);

/* 1 if address (HOST:PORT or [V6]:PORT, numeric) is on loopback. Pure. */
int httpauth_loopback(const char *address);

#endif
