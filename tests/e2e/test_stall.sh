#!/usr/bin/env bash
# A commit that hangs on the disk (the store's filesystem frozen with
# fsfreeze): the loop keeps turning, but the watchdog's keep-alives stop
# once the commit has run for half the interval, with one error line, so
# that systemd would restart the daemon; when the disk comes back the
# commit finishes, its sender is answered and the keep-alives resume.
# Needs a loop-mounted ext4 and fsfreeze: skipped, saying so, without them.
. "$(dirname "$0")/lib.sh"

mkdir "$T/mnt"
if ! { truncate -s 64M "$T/img" && mkfs.ext4 -q -F "$T/img" &&
	mount -o loop "$T/img" "$T/mnt"; } >"$T/mount.err" 2>&1; then
	skip "cannot loop-mount an ext4 image here: $(head -c 200 "$T/mount.err")"
fi
# thaw first: cleanup must not write to a frozen filesystem
trap 'rc=$?; set +e; fsfreeze -u "$T/mnt" 2>/dev/null; umount -l "$T/mnt" 2>/dev/null; (exit $rc); cleanup' EXIT

notify_listen 1000000 # WATCHDOG_USEC: keep-alives every 0.5 s
write_config
sed -i "s|^data_dir = .*|data_dir = $T/mnt/data|" "$T/lawtallyd.conf"
start_daemon
wait_until 5 notified 2 WATCHDOG=1
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL01 --attendees 4 \
	--occurred-at 2024-06-01T10:00:00+08:00 >/dev/null || fail "send before the freeze"

fsfreeze -f "$T/mnt" || fail "fsfreeze"
"$LAWTALLY" send --endpoint "$INGEST" --timeout 30 training --village ZL02 --attendees 5 \
	--occurred-at 2024-06-02T10:00:00+08:00 >"$T/send.out" 2>&1 &
SENDER_PIDS+=($!)
withheld() { grep -q "^<3>notify: a commit has been running for [0-9.]* s; withholding WATCHDOG=1" "$T/daemon.log"; }
wait_until 10 withheld
before=$(grep -c " WATCHDOG=1\$" "$T/notify.log")
sleep 1.2 # more than two keep-alive periods
assert_eq "$before" "$(grep -c " WATCHDOG=1\$" "$T/notify.log")" "WATCHDOG=1 while the commit hung"
kill -0 "$DAEMON_PID" || fail "the daemon stopped"

fsfreeze -u "$T/mnt" || fail "fsfreeze -u"
wait "${SENDER_PIDS[-1]}" || fail "the held sender exited $?: $(cat "$T/send.out")"
unset "SENDER_PIDS[-1]"
resumed() { grep -q "^<4>notify: the stalled commit finished after all; keep-alives resumed" "$T/daemon.log"; }
wait_until 5 resumed
wait_until 5 notified $((before + 2)) WATCHDOG=1
assert_eq 1 "$(grep -c "^<3>notify: a commit has been running" "$T/daemon.log")" "error lines for one stall"
assert_eq 9 "$(total trainings.attendees)" "attendees after the stall"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
