/* peers.c - ZeroMQ connections per client key (see peers.h). */
#include "peers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "err.h"
#include "log.h"
#include "xalloc.h"

#define PEERS_BUCKETS 1024

/* One connection: its descriptor and who is at the other end. */
struct conn {
	int fd;
	socklen_t len;
	struct sockaddr_storage addr;
};

/* The connections of one key. */
struct key_conns {
	uint8_t key[KEYFILE_KEY_LEN];
	unsigned n, cap;
	struct conn *c;
	struct key_conns *next;
};

struct peers {
	unsigned per_key;
	struct key_conns *bucket[PEERS_BUCKETS];
};

void peers_new(struct peers **out, unsigned per_key)
{
	struct peers *p = xcalloc(1, sizeof(*p));
	p->per_key = per_key;
	*out = p;
}

unsigned peers_per_key(const struct peers *p)
{
	return p->per_key;
}

/* Keys are random: their first bytes spread them well enough. */
static struct key_conns **slot(struct peers *p, const uint8_t *key)
{
	uint32_t h;
	memcpy(&h, key, sizeof(h));
	return &p->bucket[h % PEERS_BUCKETS];
}

static struct key_conns *find(struct peers *p, const uint8_t *key)
{
	for (struct key_conns *k = *slot(p, key); k; k = k->next)
		if (memcmp(k->key, key, KEYFILE_KEY_LEN) == 0)
			return k;
	return NULL;
}

/* 1 if descriptor fd is still the connection c was noted as. */
static int still_open(const struct conn *c)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	return getpeername(c->fd, (struct sockaddr *)&sa, &len) == 0 && len == c->len &&
	       memcmp(&sa, &c->addr, len) == 0;
}

/* Forgets the connections of k that have closed. */
static void prune(struct key_conns *k)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < k->n; i++)
		if (still_open(&k->c[i]))
			k->c[kept++] = k->c[i];
	k->n = kept;
}

unsigned peers_open(struct peers *p, const uint8_t key[KEYFILE_KEY_LEN])
{
	struct key_conns *k = find(p, key);
	if (!k)
		return 0;
	prune(k);
	return k->n;
}

int peers_admit(struct peers *p, const uint8_t key[KEYFILE_KEY_LEN], int fd)
{
	if (fd < 0)
		return 0;
	struct key_conns *k = find(p, key);
	if (!k) {
		k = xcalloc(1, sizeof(*k));
		memcpy(k->key, key, KEYFILE_KEY_LEN);
		struct key_conns **s = slot(p, key);
		k->next = *s;
		*s = k;
	}
	for (unsigned i = 0; i < k->n; i++)
		if (k->c[i].fd == fd && still_open(&k->c[i]))
			return 0;
	prune(k);
	if (k->n >= p->per_key)
		return LT_EBUSY;
	struct conn c = {.fd = fd, .len = sizeof(c.addr)};
	if (getpeername(fd, (struct sockaddr *)&c.addr, &c.len) != 0)
		return 0; /* not a socket any more: nothing to count */
	if (k->n == k->cap) {
		unsigned cap = k->cap ? k->cap * 2 : 4;
		struct conn *nc = xreallocarray(k->c, cap, sizeof(*nc));
		k->c = nc;
		k->cap = cap;
	}
	k->c[k->n++] = c;
	return 0;
}

void peers_free(struct peers **pp)
{
	struct peers *p = *pp;
	if (!p)
		return;
	for (size_t b = 0; b < PEERS_BUCKETS; b++) {
		while (p->bucket[b]) {
			struct key_conns *k = p->bucket[b];
			p->bucket[b] = k->next;
			free(k->c);
			free(k);
		}
	}
	free(p);
	*pp = NULL;
}
