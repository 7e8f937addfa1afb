/* err.c - phrases for the error codes of err.h, and LMDB's codes in them. */
#include "err.h"

#include <errno.h>
#include <lmdb.h>

const char *lt_strerror(int code)
{
	static const char *const phrases[] = {
		[0] = "success",
		[-LT_EINVAL] = "invalid input",
		[-LT_EIO] = "input/output error",
		[-LT_EFULL] = "store full",
		[-LT_ECORRUPT] = "stored data corrupt",
		[-LT_ESCHEMA] = "incompatible store schema",
		[-LT_ENOTFOUND] = "not found",
		[-LT_EEXIST] = "already exists",
		[-LT_ESYS] = "system error",
		[-LT_EBUSY] = "store busy",
		[-LT_EMISMATCH] = "recount differs from live totals",
		[-LT_ETIMEOUT] = "timed out",
		[-LT_EPROTO] = "protocol error",
	};
	if (code > 0 || -code >= (int)(sizeof(phrases) / sizeof(phrases[0])) ||
	    phrases[-code] == 0)
		return "unknown error";
	return phrases[-code];
}

int lt_from_mdb(int rc)
{
	switch (rc) {
	case 0: return 0;
	case MDB_NOTFOUND: return LT_ENOTFOUND;
	case MDB_KEYEXIST: return LT_EEXIST;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EDQUOT: return LT_EFULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH: return LT_ECORRUPT;
	case EAGAIN:
	case EBUSY: return LT_EBUSY;
	default: return LT_EIO;
	}
}
