/*
 * err.h - the one error vocabulary of lawtally.
 *
 * Every function that can fail returns 0 on success or a negative LT_E*
 * code; lt_strerror() turns a code into a short phrase. LMDB, ZeroMQ and
 * protobuf-c errors are translated into these codes where they happen
 * (store.c, ingest.c), so callers see one set.
 */
#ifndef LAWTALLY_ERR_H
#define LAWTALLY_ERR_H

enum lt_err {
	LT_OK = 0,
	LT_EINVAL = -1,      /* bad input: an event, a request, a config value */
	/* -2 was "out of memory": that ends the process now (xalloc.h) */
	LT_EIO = -3,         /* the disk failed; not retried */
	LT_EFULL = -4,       /* store at its maximum size, or disk full: retry later */
	LT_ECORRUPT = -5,    /* stored data does not decode */
	LT_ESCHEMA = -6,     /* store written by an incompatible version */
	LT_ENOTFOUND = -7,   /* no such record */
	LT_EEXIST = -8,      /* already there */
	LT_ESYS = -9,        /* a system call failed; errno says more */
	LT_EBUSY = -10,      /* store in use by another process */
	LT_EMISMATCH = -11,  /* a recount differs from the live totals */
	LT_ETIMEOUT = -12,   /* the peer did not answer in time */
	LT_EPROTO = -13,     /* the peer answered something unexpected */
};

/* A short phrase for code; never NULL. */
const char *lt_strerror(int code);

/*
 * An LMDB return code (or the errno it passes on) in this vocabulary:
 * MAP_FULL and a full disk are LT_EFULL (retry later), damage is
 * LT_ECORRUPT, anything unknown LT_EIO (not to be retried). LMDB's own
 * ENOMEM (a malloc or mmap it could not make) is LT_EIO too: not retried,
 * so the daemon stops and is restarted, as xalloc.h has it for ours. The
 * store and the client's spool both translate through this one table.
 */
int lt_from_mdb(int rc);

#endif
