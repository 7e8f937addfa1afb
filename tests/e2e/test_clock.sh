#!/usr/bin/env bash
# A daemon whose clock is 3 days slow (faketime) sees today's events more
# than a day ahead: it refuses them for now (error + retry, nothing
# stored) and says how far ahead in one <4> line a minute; the spool keeps
# them queued, not rejected, and shows why they wait. Once the daemon's
# clock is right they are accepted. close-year refuses a year that has not
# ended by the daemon's clock.
. "$(dirname "$0")/lib.sh"

# Debian's faketime, preloaded into lawtallyd itself (the faketime command
# would run it as a child, out of reach of the signals that stop it)
LIBFAKETIME=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
[ -n "$LIBFAKETIME" ] || fail "libfaketime is missing (make deps installs faketime)"
# lawtallyd with its real-time clock shifted by $DAEMON_CLOCK (FAKETIME);
# the monotonic clock stays real, so that timeouts and rate limits run as usual
cat >"$T/lawtallyd-faked" <<WRAP
#!/bin/sh
export LD_PRELOAD='$LIBFAKETIME' FAKETIME="\$DAEMON_CLOCK" FAKETIME_DONT_FAKE_MONOTONIC=1
exec '$BUILD/lawtallyd' "\$@"
WRAP
chmod +x "$T/lawtallyd-faked"
REAL_LAWTALLYD=$LAWTALLYD
SPOOL=$T/spool

# 20 trainings held an hour ago, by the real clock
now=$(date +%s)
at=$((now - 3600))
export YEAR=$(date -u -d "@$((at + 28800))" +%Y) # the township's zone
for i in $(seq 1 20); do
	printf '{"id":"0190c8e2-0000-7000-8000-%012d","village":"ZL07","occurredAt":"%d","training":{"attendees":%d}}\n' \
		"$i" "$at" "$i"
done >"$T/today.jsonl"

# ---- the daemon 3 days slow --------------------------------------------------
export DAEMON_CLOCK=-3d
LAWTALLYD=$T/lawtallyd-faked
start_daemon
daemon_now=$(curl -sf "http://$HTTP/v1/stream" --max-time 1 | sed -n 's/^data: .*"time":\([0-9]*\).*/\1/p' | head -n 1 || true)
[ -n "$daemon_now" ] && [ $((now - daemon_now)) -gt $((3 * 86400 - 60)) ] ||
	fail "the daemon's clock is not 3 days slow: $daemon_now against $now"

set +e
"$LAWTALLY" send --spool "$SPOOL" --endpoint "$INGEST" --file "$T/today.jsonl" --timeout 2 \
	>"$T/send.out" 2>"$T/send.err"
rc=$?
set -e
assert_eq 3 "$rc" "send --spool to a slow daemon: exit status"
grep -q "the daemon refuses for now: clock: events\[0\].occurred_at is 2 d 2[23] h ahead of lawtallyd's clock (at most 1 d): nothing stored; retry later, and check both clocks (NTP)" \
	"$T/send.err" || fail "send: $(cat "$T/send.err")"
grep -q "delivered: 0 accepted, 0 duplicate, 0 rejected; 20 left in spool" "$T/send.out" ||
	fail "send: $(cat "$T/send.out")"

# queued, not rejected, with the reason
status=$("$LAWTALLY" spool status --spool "$SPOOL" --json)
assert_eq 20 "$(jq .queued <<<"$status")" "queued while the clock is slow"
assert_eq 0 "$(jq .rejected <<<"$status")" "rejected while the clock is slow"
jq -e '.waiting.reason | startswith("the daemon refuses for now: clock: ")' <<<"$status" >/dev/null ||
	fail "status: $status"
[ "$(jq .waiting.since <<<"$status")" -ge "$now" ] || fail "waiting since: $status"
"$LAWTALLY" spool status --spool "$SPOOL" | grep -q "^waiting:  since .*: the daemon refuses for now: clock: " ||
	fail "status text: $("$LAWTALLY" spool status --spool "$SPOOL")"

# nothing of it was stored or counted as rejected; one line for the operator
assert_eq 0 "$(curl -sf "http://$HTTP/healthz" | jq .events)" "events stored"
assert_eq 0 "$(metric 'lawtally_events_total{status="rejected"}')" "events rejected"
refused=$(metric lawtally_clock_refusals_total)
[ "$refused" -ge 1 ] || fail "no clock refusal counted"
grep -Eq "^<4>ingest: events up to 2 d 2[23] h ahead of this machine's clock \(more than 1 d\): [0-9]+ request\(s\) refused for now, kept by their senders; check the clocks \(NTP\) here and at the senders$" \
	"$T/daemon.log" || fail "no clock line: $(grep '^<4>' "$T/daemon.log")"

# more tries within the minute: refused again, still one line
set +e
"$LAWTALLY" spool flush --spool "$SPOOL" --endpoint "$INGEST" --timeout 1 >/dev/null 2>&1
rc=$?
out=$("$LAWTALLY" send --endpoint "$INGEST" --timeout 1 training --village ZL05 --attendees 3 2>&1)
rc2=$?
set -e
assert_eq 3 "$rc" "spool flush to a slow daemon"
assert_eq 3 "$rc2" "send of one event to a slow daemon"
# made now: three days ahead, give or take the second it took
grep -Eq "the daemon refuses for now: clock: events\[0\].occurred_at is (2 d 23|3 d 0) h ahead" <<<"$out" ||
	fail "send: $out"
[ "$(metric lawtally_clock_refusals_total)" -gt "$refused" ] || fail "the later tries were not refused"
assert_eq 1 "$(grep -c "^<4>ingest: events up to" "$T/daemon.log")" "clock lines within a minute"
assert_eq 20 "$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .queued)" "queued after more tries"
stop_daemon TERM || fail "the slow daemon exited $?"

# ---- the clock put right: what waited is accepted --------------------------------
LAWTALLYD=$REAL_LAWTALLYD
start_daemon
out=$("$LAWTALLY" spool flush --spool "$SPOOL" --endpoint "$INGEST" --timeout 10) ||
	fail "flush on the right clock exited $?: $out"
grep -q "delivered: 20 accepted, 0 duplicate, 0 rejected; 0 left in spool" <<<"$out" || fail "flush: $out"
status=$("$LAWTALLY" spool status --spool "$SPOOL" --json)
assert_eq 0 "$(jq .queued <<<"$status")" "queued after the flush"
assert_eq 0 "$(jq .rejected <<<"$status")" "rejected after the flush"
assert_eq null "$(jq .waiting <<<"$status")" "waiting after the flush"
assert_eq 20 "$(total trainings.sessions)" "trainings counted"
assert_eq 210 "$(http_total trainings.attendees)" "attendees counted"
stop_daemon TERM || fail "stop exited $?"

# ---- close-year goes by the daemon's clock ---------------------------------------
# on 2027-01-02 12:00 in the township, a daemon 3 days slow is still in 2026
right=$(date -u -d '2027-01-02 04:00:00' +%s)
export DAEMON_CLOCK=$(printf '%+d' $((right - 3 * 86400 - $(date +%s))))
LAWTALLYD=$T/lawtallyd-faked
start_daemon
set +e
"$LAWTALLY" close-year --endpoint "$QUERY" 2026 >"$T/close.out" 2>"$T/close.err"
rc=$?
set -e
assert_eq 2 "$rc" "close-year of a year not over by the daemon's clock"
grep -q "year: 2026 is not over yet by lawtallyd's clock (2026-12-30 12:0[0-9]); only past years close" \
	"$T/close.err" || fail "close-year: $(cat "$T/close.err")"
stop_daemon TERM || fail "stop exited $?"
export DAEMON_CLOCK=$(printf '%+d' $((right - $(date +%s))))
start_daemon
# (its one sender, silent since 2026-11, is accepted: completeness is test_completeness's)
"$LAWTALLY" close-year --endpoint "$QUERY" --accept-gaps 2026 >"$T/close.out" 2>"$T/close.err" ||
	fail "close-year on the right clock: $(cat "$T/close.err")"
grep -q "^Closed 2026 at 2027-01-02 12:0[0-9]\|2026年度数据已结报：结报于 2027-01-02 12:0[0-9]" "$T/close.out" ||
	fail "closed: $(cat "$T/close.out")"
