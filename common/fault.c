/*
 * fault.c - one clear line when LMDB faults on a damaged store (see fault.h).
 *
 * LMDB trusts the pages of its file: a page number or an offset damaged on
 * the disk sends it reading outside its map, and the process dies of
 * SIGSEGV or SIGBUS inside liblmdb. Nothing can carry on from there, but
 * the person looking at the journal must learn what happened and what to
 * do, rather than find a bare core dump. The handler tells a fault inside
 * liblmdb's code (the store's pages) from any other by the instruction
 * pointer, compared with liblmdb's executable segment found at install;
 * a SIGBUS is always the store's (its file is the one this process maps).
 * It only writes lines formatted at install with write(2), then raises the
 * signal again with the default action restored (SA_RESETHAND), so that
 * the process ends as it would have, core and all.
 */
#define _GNU_SOURCE
#include "fault.h"

#include <link.h>
#include <lmdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static char who_stopped[128] = "stopped: ";     /* "lawtallyd stopped: " */
static char store_tail[1024] =                   /* " in the store in DIR: ..." */
	" in the store: a page of data.mdb is damaged\n";
static char other_line[256];
static uintptr_t lmdb_lo, lmdb_hi; /* liblmdb's executable segment */
static char altstack[64 * 1024];

/* dl_iterate_phdr's callback: the executable segment holding mdb_version. */
static int find_lmdb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	uintptr_t fn = (uintptr_t)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (fn >= lo && fn < lo + ph->p_memsz) {
			lmdb_lo = lo;
			lmdb_hi = lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

static uintptr_t fault_ip(void *uctx)
{
	const ucontext_t *uc = uctx;
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

int fault_in_lmdb(uintptr_t ip)
{
	return lmdb_lo && ip >= lmdb_lo && ip < lmdb_hi;
}

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w, n -= (size_t)w;
	}
}

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
	(void)si;
	put("<2>");
	put(sig == SIGBUS ? "SIGBUS: " : "SIGSEGV: ");
	/* the one file this process maps is the store's: a SIGBUS is its file
	 * ending short of the map (truncated, or a failing disk) */
	if (sig == SIGBUS || fault_in_lmdb(fault_ip(uctx))) {
		put(who_stopped);
		put("LMDB read outside its map");
		put(store_tail);
	} else {
		put(other_line);
	}
	raise(sig); /* with the default action again (SA_RESETHAND), unblocked (SA_NODEFER) */
}

int fault_install(const char *who, const char *dir)
{
	snprintf(who_stopped, sizeof(who_stopped), "%s stopped: ", who);
	snprintf(store_tail, sizeof(store_tail),
		 " in the store in %s: a page of data.mdb is damaged. Keep the file for "
		 "inspection, run `lawtally verify` on it, and restore the last good backup "
		 "with `lawtally restore`\n", dir);
	snprintf(other_line, sizeof(other_line),
		 "%s stopped by a fault outside the store's library; please report it with the "
		 "lines before this one\n", who);
	dl_iterate_phdr(find_lmdb, (void *)(uintptr_t)&mdb_version);

	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -1;
	return 0;
}

void fault_lmdb_assert(const char *what)
{
	put("<2>");
	put(who_stopped);
	put("LMDB's own check failed (");
	put(what);
	put(")");
	put(store_tail);
}
