/*
 * peer.c - loopback addresses (see peer.h).
 *
 * Parsed with inet_pton, never compared as text: "127." is a prefix of
 * names too, and ::1 has more than one spelling.
 */
#include "peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "err.h"

int peer_is_loopback(const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;
	if (!addr)
		return 0;
	if (inet_pton(AF_INET, addr, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &v6) != 1)
		return 0;
	/* an IPv6 socket sees IPv4 peers as ::ffff:a.b.c.d */
	return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
}

int peer_split_host(const char *hostport, char *host, size_t len)
{
	const char *h = hostport, *end;
	if (*h == '[')
		end = strchr(++h, ']');
	else
		end = strrchr(h, ':');
	if (!end || (size_t)(end - h) >= len)
		return LT_EINVAL;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	return 0;
}
