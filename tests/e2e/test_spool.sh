#!/usr/bin/env bash
# Spool: nothing entered is lost while the township server is away.
#  1. The daemon is down while 10,000 events are sent with --spool: all
#     stay spooled and send exits 3; the daemon comes up, `spool flush`
#     delivers them, each counted exactly once.
#  2. The daemon is killed with -9 three times during a flush of a spool
#     that also holds re-sent events: the totals equal the distinct events.
#  3. The flushing client is killed with -9: the spool opens again intact
#     and a second flush delivers the rest.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

SPOOL=$T/spool
events() { curl -sf "http://$HTTP/healthz" | jq .events; }
queued() { "$LAWTALLY" spool status --spool "$SPOOL" --json | jq .queued; }
restart_daemon() { write_config; start_daemon; }   # the same ports again

# learn the daemon's ports, then take it away
start_daemon
stop_daemon

# 1. daemon down: 10,000 events spooled, exit 3
"$GEN" bulk 10000 21 >"$T/a.jsonl"
rc=0
"$LAWTALLY" send --spool "$SPOOL" --endpoint "$INGEST" --file "$T/a.jsonl" --timeout 1 \
	>"$T/send.out" 2>"$T/send.err" || rc=$?
assert_eq 3 "$rc" "send --spool with the daemon down: exit status"
grep -q "10000 events spooled in $SPOOL" "$T/send.out" || fail "send: $(cat "$T/send.out")"
grep -q "10000 events stay in the spool" "$T/send.err" || fail "send: $(cat "$T/send.err")"
assert_eq 10000 "$(queued)" "events spooled while the daemon is down"

restart_daemon
out=$("$LAWTALLY" spool flush --spool "$SPOOL" --endpoint "$INGEST" --timeout 20) ||
	fail "flush exited $?: $out"
assert_eq "delivered: 10000 accepted, 0 duplicate, 0 rejected; 0 left in spool $SPOOL" "$out" "flush"
assert_eq 0 "$(queued)" "spool after the flush"
assert_eq 10000 "$(total enforcement.actions)" "enforcement.actions after the flush"
assert_eq 10000 "$(events)" "events stored"

# 2. kill -9 the daemon three times during a flush; the spool holds 3,000
#    new events, 1,000 of them twice, and 500 of part 1 again
stop_daemon
"$GEN" bulk 3000 22 >"$T/b.jsonl"
{ cat "$T/b.jsonl"; head -n 1000 "$T/b.jsonl"; head -n 500 "$T/a.jsonl"; } >"$T/b2.jsonl"
"$LAWTALLY" send --spool "$SPOOL" --endpoint "$INGEST" --file "$T/b2.jsonl" --timeout 0.2 \
	>/dev/null 2>&1 && fail "send with the daemon down exited 0"
assert_eq 4500 "$(queued)" "events spooled for part 2"
restart_daemon
"$LAWTALLY" spool flush --spool "$SPOOL" --endpoint "$INGEST" --batch 5 --window 1 \
	--timeout 30 >"$T/flush2.out" 2>&1 &
flusher=$!
SENDER_PIDS+=("$flusher")
at_kill=0
for k in 1 2 3; do
	target=$((10000 + 300 * k))
	grown() { at_kill=$(events) && [ "$at_kill" -ge "$target" ]; }
	wait_until 30 grown
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	[ "$at_kill" -lt 13000 ] || fail "crash $k came too late to test anything"
	restart_daemon
done
wait "$flusher" || fail "flush under daemon crashes exited $?: $(cat "$T/flush2.out")"
SENDER_PIDS=()
# Lazy Pirate: silence after each crash made the client reopen its socket
grep -q "the daemon went silent; connection reopened [1-9][0-9]* times" "$T/flush2.out" ||
	fail "flush under crashes said: $(cat "$T/flush2.out")"
assert_eq 0 "$(queued)" "spool after the flush under crashes"
assert_eq 13000 "$(total enforcement.actions)" "enforcement.actions after daemon crashes"
assert_eq 13000 "$(events)" "events stored after daemon crashes"

# 3. kill -9 the client mid-flush; the spool reopens intact and the rest goes
stop_daemon
"$GEN" bulk 3000 23 >"$T/c.jsonl"
"$LAWTALLY" send --spool "$SPOOL" --endpoint "$INGEST" --file "$T/c.jsonl" --timeout 0.2 \
	>/dev/null 2>&1 && fail "send with the daemon down exited 0"
restart_daemon
"$LAWTALLY" spool flush --spool "$SPOOL" --endpoint "$INGEST" --batch 5 --window 1 \
	--timeout 30 >/dev/null 2>&1 &
flusher=$!
SENDER_PIDS+=("$flusher")
part() { [ "$(events)" -ge 13500 ]; }
wait_until 30 part
kill -9 "$flusher"
wait "$flusher" 2>/dev/null || true
SENDER_PIDS=()
left=$(queued)
[ "$left" -gt 0 ] && [ "$left" -lt 3000 ] || fail "after the client was killed: $left queued"
out=$("$LAWTALLY" spool flush --spool "$SPOOL" --endpoint "$INGEST" --timeout 20) ||
	fail "flush after the client crash exited $?: $out"
assert_eq 0 "$(queued)" "spool after the client crash"
assert_eq 16000 "$(total enforcement.actions)" "enforcement.actions after the client crash"
assert_eq 16000 "$(events)" "events stored after the client crash"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
