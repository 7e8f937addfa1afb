/*
 * peer.h - whether an address is this machine's loopback: the one rule by
 * which lawtallyd trusts a peer without a key (the office's views with
 * auth off, HTTP without a token) and warns of endpoints others can reach.
 *
 * Pure code.
 */
#ifndef LAWTALLY_PEER_H
#define LAWTALLY_PEER_H

#include <stddef.h>

/*
 * 1 if addr is a numeric loopback address: IPv4 127.0.0.0/8, IPv6 ::1 in
 * any spelling ("0:0:0:0:0:0:0:1"), or IPv4-mapped ::ffff:127.x.x.x;
 * otherwise 0. addr is the bare address, as libzmq (Peer-Address, the ZAP
 * Address) and libevent give a TCP peer's. Anything else is 0: NULL, "",
 * a port or brackets ("127.0.0.1:80", "[::1]"), a zone id ("::1%lo", which
 * only link-local addresses carry), a name ("localhost", "127.evil.com"),
 * and libzmq's ipc peer ("localhost:UID:GID:PID").
 */
int peer_is_loopback(const char *addr);

/*
 * The host of "HOST:PORT" or "[V6]:PORT", as listen addresses and tcp://
 * endpoints write it, into host[len] without the brackets. Returns 0, or
 * LT_EINVAL when there is no ':' (or no ']' after a '['), or the host does
 * not fit in len.
 */
int peer_split_host(const char *hostport, char *host, size_t len);

#endif
