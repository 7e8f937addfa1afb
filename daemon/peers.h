/*
 * peers.h - ZeroMQ connections per client key, and their bound.
 *
 * With auth = curve, a key may hold at most per_key connections to the
 * daemon (ingest and query together): a client in a reconnect loop, or a
 * stolen key, cannot take the daemon's memory (some 30 KB a connection)
 * and descriptors for itself.
 *
 * libzmq tells a server socket's owner neither when a peer connects nor
 * when it goes, and cannot close one peer; what it gives is, on every
 * message, the descriptor the message came in on (ZMQ_SRCFD) and its
 * sender's key (User-Id, auth.h). So a connection counts for its key from
 * its first message; whenever a key's connections are counted, each is
 * checked to be still that connection (the descriptor's peer address, by
 * getpeername): one closed, or whose descriptor now belongs to another
 * connection, no longer counts. A connection that never sends is not
 * counted. Over ipc:// every peer address is alike, so a descriptor taken
 * over by another ipc connection may count for two keys until it closes.
 */
#ifndef LAWTALLY_PEERS_H
#define LAWTALLY_PEERS_H

#include <stdint.h>

#include "keyfile.h"

struct peers;

/* An empty table bounding each key to per_key connections. */
void peers_new(struct peers **out, unsigned per_key);

/* The bound given to peers_new. */
unsigned peers_per_key(const struct peers *p);

/* The connections of key still open (those that are not are forgotten). */
unsigned peers_open(struct peers *p, const uint8_t key[KEYFILE_KEY_LEN]);

/*
 * A message of key came in on descriptor fd (ZMQ_SRCFD; -1: unknown, not
 * counted). Returns 0 if its connection may be served (a new one is
 * counted from now), or LT_EBUSY if it is a new connection and key
 * already has per_key others open.
 */
int peers_admit(struct peers *p, const uint8_t key[KEYFILE_KEY_LEN], int fd);

/* Frees the table and NULLs *p. Safe on NULL. */
void peers_free(struct peers **p);

#endif
