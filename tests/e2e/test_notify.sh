#!/usr/bin/env bash
# systemd notification on a real NOTIFY_SOCKET (tests/tools/notify_listen.c plays
# systemd): READY=1 with a STATUS= line after start-up, WATCHDOG=1 at half
# of WATCHDOG_USEC, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on
# SIGTERM, in that order; and a stalled loop (SIGSTOP) sends no WATCHDOG=1
# until it runs again.
. "$(dirname "$0")/lib.sh"

notify_listen 200000
start_daemon

count() { grep -c " $1\$" "$T/notify.log" || true; }
wait_until 5 notified 1 READY=1
grep -q "^<6>notify: watchdog every 100 ms" "$T/daemon.log" || fail "no watchdog log line"
grep -q " STATUS=0 events stored; last commit none yet; backlog: none$" "$T/notify.log" ||
	fail "no STATUS= with READY=1: $(grep STATUS "$T/notify.log" | head -1)"
wait_until 5 notified 3 WATCHDOG=1

# a reload: RELOADING=1 (with MONOTONIC_USEC) then READY=1
kill -HUP "$DAEMON_PID"
wait_until 5 notified 2 READY=1
grep -q " MONOTONIC_USEC=[0-9]*\$" "$T/notify.log" || fail "RELOADING=1 without MONOTONIC_USEC"

# the status line follows the store
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL01 --attendees 4 \
	--occurred-at 2024-06-01T10:00:00+08:00 >/dev/null || fail "send"
kill -HUP "$DAEMON_PID"
wait_until 5 notified 3 READY=1
grep -q " STATUS=1 events stored; last commit 20[0-9-]* [0-9:]* UTC; backlog: none\$" \
	"$T/notify.log" || fail "STATUS= after a commit: $(grep STATUS "$T/notify.log" | tail -1)"

# a stalled loop stops the watchdog; it resumes with the loop
stopped() { [ "$(awk '{print $3}' "/proc/$DAEMON_PID/stat")" = T ]; }
kill -STOP "$DAEMON_PID"
wait_until 5 stopped
sleep 0.2 # a datagram sent just before the stop may still be on its way
before=$(count WATCHDOG=1)
sleep 1 # five watchdog periods
assert_eq "$before" "$(count WATCHDOG=1)" "WATCHDOG=1 while the loop was stopped"
kill -CONT "$DAEMON_PID"
wait_until 5 notified $((before + 2)) WATCHDOG=1

stop_daemon TERM || fail "daemon exited $? on SIGTERM"
wait_until 5 notified 1 STOPPING=1
# the order of the state changes
states=$(awk '$2 ~ /^(READY|RELOADING|STOPPING)=1$/ {print $2}' "$T/notify.log" | tr '\n' ' ')
assert_eq "READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 STOPPING=1 " "$states" "state order"
# keep-alives between READY=1 and STOPPING=1 only
first_ready=$(grep -n " READY=1\$" "$T/notify.log" | head -1 | cut -d: -f1)
first_wd=$(grep -n " WATCHDOG=1\$" "$T/notify.log" | head -1 | cut -d: -f1)
last_wd=$(grep -n " WATCHDOG=1\$" "$T/notify.log" | tail -1 | cut -d: -f1)
stopping=$(grep -n " STOPPING=1\$" "$T/notify.log" | cut -d: -f1)
[ "$first_wd" -gt "$first_ready" ] && [ "$last_wd" -lt "$stopping" ] ||
	fail "WATCHDOG=1 outside READY..STOPPING (lines $first_wd..$last_wd, $first_ready, $stopping)"

# without NOTIFY_SOCKET nothing is sent and nothing is logged about it
LAWTALLYD=$BUILD/lawtallyd
lines=$(wc -l <"$T/notify.log")
write_config
start_daemon
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>reload: config" "$T/daemon.log"
stop_daemon TERM || fail "plain daemon exited $?"
assert_eq "$lines" "$(wc -l <"$T/notify.log")" "notifications without NOTIFY_SOCKET"
assert_eq 1 "$(grep -c "notify:" "$T/daemon.log")" "notify lines in the log"
