#!/usr/bin/env bash
# Ids no one can squat. With auth = curve, the ZL07 key learns the ids that
# ZL08's ledger import will derive (its own import of ZL08's ledger is
# refused, and its spool keeps the refused events), sends its own events
# with those ids and retracts them; ZL08's real import is then accepted
# whole and ZL08's figures are exactly the ledger's, while the squatter's
# events counted in ZL07 only. Re-sending through another ZL08 key counts
# nothing twice; one id in several scopes is several events; a key cannot
# retract in a scope it does not write, nor another key's event. The same
# with auth = off, where the scopes come from the events alone.
. "$(dirname "$0")/lib.sh"

LEDGER=$ROOT/tests/data/ledger-zl07.csv
K=$T/keys
mkdir -p "$K" "$T/clients"
chmod 755 "$T/clients"
"$LAWTALLY" keygen lawtallyd --server --dir "$K" >/dev/null 2>&1 || fail "keygen --server"
for spec in zl07:village:ZL07 zl08:village:ZL08 zl08-desk:village:ZL08 cam-01:device \
	cam-02:device office:office; do
	"$LAWTALLY" keygen "${spec%%:*}" --role "${spec#*:}" --dir "$K" >/dev/null 2>&1 ||
		fail "keygen ${spec%%:*}"
	cp "$K/${spec%%:*}.client" "$T/clients/"
done
write_config "[ingest]
auth = curve
[auth]
server_secret_key_file = $K/lawtallyd.key
clients_dir = $T/clients"
start_daemon

as() { # NAME SUBCOMMAND ARGS...: the CLI with NAME's key
	local who=$1 cmd=$2
	shift 2
	"$LAWTALLY" "$cmd" --key "$K/$who.key" --server-key "$K/lawtallyd.pub" "$@"
}
# by_village METRIC VILLAGE: the 2024 figure of one village, read by the office
by_village() {
	as office totals --endpoint "$QUERY" --year 2024 --metric "$1" --by village --json |
		jq -r --arg v "$2" '[.rows[] | select(.village == $v) | .value] | add // 0'
}
township() { http_total "$1"; }
# the ledger's figures (as in test_import.sh)
check_ledger() { # VILLAGE
	assert_eq 16 "$(by_village disputes.registered "$1")" "$1 disputes.registered"
	assert_eq 11 "$(by_village disputes.resolved "$1")" "$1 disputes.resolved"
	assert_eq 2 "$(by_village disputes.escalated "$1")" "$1 disputes.escalated"
	assert_eq 1 "$(by_village disputes.unresolved "$1")" "$1 disputes.unresolved"
	assert_eq 2 "$(by_village disputes.open "$1")" "$1 disputes.open"
	assert_eq 5610000 "$(by_village disputes.agreement_amount_fen "$1")" "$1 agreement amount"
	assert_eq 2 "$(by_village disputes.prevented_criminal "$1")" "$1 prevented_criminal"
	assert_eq 17 "$(by_village disputes.prevented_group_petition_people "$1")" "$1 people"
}
# the figures a village's events left: none
check_nothing() { # VILLAGE
	for m in disputes.registered disputes.resolved disputes.open disputes.agreement_amount_fen; do
		assert_eq 0 "$(by_village $m "$1")" "$1 $m"
	done
}

# 1. the squatter computes ZL08's ids: sending ZL08's ledger with its own key
# is refused by scope, and its spool keeps each refused event, with its id
set +e
out=$(as zl07 import --csv "$LEDGER" --village ZL08 --spool "$T/sq" --endpoint "$INGEST" 2>&1)
rc=$?
set -e
assert_eq 1 "$rc" "the squatter's import of ZL08's ledger: exit status"
grep -q "delivered: 0 accepted, 0 duplicate, 30 rejected" <<<"$out" || fail "squatter import: $out"
as zl07 spool rejected --spool "$T/sq" --json >"$T/refused.jsonl"
assert_eq 30 "$(jq -r .reason "$T/refused.jsonl" |
	grep -cx 'scope: a village key sends events of its own village only')" "refused by scope"
jq -r .event.id "$T/refused.jsonl" | sort >"$T/zl08.ids"

# 2. it sends its own ZL07 events with exactly those ids: stored, in ZL07's scope
jq -c '.event | .village = "ZL07"' "$T/refused.jsonl" >"$T/squat.jsonl"
out=$(as zl07 send --endpoint "$INGEST" --file "$T/squat.jsonl") || fail "squat send exited $?: $out"
grep -q "30 events: 30 accepted, 0 duplicate, 0 rejected" <<<"$out" || fail "squat send: $out"
assert_eq 16 "$(by_village disputes.registered ZL07)" "the squatter's events count in ZL07"
assert_eq 0 "$(by_village disputes.registered ZL08)" "nothing in ZL08 yet"

# 3. ... and retracts them (new ids: the target's with its first base64 character changed),
# so that its own figures look unchanged; it cannot retract in ZL08's scope
jq -c '{id: ("B" + (.id | .[1:])), village: "ZL07", occurredAt: .occurredAt,
	retraction: {eventId: .id, scope: "village:ZL07", reason: "entered by mistake"}}' \
	"$T/squat.jsonl" >"$T/retract.jsonl"
out=$(as zl07 send --endpoint "$INGEST" --file "$T/retract.jsonl") || fail "retractions exited $?: $out"
grep -q "30 events: 30 accepted, 0 duplicate, 0 rejected" <<<"$out" || fail "retractions: $out"
check_nothing ZL07
set +e
out=$(as zl07 send --endpoint "$INGEST" retraction --event-id "$(head -n 1 "$T/zl08.ids")" \
	--scope village:ZL08 --reason "squat" --occurred-at 1717200000 2>&1)
set -e
grep -q "rejected: scope: a village key retracts events of its own village only" <<<"$out" ||
	fail "a retraction in another village's scope: $out"

# 4. ZL08's real import: every event accepted, ZL08's figures exactly the ledger's
out=$(as zl08 import --csv "$LEDGER" --village ZL08 --spool "$T/zl08" --endpoint "$INGEST") ||
	fail "ZL08's import exited $?: $out"
grep -q "delivered: 30 accepted, 0 duplicate, 0 rejected; 0 left" <<<"$out" || fail "ZL08's import: $out"
check_ledger ZL08
check_nothing ZL07
assert_eq 16 "$(township disputes.registered)" "township disputes.registered"
assert_eq 5610000 "$(township disputes.agreement_amount_fen)" "township agreement amount"

# 5. the same events through another ZL08 key count once
before=$(snapshot)
out=$(as zl08-desk import --csv "$LEDGER" --village ZL08 --spool "$T/desk" --endpoint "$INGEST") ||
	fail "re-import exited $?: $out"
grep -q "delivered: 0 accepted, 30 duplicate, 0 rejected" <<<"$out" || fail "re-import: $out"
assert_eq "$before" "$(snapshot)" "totals after a re-send through another key"

# 6. one id in three scopes is three events; another key of a scope cannot retract
ID=0190c8e2-0000-7000-8000-00000000e001
as cam-01 send --endpoint "$INGEST" enforcement --id $ID --campaign STRAW_BURNING \
	--action INSPECTION --device-id cam-01 --occurred-at 1717200000 >/dev/null || fail "cam-01"
as office send --endpoint "$INGEST" petition --id $ID --case-id P-SQ --origin TOWNSHIP \
	--stage RECEIVED --occurred-at 1717200000 >/dev/null || fail "office"
as zl08 send --endpoint "$INGEST" training --id $ID --village ZL08 --attendees 7 \
	--occurred-at 1717200000 >/dev/null || fail "zl08"
assert_eq 1 "$(township enforcement.actions)" "enforcement.actions"
assert_eq 1 "$(township petitions.received)" "petitions.received"
assert_eq 7 "$(township trainings.attendees)" "trainings.attendees"
out=$(as cam-01 send --endpoint "$INGEST" enforcement --id $ID --campaign STRAW_BURNING \
	--action INSPECTION --device-id cam-01 --occurred-at 1717200000) || fail "re-send: $out"
assert_eq duplicate "$out" "the enforcement event again"
set +e
out=$(as cam-02 send --endpoint "$INGEST" retraction --event-id $ID --scope device:cam-01 \
	--reason "not mine" --occurred-at 1717200000 2>&1)
set -e
grep -q "rejected: retraction.event_id: only the original sender or an office key may retract it" \
	<<<"$out" || fail "another device's retraction: $out"
out=$(as cam-01 send --endpoint "$INGEST" retraction --event-id $ID --scope device:cam-01 \
	--reason "test" --occurred-at 1717200000) || fail "cam-01's retraction: $out"
assert_eq 0 "$(township enforcement.actions)" "enforcement.actions after its retraction"
assert_eq 1 "$(township petitions.received)" "the office's event with the same id stays"
assert_eq 7 "$(township trainings.attendees)" "ZL08's event with the same id stays"

out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify exited $?: $out"
grep -q "events, consistent$" <<<"$out" || fail "verify: $out"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"

# 7. auth = off: no keys, the scopes still come from the events' villages
write_config
sed -i "s|^data_dir = .*|data_dir = $T/data-off|" "$T/lawtallyd.conf"
start_daemon
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/squat.jsonl") || fail "squat send exited $?: $out"
grep -q "30 events: 30 accepted" <<<"$out" || fail "squat send, auth off: $out"
out=$("$LAWTALLY" import --csv "$LEDGER" --village ZL08 --spool "$T/off" --endpoint "$INGEST") ||
	fail "ZL08's import, auth off, exited $?: $out"
grep -q "delivered: 30 accepted, 0 duplicate, 0 rejected; 0 left" <<<"$out" ||
	fail "ZL08's import, auth off: $out"
for m in disputes.registered disputes.resolved disputes.open disputes.agreement_amount_fen; do
	assert_eq "$(total $m village ZL07)" "$(total $m village ZL08)" "auth off: $m, ZL07 and ZL08"
done
assert_eq 16 "$(total disputes.registered village ZL08)" "auth off: ZL08 disputes.registered"
assert_eq 5610000 "$(total disputes.agreement_amount_fen village ZL08)" "auth off: ZL08 amount"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
