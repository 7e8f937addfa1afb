#!/usr/bin/env bash
# Simulate: `lawtally simulate` plays the village centres and the
# enforcement devices at a given rate; the totals of the current year are
# exactly what it says its events add, directly and through a spool.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

YEAR=$(TZ=Asia/Shanghai date +%Y)
export YEAR
start_daemon

run() { # ARGS...: one run; prints its JSON summary
	"$LAWTALLY" simulate --endpoint "$INGEST" --json "$@"
}
expect() { # SUMMARY...: totals equal the sum of the runs' expected figures
	local m want
	for m in disputes.registered disputes.resolved disputes.escalated disputes.unresolved \
		trainings.sessions trainings.attendees enforcement.actions enforcement.recorded; do
		want=$(jq -s --arg m "$m" 'map(.expected[$m]) | add' <<<"$*")
		assert_eq "$want" "$(total "$m")" "$m"
	done
}

a=$(run --count 1500 --rate 3000 --seed 7) || fail "simulate exited $?"
assert_eq 1500 "$(jq .accepted <<<"$a")" "events accepted"
rate=$(jq .rate <<<"$a")
awk -v r="$rate" 'BEGIN { exit !(r > 300 && r < 3300) }' || fail "rate $rate/s for --rate 3000"
expect "$a"
[ "$(jq '.expected["disputes.registered"]' <<<"$a")" -gt 0 ] || fail "no dispute registered"
[ "$(jq '.expected["disputes.resolved"]' <<<"$a")" -gt 0 ] || fail "no dispute resolved"

# through a spool, as a village PC sends
b=$(run --count 300 --rate 0 --seed 8 --spool "$T/spool") || fail "simulate --spool exited $?"
assert_eq 300 "$(jq .accepted <<<"$b")" "events accepted through the spool"
assert_eq 0 "$("$LAWTALLY" spool status --spool "$T/spool" --json | jq .queued)" "spool left"
expect "$a" "$b"
assert_eq 1800 "$(curl -sf "http://$HTTP/healthz" | jq .events)" "events stored"

# the daemon away: exit 3 within the timeout
stop_daemon
rc=0
"$LAWTALLY" simulate --endpoint "$INGEST" --count 10 --timeout 0.5 >/dev/null 2>&1 || rc=$?
assert_eq 3 "$rc" "simulate with the daemon down: exit status"
