#!/usr/bin/env bash
# SIGHUP with a broken config keeps the daemon serving on the old one; a
# good config takes effect; SIGTERM under load loses nothing acknowledged.
. "$(dirname "$0")/lib.sh"

write_config
start_daemon
# pin the ports so that the config can be rewritten with the same ones
write_config
cp "$T/lawtallyd.conf" "$T/good.conf"

# a broken config: logged, ignored, the daemon serves on
printf '[ingest]\nbatch_events_max = lots\n' >>"$T/lawtallyd.conf"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<3>reload: .*keeping the old config" "$T/daemon.log"
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL01 --attendees 4 --occurred-at 2024-06-01T10:00:00+08:00 >/dev/null ||
	fail "send after a broken reload"
assert_eq 1 "$(total trainings.sessions)" "sessions after a broken reload"
set +e
out=$("$LAWTALLY" send --endpoint "$INGEST" training --village ZL42 --attendees 4 --occurred-at 2024-06-01T10:00:00+08:00 2>&1)
rc=$?
set -e
assert_eq 1 "$rc" "unknown village before the new list"

# a good config with one more village: it takes effect
cp "$T/good.conf" "$T/lawtallyd.conf"
{
	echo "[villages]"
	"$LAWTALLYD" --check-config 2>/dev/null | sed -n '/^\[villages\]/,$p' | grep ' = '
	echo "ZL42 = 新村"
} >>"$T/lawtallyd.conf"
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>&1 || fail "new config does not check"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>reload: config .* 42 villages" "$T/daemon.log"
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL42 --attendees 4 --occurred-at 2024-06-01T10:00:00+08:00 >/dev/null ||
	fail "the new village is not accepted after reload"
assert_eq 2 "$(total trainings.sessions)" "sessions after a good reload"

# SIGTERM under load: every acknowledged event is stored
"$GEN" bulk 40000 5 >"$T/load.jsonl"
split -n l/4 -d "$T/load.jsonl" "$T/load."
for i in 0 1 2 3; do
	"$LAWTALLY" send --endpoint "$INGEST" --file "$T/load.0$i" --batch 100 --window 8 \
		--timeout 3 --ack-log "$T/acked.$i" >/dev/null 2>&1 &
	SENDER_PIDS+=($!)
done
wait_until 30 bash -c "cat '$T'/acked.* 2>/dev/null | wc -l | awk '{exit !(\$1 >= 1000)}'"
stop_daemon TERM || fail "daemon exited $? on SIGTERM under load"
grep -q "^<6>stopped cleanly" "$T/daemon.log" || fail "no clean stop logged"
for p in "${SENDER_PIDS[@]}"; do wait "$p" || true; done
SENDER_PIDS=()
cat "$T"/acked.* | sort -u >"$T/acked.all"
acked=$(wc -l <"$T/acked.all")
start_daemon
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/acked.all") || fail "ack check exited $?"
assert_eq "$acked events: 0 accepted, $acked duplicate, 0 rejected; 0 invalid lines" "$out" \
	"acknowledged events after SIGTERM"
# committed events whose reply was lost in the stop may be stored too, once
got=$(total enforcement.actions)
[ "$got" -ge "$acked" ] && [ "$got" -le 40000 ] || fail "enforcement.actions $got, acknowledged $acked"
