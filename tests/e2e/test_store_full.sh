#!/usr/bin/env bash
# The store full at map_size_max_mb: new batches get a temporary refusal
# (no acks, retry), a sender with a short timeout gives up with exit 3 and
# nothing of the refused batches is stored; queries go on. Raising
# map_size_max_mb and reloading (SIGHUP) lets a held-back sender finish by
# itself; every event is then stored once and the store verifies.
. "$(dirname "$0")/lib.sh"

N=12000
"$GEN" bulk $N 21 >"$T/all.jsonl"
# a tiny store: map_size_max_mb = 1 in the [daemon] section
config_1mb() {
	write_config
	sed -i "s|^data_dir = .*|&\nmap_size_max_mb = 1|" "$T/lawtallyd.conf"
}
config_1mb
notify_listen # STATUS= shows the backlog
start_daemon
config_1mb # with the ports of this start, for the reload below

# fill it: the sender sees refusals, backs off and gives up (exit 3)
set +e
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/all.jsonl" --batch 200 --window 2 --timeout 1 \
	--ack-log "$T/acked.1" >"$T/send1.out" 2>&1
rc=$?
set -e
assert_eq 3 "$rc" "exit status of a sender facing a full store"
grep -q "^<4>store: full at its maximum map size of 1 MiB" "$T/daemon.log" || fail "no store-full line"
refused=$(metric lawtally_refusals_total)
[ "$refused" -gt 0 ] || fail "no refusals counted"
acked=$(sort -u "$T/acked.1" | wc -l)
[ "$acked" -gt 0 ] && [ "$acked" -lt $N ] || fail "$acked of $N acknowledged before the store was full"

# queries go on, and hold exactly what was acknowledged
assert_eq "$acked" "$(total enforcement.actions)" "actions while full (ZeroMQ query)"
assert_eq "$acked" "$(http_total enforcement.actions)" "actions while full (HTTP)"
assert_eq "$acked" "$(curl -sf "http://$HTTP/healthz" | jq .events)" "events while full"

# a held-back sender: refused, retrying
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/all.jsonl" --batch 200 --window 2 --timeout 30 \
	--ack-log "$T/acked.2" >"$T/send2.out" 2>&1 &
SENDER_PIDS+=($!)
more_refusals() { [ "$(metric lawtally_refusals_total)" -gt "$refused" ]; }
wait_until 10 more_refusals
kill -0 "${SENDER_PIDS[-1]}" || fail "the held-back sender did not wait"
# the status line (sent with READY=1 after a reload) counts the held-back batches
kill -HUP "$DAEMON_PID"
wait_until 5 notified 2 READY=1
grep -Eq " STATUS=[0-9]+ events stored; last commit [0-9: -]+ UTC; backlog: [0-9]+ batches refused since \(store or disk full\)$" \
	"$T/notify.log" || fail "STATUS= while full: $(grep STATUS= "$T/notify.log" | tail -1)"

# room returns: a larger maximum, reloaded live
sed -i "s|^map_size_max_mb = 1$|map_size_max_mb = 64|" "$T/lawtallyd.conf"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>reload: the store may grow to 64 MiB" "$T/daemon.log"
wait "${SENDER_PIDS[-1]}" || fail "held-back sender exited $?: $(cat "$T/send2.out")"
unset "SENDER_PIDS[-1]"
assert_eq "$N events: $((N - acked)) accepted, $acked duplicate, 0 rejected; 0 invalid lines" \
	"$(cat "$T/send2.out")" "held-back sender summary"
assert_eq $N "$(total enforcement.actions)" "actions after room returned"
grep -q "^<6>store: map grown from 1 to 2 MiB" "$T/daemon.log" || fail "no map growth logged"
# many batches were refused, but the journal got one line for them a minute, and one when room returned
full_lines=$(grep -c "^<4>store: full at its maximum map size of 1 MiB" "$T/daemon.log")
[ "$(metric lawtally_refusals_total)" -gt 2 ] && [ "$full_lines" -le 2 ] ||
	fail "$full_lines store-full lines for $(metric lawtally_refusals_total) refusals"
grep -q "^<6>store: room again; ingest resumed" "$T/daemon.log" || fail "no line when room returned"

# nothing was corrupted: a recount agrees, live and after a restart
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify exited $?: $out"
assert_eq "verify: $T/data: $N events, consistent" "$out" "verify after the full store"
stop_daemon TERM || fail "stop exited $?"
start_daemon
assert_eq $N "$(total enforcement.actions)" "actions after a restart"
