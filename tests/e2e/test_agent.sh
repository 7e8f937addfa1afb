#!/usr/bin/env bash
# Agent: a village PC runs `lawtally agent` on its spool. Cases entered with
# `send --spool` go through it; while the township server is away they
# wait (send exits 3) and the agent delivers them when it is back; a
# rejected event lands in the spool's rejected list; a second agent on the
# same spool waits for the first; SIGTERM stops the agent cleanly.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

SPOOL=$T/spool
queued() { "$LAWTALLY" spool status --spool "$SPOOL" --json | jq .queued; }
enter() { # CASE STAGE [VILLAGE]: a mediator enters a case at the centre
	"$LAWTALLY" send --spool "$SPOOL" --endpoint "$INGEST" --timeout "${TIMEOUT:-10}" \
		dispute --village "${3:-ZL07}" --case-id "$1" --category NEIGHBOUR --stage "$2" \
		--occurred-at 2024-05-01T10:00:00+08:00
}

start_daemon
"$LAWTALLY" agent --spool "$SPOOL" --endpoint "$INGEST" --poll 0.05 --timeout 1 \
	2>"$T/agent.log" &
AGENT=$!
SENDER_PIDS+=("$AGENT")
started() { grep -q "^<6>agent: forwarding spool $SPOOL to $INGEST" "$T/agent.log"; }
wait_until 10 started
assert_eq "$AGENT" "$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .sender_pid)" \
	"the sender holding the spool"

# the agent delivers what send --spool puts in the spool; send waits for it
out=$(enter WG-A1 REGISTERED 2>&1) || fail "send through the agent exited $?: $out"
assert_eq 1 "$(total disputes.registered)" "registered through the agent"
assert_eq 0 "$(queued)" "spool after delivery"

# the server goes away: the case waits in the spool, send says so with 3
stop_daemon
rc=0
TIMEOUT=0.5 enter WG-A1 RESOLVED >/dev/null 2>"$T/send.err" || rc=$?
assert_eq 3 "$rc" "send --spool while the daemon is down: exit status"
grep -q "1 events still wait in the spool" "$T/send.err" || fail "send said: $(cat "$T/send.err")"
assert_eq 1 "$(queued)" "spooled while the daemon is down"
away() { grep -q "^<4>agent: .* events wait in the spool; next try in" "$T/agent.log"; }
wait_until 10 away

# back: the agent delivers on its own
write_config
start_daemon
resolved() { [ "$(total disputes.resolved)" = 1 ]; }
wait_until 30 resolved
assert_eq 0 "$(queued)" "spool once the daemon is back"

# an event the daemon rejects moves to the rejected list, with its reason
rc=0
out=$(enter WG-A2 REGISTERED ZL99 2>&1) || rc=$?
assert_eq 1 "$rc" "send of a rejected event: exit status"
grep -q "^rejected: .*village" <<<"$out" || fail "send said: $out"
assert_eq 1 "$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .rejected)" "rejected list"
reason=$("$LAWTALLY" spool rejected --spool "$SPOOL" --json | jq -r .reason)
grep -q "village" <<<"$reason" || fail "rejected reason: $reason"
"$LAWTALLY" spool rejected --spool "$SPOOL" --clear >/dev/null 2>&1 || fail "clear exited $?"
assert_eq 0 "$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .rejected)" "rejected list cleared"

# one sender per spool: a second agent waits for the first, naming it
"$LAWTALLY" agent --spool "$SPOOL" --endpoint "$INGEST" --no-desk 2>"$T/agent2.log" &
AGENT2=$!
SENDER_PIDS+=("$AGENT2")
waiting() { grep -q "^<6>agent: spool $SPOOL: another process (pid $AGENT) is sending from it; waiting for it to finish" "$T/agent2.log"; }
wait_until 10 waiting
kill -0 "$AGENT2" 2>/dev/null || fail "the second agent did not wait: $(cat "$T/agent2.log")"
kill -TERM "$AGENT2"
rc=0
wait "$AGENT2" || rc=$?
assert_eq 0 "$rc" "a waiting agent's exit status on SIGTERM"
SENDER_PIDS=("$AGENT")

# SIGTERM: a clean stop
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
SENDER_PIDS=()
assert_eq 0 "$rc" "agent exit status on SIGTERM"
grep -q "^<6>agent: stopping; 0 events stay in the spool" "$T/agent.log" ||
	fail "agent log: $(tail -n 3 "$T/agent.log")"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"

# the unit for the village PC passes systemd-analyze verify (with its
# command pointed at the build and the man page where man looks)
mkdir -p "$T/unit" "$T/man/man1"
ln -s "$ROOT/docs/man/lawtally.1" "$T/man/man1/lawtally.1"
sed "s|/usr/local/bin/lawtally|$LAWTALLY|" "$ROOT/systemd/lawtally-agent.service" \
	>"$T/unit/lawtally-agent.service"
out=$(MANPATH="$T/man" SYSTEMD_LOG_LEVEL=warning systemd-analyze verify \
	"$T/unit/lawtally-agent.service" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify says: $out"
