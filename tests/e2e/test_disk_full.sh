#!/usr/bin/env bash
# The disk full under the store (a small tmpfs, ENOSPC): batches get a
# temporary refusal, the daemon keeps running and answering queries; when
# space is freed a held-back sender finishes by itself and the store
# verifies. Needs mount privileges: skipped, saying so, where they are
# missing (test_store_full.sh covers the same path with a full map).
. "$(dirname "$0")/lib.sh"

mkdir "$T/mnt"
if ! mount -t tmpfs -o size=8m,mode=0700 tmpfs "$T/mnt" 2>"$T/mount.err"; then
	skip "cannot mount a tmpfs here: $(head -c 200 "$T/mount.err")"
fi
# errexit off in the trap: "(exit $rc)" must hand cleanup the status, not end the shell
trap 'rc=$?; set +e; umount -l "$T/mnt" 2>/dev/null; (exit $rc); cleanup' EXIT

N=20000 # about 3.4 MiB of store
"$GEN" bulk $N 31 >"$T/all.jsonl"
write_config
sed -i "s|^data_dir = .*|data_dir = $T/mnt/data|" "$T/lawtallyd.conf"
start_daemon
# leave about 2 MiB free
head -c $((6 << 20)) /dev/zero >"$T/mnt/filler"

set +e
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/all.jsonl" --batch 200 --window 2 --timeout 1 \
	--ack-log "$T/acked.1" >"$T/send1.out" 2>&1
rc=$?
set -e
assert_eq 3 "$rc" "exit status of a sender facing a full disk"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon stopped on a full disk"
grep -q "^<4>store: the disk is full (No space left on device); [0-9]* batch(es) refused" "$T/daemon.log" ||
	fail "no disk-full line: $(cat "$T/send1.out"; tail -5 "$T/daemon.log")"
[ "$(metric lawtally_refusals_total)" -gt 0 ] || fail "no refusals counted"
acked=$(sort -u "$T/acked.1" | wc -l)
[ "$acked" -gt 0 ] && [ "$acked" -lt $N ] || fail "$acked of $N acknowledged before the disk was full"
assert_eq "$acked" "$(total enforcement.actions)" "actions while the disk is full"

# a held-back sender finishes once space is freed
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/all.jsonl" --batch 200 --window 2 --timeout 30 \
	>"$T/send2.out" 2>&1 &
SENDER_PIDS+=($!)
refused=$(metric lawtally_refusals_total)
more_refusals() { [ "$(metric lawtally_refusals_total)" -gt "$refused" ]; }
wait_until 10 more_refusals
rm "$T/mnt/filler"
wait "${SENDER_PIDS[-1]}" || fail "held-back sender exited $?: $(cat "$T/send2.out")"
unset "SENDER_PIDS[-1]"
assert_eq "$N events: $((N - acked)) accepted, $acked duplicate, 0 rejected; 0 invalid lines" \
	"$(cat "$T/send2.out")" "held-back sender summary"
assert_eq $N "$(total enforcement.actions)" "actions after space returned"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify exited $?: $out"
assert_eq "verify: $T/mnt/data: $N events, consistent" "$out" "verify after the full disk"
stop_daemon TERM || fail "stop exited $?"
