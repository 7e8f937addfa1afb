#!/usr/bin/env bash
# One spool per machine: on a village PC (played in a private mount
# namespace with its own /var/lib, /etc/default and accounts), the agent
# runs as its unit runs it (user lawtally, umask 0007, no --spool) and
# `lawtally send` from any directory, as root and as a mediator in the
# group lawtally, spools where the agent reads, /var/lib/lawtally-spool,
# so the township counts both; the files stay open to the group whoever
# made them; an account outside the group gets one line naming the group;
# `spool status` says where the spool is.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

[ "$(id -u)" = 0 ] || skip "plays a village PC's accounts: needs root"
unshare --mount --propagation private true 2>/dev/null || skip "cannot make a mount namespace here"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
start_daemon

cat >"$T/pc.sh" <<'PC'
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
# the PC's own /var/lib, /etc/default and accounts, seen by this namespace only
mount -t tmpfs tmpfs /var/lib
mount -t tmpfs tmpfs /etc/default
cp /etc/passwd "$T/passwd"
cp /etc/group "$T/group"
cat >>"$T/passwd" <<ACCOUNTS
lawtally:x:61234:61234::/var/lib/lawtally-spool:/usr/sbin/nologin
mediator:x:61235:61235::/tmp:/bin/sh
outsider:x:61236:61236::/tmp:/bin/sh
ACCOUNTS
grep -v '^lawtally:' "$T/group" >"$T/group.new" || true
mv "$T/group.new" "$T/group"
printf 'lawtally:x:61234:mediator\nmediator:x:61235:\noutsider:x:61236:\n' >>"$T/group"
mount --bind "$T/passwd" /etc/passwd
mount --bind "$T/group" /etc/group
install -d -m 0755 /var/lib/bin
install -m 0755 "$LAWTALLY" /var/lib/bin/lawtally
L=/var/lib/bin/lawtally
# what the unit does: StateDirectory=lawtally-spool, mode 2770, User/Group lawtally
install -d -o lawtally -g lawtally -m 2770 /var/lib/lawtally-spool
printf '# the agent'"'"'s settings\nLAWTALLY_INGEST=%s\n' "$INGEST" >/etc/default/lawtally-agent

setpriv --reuid=lawtally --regid=lawtally --init-groups \
	sh -c 'umask 0007; exec "$0" agent --no-desk --poll 0.05' "$L" 2>"$T/agent.log" &
agent=$!
for _ in $(seq 250); do
	grep -q "^<6>agent: forwarding spool /var/lib/lawtally-spool to $INGEST" "$T/agent.log" && break
	sleep 0.02
done
grep -q "^<6>agent: forwarding spool /var/lib/lawtally-spool" "$T/agent.log" ||
	fail "the agent did not start: $(cat "$T/agent.log")"

case_args() { echo dispute --village ZL07 --case-id "$1" --category LAND --stage REGISTERED \
	--occurred-at 2024-05-01T10:00:00+08:00; }
# root, from a directory of its own
mkdir -p "$T/root-cwd"
(cd "$T/root-cwd" && umask 0022 && "$L" send $(case_args ONE-ROOT)) >"$T/root.out" 2>&1 ||
	fail "send as root: $(cat "$T/root.out")"
[ -z "$(ls -A "$T/root-cwd")" ] || fail "send as root left files in its directory: $(ls -A "$T/root-cwd")"
# a mediator, in the group, from /tmp
setpriv --reuid=mediator --regid=mediator --init-groups \
	sh -c 'umask 0022; cd /tmp && exec "$0" send $1' "$L" "$(case_args ONE-MED)" >"$T/med.out" 2>&1 ||
	fail "send as a mediator: $(cat "$T/med.out")"
for f in data.mdb lock.mdb sender.lock; do
	m=$(stat -c '%a %G' "/var/lib/lawtally-spool/$f")
	[ "$m" = "660 lawtally" ] || fail "$f is $m after the sends, not 660 lawtally"
done
# someone else
rc=0
setpriv --reuid=outsider --regid=outsider --init-groups \
	sh -c 'cd /tmp && exec "$0" send $1' "$L" "$(case_args ONE-OUT)" >"$T/out.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "send as an outsider exited $rc: $(cat "$T/out.out")"
[ "$(wc -l <"$T/out.out")" = 1 ] || fail "an outsider got more than one line: $(cat "$T/out.out")"
grep -q "only root and the members of the group lawtally may use it (usermod -aG lawtally" \
	"$T/out.out" || fail "an outsider was told: $(cat "$T/out.out")"
# where the spool is
setpriv --reuid=mediator --regid=mediator --init-groups sh -c 'cd /tmp && exec "$0" spool status' \
	"$L" >"$T/status.out" 2>&1 || fail "spool status: $(cat "$T/status.out")"
grep -qx "spool:    /var/lib/lawtally-spool (the default)" "$T/status.out" ||
	fail "spool status said: $(cat "$T/status.out")"
kill -TERM "$agent"
wait "$agent" || fail "the agent exited $? on SIGTERM"
PC
unshare --mount --propagation private env T="$T" INGEST="$INGEST" LAWTALLY="$LAWTALLY" \
	bash "$T/pc.sh" || fail "on the village PC (above)"
assert_eq 2 "$(total disputes.registered village ZL07)" "cases the township counts"
grep -q "^<6>agent: delivered 1 accepted" "$T/agent.log" || fail "agent log: $(cat "$T/agent.log")"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
