#!/usr/bin/env bash
# HTTP under hostile load, at reduced size (`make bench` has the full one):
#  - slow clients (a header line a second, never a whole request) hold at
#    most connections_max connections; the rest are answered 503 at once;
#    each is closed at timeout_s however it trickles; /healthz, ingest and
#    queries answer meanwhile; descriptors come back when they go;
#  - past connections_max with every connection busy (event streams), a
#    new one is answered 503 with a JSON reason, at once;
#  - under LimitNOFILE=1024 with connections_max = 10000 and 1,100 slow
#    clients: under 100 log lines and 10 % CPU, /healthz answers, a new
#    sender is answered within 1 s of the attackers closing;
#  - descriptors running out under the daemon (its limit lowered while it
#    runs): accepting pauses instead of spinning, the log stays short, and
#    HTTP serves again when they are back.
. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
SLOW_PID=
slow() { # CLIENTS INTERVAL: slow clients in the background, status in $T/slow
	rm -f "$T/slow"
	"$PYTHON" "$ROOT/tests/tools/slowhttp.py" "$HTTP" "$1" "$2" "$T/slow" &
	SLOW_PID=$!
	SENDER_PIDS+=("$SLOW_PID")
	wait_until 10 grep -q "^connected $1 " "$T/slow"
}
slow_stop() { kill -TERM "$SLOW_PID" && wait "$SLOW_PID"; }
stat_of() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$T/slow"; }
fds() { find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l; }
ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-2}" "http://$HTTP$1" || true; }
healthz_200() { [ "$(code /healthz 1)" = 200 ]; }
closed() { metric "lawtally_http_connections_closed_total{cause=\"$1\"}"; }
# (a request in the attack's first second may get 503: slots give way after 1 s)
metric_ge() { local v; v=$(metric "$1") && [ -n "$v" ] && [ "$v" -ge "$2" ]; }
JUNE=1717200000

# ---- 300 slow clients against connections_max = 16, timeout_s = 3 ----------
write_config "timeout_s = 3
connections_max = 16"
start_daemon
base=$(fds)
slow 300 1
wait_until 5 bash -c "[ \$(awk '{ print \$4 + \$6 }' '$T/slow') -eq 300 ]" # open + closed
assert_eq 16 "$(stat_of open)" "slow connections held"
assert_eq 284 "$(stat_of got503)" "slow connections answered 503"
# the metrics request holds a slot too: 15 slow ones and itself
wait_until 5 metric_ge lawtally_http_connections 16
assert_eq 16 "$(metric lawtally_http_connections)" "HTTP connections the daemon counts"
n=$(fds)
[ "$n" -le $((base + 16 + 3)) ] || fail "$n descriptors with 16 connections held (baseline $base)"
# a good client gets in: the longest waiting slow one gives way after 1 s
wait_until 5 healthz_200
[ "$(closed shed)" -ge 1 ] || fail "no slow connection gave way"
"$LAWTALLY" send --endpoint "$INGEST" --timeout 2 training --village ZL05 --attendees 9 \
	--occurred-at $JUNE >/dev/null || fail "ingest during the attack"
assert_eq 1 "$(total trainings.sessions)" "a query during the attack"
# a line a second restarts evhttp's timeout each time; the 3 s deadline holds
wait_until 8 metric_ge 'lawtally_http_connections_closed_total{cause="deadline"}' 13
wait_until 2 awk '$10 >= 2.9 { ok = 1 } END { exit !ok }' "$T/slow" # its status, 0.2 s late at most
lived=$(stat_of lived_max)
awk -v l="$lived" 'BEGIN { exit !(l >= 2.9 && l < 4.5) }' || fail "a trickling client lived $lived s (timeout_s 3)"
slow_stop
wait_until 5 bash -c "[ \$(find /proc/$DAEMON_PID/fd -mindepth 1 | wc -l) -le $((base + 1)) ]"
n=$(grep -c '^<4>http: ' "$T/daemon.log" || true)
[ "$n" -le 4 ] || fail "$n http lines in the log: $(grep '^<4>http: ' "$T/daemon.log" | head -n 8)"
stop_daemon || fail "lawtallyd did not stop cleanly"

# ---- every slot busy with an event stream: 503 at once, with a reason ------
write_config "connections_max = 4"
start_daemon
for i in 1 2 3 4; do
	curl -sN "http://$HTTP/v1/stream" >"$T/stream$i" &
	SENDER_PIDS+=($!)
	wait_until 5 grep -q '^event: hello' "$T/stream$i"
done
curl -s -D "$T/h503" -o "$T/b503" --max-time 2 "http://$HTTP/healthz" || true
head -n 1 "$T/h503" | grep -q '^HTTP/1.1 503 Service Unavailable' || fail "5th connection: $(cat "$T/h503")"
assert_eq '{"error":"http: too many connections (4); try again"}' "$(cat "$T/b503")" "the 503's body"
kill "${SENDER_PIDS[-1]}"
wait_until 5 healthz_200
stop_daemon || fail "lawtallyd did not stop cleanly"

# ---- LimitNOFILE=1024, connections_max = 10000, 1,100 slow clients ----------
write_config "connections_max = 10000"
LAWTALLYD_REAL=$LAWTALLYD
cat >"$T/lawtallyd-1024" <<WRAP
#!/bin/sh
exec prlimit --nofile=1024:1024 -- '$LAWTALLYD_REAL' "\$@"
WRAP
chmod +x "$T/lawtallyd-1024"
LAWTALLYD=$T/lawtallyd-1024
: >"$T/daemon.log"
start_daemon
LAWTALLYD=$LAWTALLYD_REAL
grep -q "^<4>http: 832 connections at most, not connections_max = 10000: the daemon may open 1024 files and keeps 192" \
	"$T/daemon.log" || fail "no line on the lowered limit: $(head -n 3 "$T/daemon.log")"
lines0=$(wc -l <"$T/daemon.log")
t0=$(ticks)
s0=$SECONDS
slow 1100 4
wait_until 5 bash -c "[ \$(awk '{ print \$4 + \$6 }' '$T/slow') -eq 1100 ]"
[ "$(stat_of open)" -le 832 ] || fail "more slow connections held than 832: $(cat "$T/slow")"
n=$(fds)
[ "$n" -le 1024 ] || fail "$n descriptors under a limit of 1024"
wait_until 5 healthz_200
"$LAWTALLY" send --endpoint "$INGEST" --timeout 2 training --village ZL05 --attendees 9 \
	--occurred-at $JUNE >/dev/null || fail "a new sender during the attack"
sleep 3 # the measuring window: CPU and log lines while the attack holds
t1=$(ticks)
secs=$((SECONDS - s0))
cpu=$(((t1 - t0) * 100 / ($(getconf CLK_TCK) * (secs > 0 ? secs : 1))))
[ "$cpu" -lt 10 ] || fail "lawtallyd used $cpu % CPU during the attack"
lines=$(($(wc -l <"$T/daemon.log") - lines0))
[ "$lines" -lt 100 ] || fail "$lines log lines during the attack"
slow_stop
start_ns=$(date +%s%N)
"$LAWTALLY" send --endpoint "$INGEST" --timeout 1 training --village ZL05 --attendees 9 \
	--occurred-at $((JUNE + 1)) >/dev/null || fail "a new sender after the attack, within 1 s"
ms=$((($(date +%s%N) - start_ns) / 1000000))
[ "$ms" -lt 1000 ] || fail "a new sender was answered after $ms ms"
stop_daemon || fail "lawtallyd did not stop cleanly"

# ---- descriptors run out under the daemon: pause, not spin -----------------
write_config ""
start_daemon
prlimit --pid "$DAEMON_PID" --nofile=$(($(fds) + 12)):20000
lines0=$(wc -l <"$T/daemon.log")
t0=$(ticks)
s0=$SECONDS
slow 300 1
wait_until 5 metric_ge lawtally_http_accept_errors_total 1
sleep 2
t1=$(ticks)
secs=$((SECONDS - s0))
cpu=$(((t1 - t0) * 100 / ($(getconf CLK_TCK) * (secs > 0 ? secs : 1))))
[ "$cpu" -lt 10 ] || fail "lawtallyd used $cpu % CPU while out of descriptors"
[ "$(stat_of got503)" -ge 250 ] || fail "slow clients answered 503: $(cat "$T/slow")"
grep -q "^<4>http: cannot accept connections: Too many open files; [0-9]* answered 503, accepting pauses for 100 ms" \
	"$T/daemon.log" || fail "no line on running out of descriptors"
lines=$(($(wc -l <"$T/daemon.log") - lines0))
[ "$lines" -le 6 ] || fail "$lines log lines while out of descriptors: $(tail -n 8 "$T/daemon.log")"
slow_stop
prlimit --pid "$DAEMON_PID" --nofile=20000:20000
wait_until 5 healthz_200
stop_daemon || fail "lawtallyd did not stop cleanly"
