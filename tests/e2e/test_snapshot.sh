#!/usr/bin/env bash
# Every answer is read from one commit: while senders saturate ingest with
# new disputes at STAGE_REGISTERED (each adds 1 to disputes.registered and
# 1 to disputes.open in the same commit), GET /v1/totals and ZeroMQ queries
# of every metric must show the two equal in each answer. A reduced run of
# the bench's snapshot section (bench/run.sh --only snapshot).
. "$(dirname "$0")/lib.sh"

LOADGEN=$BUILD/bench/loadgen
[ -x "$LOADGEN" ] || fail "$LOADGEN is missing (make $LOADGEN)"
HTTP_ANSWERS=4000 ZMQ_ANSWERS=2000

start_daemon
# senders until told to stop: far more events than they can send meanwhile
"$LOADGEN" --endpoint "$INGEST" --senders 4 --window 4 --batch 128 --events 100000000 \
	--seconds 300 --mix registered >"$T/load.txt" 2>"$T/load.err" &
LOAD_PID=$!
SENDER_PIDS+=($LOAD_PID)
accepted() { [ "$(metric 'lawtally_events_total{status="accepted"}')" -gt 0 ]; }
wait_until 20 accepted

"$LOADGEN" --senders 0 --seconds 120 --query "$QUERY" --http "$HTTP" --check-open \
	--answers $HTTP_ANSWERS --zmq-answers $ZMQ_ANSWERS --probe-gap-ms 0 >"$T/probe.txt" \
	2>"$T/probe.err" || fail "prober: $(cat "$T/probe.err")"
kill -TERM $LOAD_PID
wait $LOAD_PID || fail "the senders failed: $(cat "$T/load.err")"
unset "SENDER_PIDS[-1]"

get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
for kind in http zmq; do
	want=$HTTP_ANSWERS
	[ $kind = zmq ] && want=$ZMQ_ANSWERS
	assert_eq $want "$(get ${kind}_query_n "$T/probe.txt")" "$kind answers checked"
	assert_eq 0 "$(get ${kind}_broken "$T/probe.txt")" \
		"$kind answers with registered != open ($(get ${kind}_broken_example "$T/probe.txt"))"
	first=$(get ${kind}_registered_first "$T/probe.txt")
	last=$(get ${kind}_registered_last "$T/probe.txt")
	progress="${progress:-}$kind $first..$last "
	[ "$last" -gt "$first" ] && moved=1
done
# the answers were taken while commits landed: on a busy machine one kind's
# answers may all fall between two commits, but not both kinds'
[ "${moved:-0}" = 1 ] || fail "registered did not move while answers were taken ($progress)"

# once ingest has stopped, both are what was acknowledged
acked=$(get accepted "$T/load.txt")
[ "$acked" -gt 0 ] || fail "no event acknowledged"
assert_eq "$acked" "$(http_total disputes.registered)" "registered after the run"
assert_eq "$acked" "$(http_total disputes.open)" "open after the run"
assert_eq "$acked" "$(total disputes.open)" "open after the run (ZeroMQ)"
