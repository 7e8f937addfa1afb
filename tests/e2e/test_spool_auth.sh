#!/usr/bin/env bash
# Spool with auth = curve: a village centre's agent holds its CurveZMQ key
# ($LAWTALLY_KEY, $LAWTALLY_SERVER_KEY). The daemon is killed with -9 while
# a case waits; the agent's flush goes silent, reopens its socket (Lazy
# Pirate) with the same keys, and delivers the case once the daemon is back.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

K=$T/keys
SPOOL=$T/spool
mkdir -p "$K" "$T/clients"
chmod 755 "$T/clients"
"$LAWTALLY" keygen lawtallyd --server --dir "$K" >/dev/null 2>&1 || fail "keygen --server"
"$LAWTALLY" keygen zl07 --role village:ZL07 --dir "$K" >/dev/null 2>&1 || fail "keygen zl07"
cp "$K/zl07.client" "$T/clients/"
CONF="[ingest]
auth = curve
[auth]
server_secret_key_file = $K/lawtallyd.key
clients_dir = $T/clients"
events() { curl -sf "http://$HTTP/healthz" | jq .events; }
enter() { # CASE: a case entered at the centre, waiting at most 0.5 s for delivery
	"$LAWTALLY" send --spool "$SPOOL" --endpoint "$INGEST" --timeout 0.5 dispute --village ZL07 \
		--case-id "$1" --category LAND --stage REGISTERED --occurred-at 2024-05-01T10:00:00+08:00
}

write_config "$CONF"
start_daemon
export LAWTALLY_KEY=$K/zl07.key LAWTALLY_SERVER_KEY=$K/lawtallyd.pub
"$LAWTALLY" agent --spool "$SPOOL" --endpoint "$INGEST" --poll 0.05 --timeout 60 \
	2>"$T/agent.log" &
SENDER_PIDS+=($!)
enter WG-K1 >/dev/null 2>&1 || true
one() { [ "$(events)" = 1 ]; }
wait_until 10 one

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rc=0
enter WG-K2 >/dev/null 2>&1 || rc=$?
assert_eq 3 "$rc" "send --spool while the daemon is down: exit status"
reopened() { grep -q "^<4>agent: lawtallyd went silent; connection reopened" "$T/agent.log"; }
sleep 3 # the daemon stays away past the agent's 2 s retry: its socket is reopened
write_config "$CONF"
start_daemon
two() { [ "$(events)" = 2 ]; }
wait_until 30 two
wait_until 10 reopened
assert_eq 0 "$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .queued)" "spool left"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
