/*
 * fault.h - a last line for a process that LMDB takes down.
 *
 * LMDB has no checksums of its own structure: a damaged page of data.mdb can
 * make it read outside its map, and the process dies of SIGSEGV or SIGBUS
 * inside liblmdb, or fail one of LMDB's own checks, which aborts (8 of
 * 1,200 random byte flips in tests/daemon/store/test_flips.c). The store's
 * own seals catch damage to the values; this catches the rest at the
 * moment it strikes and says so.
 */
#ifndef LAWTALLY_FAULT_H
#define LAWTALLY_FAULT_H

#include <stdint.h>

/*
 * Installs a SIGSEGV and SIGBUS handler for the process (on a stack of its
 * own) that writes one `<2>` line to stderr and lets the signal end the
 * process as it would have (a core dump where enabled). A SIGSEGV inside
 * liblmdb's code, or any SIGBUS (the store's file ending short of its
 * map), names the store in dir, says it is damaged, and names
 * `lawtally verify` and `lawtally restore`; any other fault says it is
 * not the store's. who ("lawtallyd", "lawtally verify") begins the line.
 * Call once, after the store's directory is known. Returns 0, or -1 if
 * the handler could not be installed (errno set): the process may go on
 * without it.
 */
int fault_install(const char *who, const char *dir);

/*
 * LMDB's assert callback's body (store.c sets it with mdb_env_set_assert):
 * a check inside LMDB that failed on a damaged page, after which LMDB
 * aborts. Writes the same `<2>` line as a fault in liblmdb, naming the
 * check (what); before fault_install, without the directory. Only write(2).
 */
void fault_lmdb_assert(const char *what);

/* Whether a code address lies in liblmdb's code (known after fault_install). */
int fault_in_lmdb(uintptr_t ip);

#endif
