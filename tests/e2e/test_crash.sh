#!/usr/bin/env bash
# Crash: 8 senders stream 100,000 events with several batches in flight;
# the daemon is killed with -9 part-way and restarted; the senders send
# again what was not acknowledged. Afterwards the totals equal exactly the
# number of distinct events and every acknowledged event is stored.
. "$(dirname "$0")/lib.sh"

N=100000
SENDERS=8
PER=$((N / SENDERS))
"$GEN" bulk $N 11 >"$T/all.jsonl"
split -n l/$SENDERS -d "$T/all.jsonl" "$T/part."
start_daemon

for i in $(seq 0 $((SENDERS - 1))); do
	"$LAWTALLY" send --endpoint "$INGEST" --file "$T/part.0$i" --batch 20 --window 3 \
		--timeout 3 --ack-log "$T/acked.$i" >"$T/send.$i.out" 2>&1 &
	SENDER_PIDS+=($!)
done

# kill the daemon once a good part, but not all, is stored
stored() { curl -sf "http://$HTTP/healthz" | jq -e ".events >= 2000"; }
wait_until 60 stored
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
acked_before=$(cat "$T"/acked.* 2>/dev/null | wc -l)

# senders see silence and give up with exit 3 (or finished just before)
for i in "${!SENDER_PIDS[@]}"; do
	rc=0
	wait "${SENDER_PIDS[$i]}" || rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "sender $i exited $rc: $(cat "$T/send.$i.out")"
done
SENDER_PIDS=()
[ "$acked_before" -lt $N ] || fail "the daemon was killed too late to test anything"
echo "crash: daemon killed with $acked_before of $N events acknowledged"

write_config   # the same ports again, as after a real restart
start_daemon
# every sender sends its whole part again: acknowledged events come back DUPLICATE
for i in $(seq 0 $((SENDERS - 1))); do
	"$LAWTALLY" send --endpoint "$INGEST" --file "$T/part.0$i" --batch 20 --window 3 \
		--timeout 20 --ack-log "$T/acked.$i" >"$T/resend.$i.out" 2>&1 &
	SENDER_PIDS+=($!)
done
for i in "${!SENDER_PIDS[@]}"; do
	wait "${SENDER_PIDS[$i]}" || fail "re-send $i exited $?: $(cat "$T/resend.$i.out")"
done
SENDER_PIDS=()

assert_eq $N "$(total enforcement.actions)" "enforcement.actions after the crash"
assert_eq $N "$(curl -sf "http://$HTTP/healthz" | jq .events)" "events stored"
# every event acknowledged before the crash is stored: sent again, all duplicate
cat "$T"/acked.* | sort -u >"$T/acked.all"
acked=$(wc -l <"$T/acked.all")
[ "$acked" -ge "$acked_before" ] || fail "ack logs shrank"
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/acked.all") || fail "ack check exited $?"
assert_eq "$acked events: 0 accepted, $acked duplicate, 0 rejected; 0 invalid lines" "$out" \
	"acknowledged events re-sent"
"$BUILD/lawtally" totals --endpoint "$QUERY" --year 2024 --metric enforcement.actions >/dev/null
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
