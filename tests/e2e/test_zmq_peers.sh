#!/usr/bin/env bash
# ZeroMQ connections: a key holds at most [auth] connections_per_key of
# them (a connection past it is answered a refusal, a new handshake is
# refused, and one closing makes room); and the memory thousands of
# connections took is given back to the system once they close.
. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
peers() { "$PYTHON" "$ROOT/tests/tools/zpeers.py" "$@"; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$DAEMON_PID/status"; }

# ---- memory: 2,000 connections come and go --------------------------------
# (under a sanitizer, memory is its allocator's, not the C library's)
start_daemon
if grep -qaE "__asan_init|__tsan_init" "$LAWTALLYD"; then
	echo "test_zmq_peers: sanitizer build: the memory check is skipped" >&2
	stop_daemon || fail "lawtallyd did not stop cleanly"
else
rss0=$(rss_kb)
"$PYTHON" "$ROOT/tests/tools/zpeers.py" hold "$INGEST" 2000 60 &
hold=$!
SENDER_PIDS+=("$hold")
wait_until 20 bash -c "[ \$(find /proc/$DAEMON_PID/fd -mindepth 1 | wc -l) -ge 2000 ]"
rss1=$(rss_kb)
[ "$rss1" -ge $((rss0 + 20000)) ] || fail "2,000 connections took only $((rss1 - rss0)) KB"
kill "$hold" && { wait "$hold" || true; }
# given back within a few housekeeping ticks (2 s each)
wait_until 10 bash -c "[ \$(awk '\$1 == \"VmRSS:\" { print \$2 }' /proc/$DAEMON_PID/status) -le $((rss0 + 8000)) ]"
stop_daemon || fail "lawtallyd did not stop cleanly"
fi

# ---- connections_per_key = 2 --------------------------------------------------
K=$T/keys
mkdir -p "$K" "$T/clients"
"$LAWTALLY" keygen lawtallyd --server --dir "$K" >/dev/null 2>&1 || fail "keygen --server"
"$LAWTALLY" keygen office --role office --dir "$K" >/dev/null 2>&1 || fail "keygen office"
cp "$K/office.client" "$T/clients/"
write_config "[ingest]
auth = curve
[auth]
server_secret_key_file = $K/lawtallyd.key
clients_dir = $T/clients
connections_per_key = 2"
: >"$T/daemon.log"
start_daemon
out=$(peers bound "$INGEST" "$K/office.key" "$K/lawtallyd.pub" 3) || fail "zpeers: $out"
assert_eq "conn 0: answered
conn 1: answered
conn 2: too many
new: refused
after close: succeeded" "$out" "connections of one key past connections_per_key"
grep -q "^<4>auth: refused a message of office: its connection is one more than the 2 it may hold" \
	"$T/daemon.log" || fail "no line on the refused message"
grep -q "^<4>auth: refused a connection of office from 127.0.0.1: it holds 2 already" "$T/daemon.log" ||
	fail "no line on the refused handshake"
# the office's queries still work on a connection of its own
"$LAWTALLY" totals --key "$K/office.key" --server-key "$K/lawtallyd.pub" --endpoint "$QUERY" \
	--year 2024 >/dev/null || fail "a query with the key after the others closed"
stop_daemon || fail "lawtallyd did not stop cleanly"
