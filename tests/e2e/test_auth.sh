#!/usr/bin/env bash
# auth = curve: only registered keys get in, each sends only what its role
# allows and is recorded as itself; only office keys query; a key removed
# and SIGHUP is refused, even on a connection made before, whatever else
# in the directory is wrong; what cannot be read fails closed, at start and
# on reload, and --check-config names it.
. "$(dirname "$0")/lib.sh"

K=$T/keys
mkdir -p "$K" "$T/clients"
chmod 755 "$T/clients"
"$LAWTALLY" keygen lawtallyd --server --dir "$K" >"$K/printed.pub" 2>/dev/null || fail "keygen --server"
cmp -s "$K/printed.pub" "$K/lawtallyd.pub" || fail "keygen --server prints the public key file"
for spec in zl07:village:ZL07 zl08:village:ZL08 cam-01:device office:office stranger:office; do
	name=${spec%%:*}
	"$LAWTALLY" keygen "$name" --role "${spec#*:}" --dir "$K" >"$K/$name.printed" 2>/dev/null ||
		fail "keygen $name"
	cmp -s "$K/$name.printed" "$K/$name.client" || fail "keygen $name prints the client file"
done
assert_eq 600 "$(stat -c %a "$K/zl07.key")" "mode of a secret key"
grep -qx "role = village:ZL07" "$K/zl07.client" || fail "role line: $(cat "$K/zl07.client")"
set +e
out=$("$LAWTALLY" keygen zl07 --role office --dir "$K" 2>&1)
rc=$?
set -e
assert_eq 2 "$rc" "keygen over an existing key"
grep -q "zl07.key: cannot create: File exists" <<<"$out" || fail "keygen over a key: $out"
cp "$K"/{zl07,zl08,cam-01,office}.client "$T/clients/"

AUTH_CONF="[ingest]
auth = curve
[auth]
server_secret_key_file = $K/lawtallyd.key"

# fails closed: a clients directory that cannot be read at start is no start
write_config "$AUTH_CONF
clients_dir = $T/missing"
set +e
"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>"$T/start.err"
rc=$?
set -e
assert_eq 1 "$rc" "start without a clients directory"
grep -qx "<3>auth: $T/missing: cannot open the clients directory: No such file or directory; not starting" \
	"$T/start.err" || fail "start without clients: $(cat "$T/start.err")"

write_config "$AUTH_CONF
clients_dir = $T/clients"
# a server key others may read: --check-config fails as the start would
chmod 644 "$K/lawtallyd.key"
rc=0
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check.err" || rc=$?
assert_eq 2 "$rc" "--check-config with a server key others may read"
grep -qxF "lawtallyd: auth: server secret key $K/lawtallyd.key: a secret key open to others (mode 0644); chmod 600 it" \
	"$T/check.err" || fail "--check-config: $(cat "$T/check.err")"
rc=0
"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>"$T/start.err" || rc=$?
assert_eq 1 "$rc" "start with a server key others may read"
grep -qxF "<3>auth: server secret key $K/lawtallyd.key: a secret key open to others (mode 0644); chmod 600 it; not starting" \
	"$T/start.err" || fail "start: $(cat "$T/start.err")"
chmod 600 "$K/lawtallyd.key"
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check.err" ||
	fail "--check-config of a good auth setup: $(cat "$T/check.err")"
start_daemon
grep -qxF "<6>auth: curve on ingest and query; server public key $(cat "$K/lawtallyd.pub"); 4 clients from $T/clients" \
	"$T/daemon.log" || fail "no auth line in the log"

as() { # NAME SUBCOMMAND ARGS...: the CLI with NAME's key
	local who=$1 cmd=$2
	shift 2
	"$LAWTALLY" "$cmd" --key "$K/$who.key" --server-key "$K/lawtallyd.pub" "$@"
}
send_as() { as "$1" send --endpoint "$INGEST" "${@:2}"; }
total_as() { # NAME METRIC: a 2024 total through the query endpoint
	as "$1" totals --endpoint "$QUERY" --year 2024 --metric "$2" --json | jq -r '[.rows[].value] | add // 0'
}
stored() { curl -sf "http://$HTTP/healthz" | jq -r .events; }
# expect RC PATTERN COMMAND...: COMMAND exits RC and prints a line matching PATTERN
expect() {
	local want=$1 pattern=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	assert_eq "$want" "$rc" "exit status of: ${*:1:3}"
	grep -Eq "$pattern" <<<"$out" || fail "${*:1:3}: expected /$pattern/, got: $out"
}
JUNE=1717200000
ID_A=0190c8e2-0000-7000-8000-00000000000a
ID_B=0190c8e2-0000-7000-8000-00000000000b
ID_C=0190c8e2-0000-7000-8000-00000000000c

# an unknown key, or no key at all, gets nothing and stores nothing
expect 3 "no answer|not acknowledged|timed out|in time" \
	send_as stranger --timeout 0.5 training --village ZL07 --attendees 5 --occurred-at $JUNE
expect 3 "" "$LAWTALLY" send --endpoint "$INGEST" --timeout 0.5 training --village ZL07 --attendees 5 \
	--occurred-at $JUNE
expect 3 "no answer in time" as stranger totals --endpoint "$QUERY" --year 2024 --timeout 1
expect 3 "no answer in time" "$LAWTALLY" totals --endpoint "$QUERY" --year 2024 --timeout 1
assert_eq 0 "$(stored)" "events stored after unknown keys"
grep -qxF "<4>auth: refused key $(sed -n 's/^public_key = //p' "$K/stranger.client") from 127.0.0.1: not in $T/clients" \
	"$T/daemon.log" || fail "the refused key is not logged"

# each role sends what is its own; the rest is rejected naming the rule
expect 0 "^accepted$" send_as zl07 training --id $ID_A --village ZL07 --attendees 5 --occurred-at $JUNE \
	--source office
expect 1 "rejected: scope: a village key sends events of its own village only" \
	send_as zl07 training --village ZL08 --attendees 5 --occurred-at $JUNE
expect 1 "rejected: scope: village keys send dispute, training and retraction events only" \
	send_as zl07 petition --case-id P1 --origin TOWNSHIP --stage RECEIVED --occurred-at $JUNE
expect 0 "^accepted$" send_as cam-01 enforcement --id $ID_B --campaign STRAW_BURNING --action INSPECTION \
	--occurred-at $JUNE --source zl07
expect 1 "rejected: scope: device keys send enforcement, counters and retraction events only" \
	send_as cam-01 dispute --village ZL07 --case-id C1 --category LAND --stage REGISTERED --occurred-at $JUNE
expect 0 "^accepted$" send_as office petition --id $ID_C --case-id P1 --origin TOWNSHIP --stage RECEIVED \
	--occurred-at $JUNE
expect 1 "rejected: scope: office keys send the township's kinds \(petition, publicity, lawsuit, training, document, decision, opinion, disclosure, supervision, enforcement_staff, task\) and retraction events only" \
	send_as office dispute --village ZL07 --case-id D9 --category LAND --stage REGISTERED --occurred-at $JUNE
# a training comes from whoever writes its scope: the village its mediators'
# and villagers', the office the township's audiences
expect 1 "rejected: scope: office keys send trainings of township audiences only, not of mediators or villagers" \
	send_as office training --village ZL07 --audience MEDIATORS --attendees 5 --occurred-at $JUNE
expect 1 "rejected: scope: village keys send trainings of their own mediators and villagers only" \
	send_as zl07 training --village ZL07 --audience LEADERS --attendees 5 --occurred-at $JUNE
expect 0 "^accepted$" send_as office training --audience LEADERS --attendees 12 --occurred-at $JUNE
assert_eq 4 "$(stored)" "events stored"

# only office keys query
assert_eq 1 "$(total_as office trainings.sessions)" "trainings as the office reads them"
expect 2 "lawtally totals: auth: only office keys may query" as zl07 totals --endpoint "$QUERY" --year 2024
expect 2 "lawtally totals: auth: only office keys may query" as cam-01 totals --endpoint "$QUERY" --year 2024

# a retraction names its event's scope, which must be one of the key's own
expect 1 "rejected: scope: a device key retracts enforcement events only \(retraction.scope\)" \
	send_as cam-01 retraction --event-id $ID_A --scope village:ZL07 --reason "not ours" --occurred-at $JUNE
expect 1 "rejected: scope: a village key retracts events of its own village only \(retraction.scope\)" \
	send_as zl08 retraction --event-id $ID_A --scope village:ZL07 --reason "not ours" --occurred-at $JUNE
expect 1 "rejected: scope: a village key retracts events of its own village only \(retraction.scope\)" \
	send_as zl07 retraction --event-id $ID_B --scope device --reason "claimed as ours" --occurred-at $JUNE
# the wrong scope names no event
expect 1 "rejected: retraction.event_id: no stored event has this id in the scope retraction.scope names" \
	send_as office retraction --event-id $ID_A --scope village:ZL08 --reason "not there" --occurred-at $JUNE
expect 0 "^accepted$" send_as zl07 retraction --event-id $ID_A --scope village:ZL07 --reason "entered twice" \
	--occurred-at $JUNE
assert_eq 0 "$(total_as office trainings.sessions)" "trainings after the village's retraction"
expect 0 "^accepted$" send_as office retraction --event-id $ID_B --scope device --reason "wrong device" \
	--occurred-at $JUNE
assert_eq 0 "$(total_as office enforcement.actions)" "enforcement after the office's retraction"

# revoked while connected: the next message on that connection is refused
cat >"$T/one.jsonl" <<JSON
{"id":"0190c8e2-0000-7000-8000-000000000101","village":"ZL07","occurredAt":"$JUNE","training":{"attendees":3}}
JSON
cat >"$T/two.jsonl" <<JSON
{"id":"0190c8e2-0000-7000-8000-000000000102","village":"ZL07","occurredAt":"$JUNE","training":{"attendees":4}}
JSON
mkfifo "$T/go"
"$BUILD/tests/zcurve" "$INGEST" "$K/zl07.key" "$K/lawtallyd.pub" "$T/one.jsonl" - "$T/two.jsonl" \
	<"$T/go" >"$T/zcurve.out" &
zpid=$!
SENDER_PIDS+=($zpid)
exec 3>"$T/go"
wait_until 5 grep -qx "ack 0 status=1 reason=" "$T/zcurve.out"
rm "$T/clients/zl07.client"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>auth: client zl07 (village:ZL07) revoked" "$T/daemon.log"
echo go >&3
exec 3>&-
wait "$zpid" || fail "zcurve: $(cat "$T/zcurve.out")"
grep -qx "batch_id=0 acks=0 error=auth: this key is not registered with lawtallyd" "$T/zcurve.out" ||
	fail "revoked key on an open connection: $(cat "$T/zcurve.out")"
assert_eq 1 "$(total_as office trainings.sessions)" "trainings after the revoked key's message"
# and a new connection with it gets nothing
expect 3 "" send_as zl07 --timeout 0.5 training --village ZL07 --attendees 5 --occurred-at $JUNE

# reload fails safe (the issue's case): a removed file is revoked whatever
# else is wrong; a file anyone may write is logged and its key shut out;
# --check-config names it and fails, so `systemctl reload` says so
check() { "$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check.err"; }
chmod 666 "$T/clients/zl08.client"
rm "$T/clients/cam-01.client"
rc=0
check || rc=$?
assert_eq 2 "$rc" "--check-config with a client file anyone may write"
grep -qxF "lawtallyd: auth: $T/clients/zl08.client: writable by everyone (mode 0666)" "$T/check.err" ||
	fail "--check-config: $(cat "$T/check.err")"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>auth: client cam-01 (device) revoked" "$T/daemon.log"
grep -qxF "<3>auth: reload: $T/clients/zl08.client: writable by everyone (mode 0666); its key is not admitted" \
	"$T/daemon.log" || fail "the invalid file is not logged"
grep -qxF "<6>auth: 1 clients from $T/clients; 1 client files left out" "$T/daemon.log" ||
	fail "no count of the clients after the reload"
expect 3 "" send_as cam-01 --timeout 0.5 enforcement --campaign STRAW_BURNING --action INSPECTION \
	--occurred-at $JUNE
expect 3 "" send_as zl08 --timeout 0.5 training --village ZL08 --attendees 2 --occurred-at $JUNE
assert_eq 1 "$(total_as office trainings.sessions)" "the office still reads"
chmod 644 "$T/clients/zl08.client"
cp "$K/cam-01.client" "$T/clients/"
check || fail "--check-config once fixed: $(cat "$T/check.err")"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>auth: client cam-01 (device) added" "$T/daemon.log"
expect 0 "^accepted$" send_as zl08 training --village ZL08 --attendees 2 --occurred-at $JUNE

# a broken file is left out and the others stay; a vanished directory
# cannot say what was revoked, so nobody gets in until it is back
printf 'role = office\n' >"$T/clients/broken.client"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -qxF "<3>auth: reload: $T/clients/broken.client: no public_key; its key is not admitted" \
	"$T/daemon.log"
assert_eq 2 "$(total_as office trainings.sessions)" "the office still reads"
rm "$T/clients/broken.client"
mv "$T/clients" "$T/clients.away"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -qxF "<3>auth: reload: $T/clients: cannot open the clients directory: No such file or directory; no client is admitted until it is fixed and reloaded" \
	"$T/daemon.log"
expect 3 "no answer in time" as office totals --endpoint "$QUERY" --year 2024 --timeout 1
expect 3 "" send_as zl08 --timeout 0.5 training --village ZL08 --attendees 2 --occurred-at $JUNE
mv "$T/clients.away" "$T/clients"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>auth: client office (office) added" "$T/daemon.log"
assert_eq 2 "$(total_as office trainings.sessions)" "the office reads again"

# hostile frames from a registered key: answered, nothing changes, no crash
before=$(snapshot)
head -c 4096 /dev/urandom >"$T/random.bin"
head -c $((10 << 20)) /dev/zero >"$T/huge.bin"
"$BUILD/tests/zcurve" "$INGEST" "$K/office.key" "$K/lawtallyd.pub" "$T/random.bin" >"$T/zc2.out" ||
	fail "no reply to random bytes: $(cat "$T/zc2.out")"
grep -q "^batch_id=0 acks=0 error=frame: " "$T/zc2.out" || fail "random bytes: $(cat "$T/zc2.out")"
set +e
"$BUILD/tests/zcurve" "$INGEST" "$K/office.key" "$K/lawtallyd.pub" "$T/huge.bin" >"$T/zc3.out"
rc=$?
set -e
assert_eq 3 "$rc" "a 10 MB frame gets no answer (the connection is dropped)"
# the limit is frame_bytes_max (1 MiB) exactly, CurveZMQ's 33 bytes allowed for
head -c 1048576 /dev/urandom >"$T/max.bin"
"$BUILD/tests/zcurve" "$INGEST" "$K/office.key" "$K/lawtallyd.pub" "$T/max.bin" >"$T/zc4.out" ||
	fail "no reply to a frame of frame_bytes_max: $(cat "$T/zc4.out")"
grep -q "^batch_id=0 acks=0 error=frame: " "$T/zc4.out" || fail "1 MiB frame: $(cat "$T/zc4.out")"
head -c 1048577 /dev/urandom >"$T/over.bin"
rc=0
"$BUILD/tests/zcurve" "$INGEST" "$K/office.key" "$K/lawtallyd.pub" "$T/over.bin" >/dev/null || rc=$?
assert_eq 3 "$rc" "a frame one byte over frame_bytes_max gets no answer"
assert_eq "$before" "$(snapshot)" "totals after hostile frames"

# two queries of non-office keys and the revoked key's message (strangers never get a message in)
assert_eq 3 "$(metric lawtally_auth_refused_total)" "messages refused"
stop_daemon || fail "lawtallyd did not stop cleanly"
