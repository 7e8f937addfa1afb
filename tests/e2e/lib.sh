# lib.sh - helpers for the end-to-end tests: a real lawtallyd on loopback,
# in a temporary directory, on ports it picks itself, driven by the real
# clients. Source it from a test script; every helper fails the test with
# one line on error. Waits are on conditions with deadlines, never fixed.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LAWTALLYD=$BUILD/lawtallyd
LAWTALLY=$BUILD/lawtally
GEN=$BUILD/tests/gen-events
ZSEND=$BUILD/tests/zsend
T=$(mktemp -d /tmp/lawtally-e2e.XXXXXX)
DAEMON_PID=
SENDER_PIDS=()

cleanup() {
	local rc=$?
	set +e # a failing step here must not skip the rest
	for p in "${SENDER_PIDS[@]}" $DAEMON_PID; do
		{ kill -9 "$p" && wait "$p"; } 2>/dev/null || true
	done
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -f "$T/daemon.log" ]; then
		echo "--- daemon log (last 20 lines)"; tail -n 20 "$T/daemon.log"
	fi
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip REASON: ends the test as skipped, for a cause outside the code under
# test (a privilege the machine does not give), and exits 77, the only
# status run.sh counts as a skip. The reason goes to run.sh, which prints
# it, or to stdout when the test runs on its own.
skip() {
	local why=${*//$'\n'/ }
	if [ -n "${LAWTALLY_E2E_SKIP_FILE:-}" ]; then
		printf '%s\n' "$why" >"$LAWTALLY_E2E_SKIP_FILE"
	else
		echo "SKIP: $why"
	fi
	exit 77
}

# wait_until SECONDS COMMAND...: polls COMMAND every 20 ms until it succeeds.
wait_until() {
	local limit=$1; shift
	local deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || fail "timed out after ${limit}s waiting for: $*"
		sleep 0.02
	done
}

assert_eq() { # EXPECTED ACTUAL WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# write_config [EXTRA_INI_TEXT]: a config on loopback with free ports
# (or the ports of the previous start, so that senders find it again).
write_config() {
	cat >"$T/lawtallyd.conf" <<CONF
[daemon]
data_dir = $T/data
[ingest]
endpoint = ${INGEST:-tcp://127.0.0.1:*}
[query]
endpoint = ${QUERY:-tcp://127.0.0.1:*}
[http]
listen = ${HTTP:-127.0.0.1:0}
${1:-}
CONF
}

# start_daemon: starts lawtallyd on $T/lawtallyd.conf and waits until it
# listens; sets INGEST, QUERY and HTTP from its start-up line.
start_daemon() {
	[ -f "$T/lawtallyd.conf" ] || write_config
	local mark
	touch "$T/daemon.log"
	mark=$(wc -l <"$T/daemon.log")
	"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	local line deadline=$((SECONDS + 10))
	until line=$(tail -n +"$((mark + 1))" "$T/daemon.log" | grep -m 1 "^<6>listening:"); do
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "lawtallyd did not start: $(tail -n 3 "$T/daemon.log")"
		[ $SECONDS -lt $deadline ] || fail "lawtallyd did not listen within 10 s"
		sleep 0.02
	done
	INGEST=$(sed -E 's/.*ingest ([^,]*),.*/\1/' <<<"$line")
	QUERY=$(sed -E 's/.*query ([^,]*),.*/\1/' <<<"$line")
	HTTP=$(sed -E 's/.*http (.*)$/\1/' <<<"$line")
}

# stop_daemon [SIGNAL]: signals the daemon and waits for it; returns its status.
stop_daemon() {
	local sig=${1:-TERM} rc=0
	kill -s "$sig" "$DAEMON_PID"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	return $rc
}

# total METRIC [BY LABEL]: a 2024 figure read through the ZeroMQ query
# endpoint by the CLI; with BY, the row whose BY column is LABEL.
total() {
	local args=(--endpoint "$QUERY" --year "${YEAR:-2024}" --metric "$1" --json)
	[ $# -ge 3 ] && args+=(--by "$2")
	"$LAWTALLY" totals "${args[@]}" |
		jq -r --arg by "${2:-}" --arg l "${3:-}" \
			'[.rows[] | select($by == "" or (.[$by] | tostring) == $l) | .value] | add // 0'
}

# http_total METRIC [BY LABEL]: the same figure through GET /v1/totals.
http_total() {
	local url="http://$HTTP/v1/totals?year=${YEAR:-2024}&metric=$1"
	[ $# -ge 3 ] && url="$url&by=$2"
	curl -sf "$url" |
		jq -r --arg by "${2:-}" --arg l "${3:-}" \
			'[.rows[] | select($by == "" or (.[$by] | tostring) == $l) | .value] | add // 0'
}

# snapshot: every 2024 total by village and month, for "nothing changed".
snapshot() {
	curl -sf "http://$HTTP/v1/totals?year=2024&by=village"
	curl -sf "http://$HTTP/v1/totals?year=2024&by=month"
}

# metric NAME_WITH_LABELS: one value from GET /metrics.
metric() {
	curl -sf "http://$HTTP/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}

# notify_listen [WATCHDOG_USEC]: plays systemd's end of NOTIFY_SOCKET
# (tests/tools/notify_listen.c, lines "MS NAME=VALUE" in $T/notify.log) and makes
# start_daemon run lawtallyd with NOTIFY_SOCKET set, and with a watchdog of
# WATCHDOG_USEC whose WATCHDOG_PID names the daemon itself.
notify_listen() {
	"$BUILD/tests/notify-listen" "$T/notify.sock" 300 >"$T/notify.log" &
	SENDER_PIDS+=($!)
	wait_until 5 test -S "$T/notify.sock"
	cat >"$T/lawtallyd-notify" <<WRAP
#!/bin/sh
export NOTIFY_SOCKET='$T/notify.sock'
[ -z '${1:-}' ] || export WATCHDOG_USEC='${1:-}' WATCHDOG_PID=\$\$
exec '$BUILD/lawtallyd' "\$@"
WRAP
	chmod +x "$T/lawtallyd-notify"
	LAWTALLYD=$T/lawtallyd-notify
}

# notified COUNT NAME=VALUE: at least COUNT such lines in $T/notify.log.
notified() {
	[ "$(grep -c " $2\$" "$T/notify.log" || true)" -ge "$1" ]
}
