#!/usr/bin/env bash
# A store written by lawtally 0.1.0, before ids had scopes (schema 1, kept
# as tests/data/store-schema1.dump): verify and backup refuse it naming
# lawtallyd, which migrates it at its start with one <6> line a step (ids
# per scope, then sealed values) and gives it an identity; its figures and its retractions stand, verify passes, ids
# are per scope from then on, and the next start migrates nothing. A
# backup of that version restores the same way.
. "$(dirname "$0")/lib.sh"

DUMP=$ROOT/tests/data/store-schema1.dump
mkdir "$T/data" "$T/oldbk"
mdb_load -f "$DUMP" "$T/data" || fail "mdb_load"
write_config

# the figures of tests/data/store-schema1.jsonl: 14 events, 4 of them retractions
check_figures() {
	assert_eq 2 "$(total disputes.registered)" "disputes.registered"
	assert_eq 0 "$(total disputes.resolved)" "disputes.resolved (its event retracted)"
	assert_eq 2 "$(total disputes.open)" "disputes.open"
	assert_eq 12 "$(total trainings.attendees)" "trainings.attendees"
	assert_eq 1 "$(total enforcement.actions)" "enforcement.actions"
	assert_eq 0 "$(total petitions.received)" "petitions.received"
	assert_eq 300 "$(total publicity.materials)" "publicity.materials"
	assert_eq 1 "$(total lawsuits.filed)" "lawsuits.filed"
}
migrated_line() {
	grep -c "^<6>store: migrated from schema 1 to 2: ids are now unique per scope (village, device, township); 14 events indexed again, 4 retractions given the scope of their event$" \
		"$T/daemon.log" || true
}
sealed_line() {
	grep -Ec "^<6>store: migrated from schema 2 to 3: checksums added to 61 records in [0-9]+\.[0-9] s$" \
		"$T/daemon.log" || true
}

# readers refuse it, naming what migrates it
want="store schema version 1 (one id index for all senders): lawtallyd migrates it to version 3 when it starts on it"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf" 2>&1) && fail "verify passes on schema 1"
assert_eq "lawtally verify: $T/data: $want" "$out" "verify on schema 1"
out=$("$LAWTALLY" backup -c "$T/lawtallyd.conf" "$T/bk1" 2>&1) && fail "backup passes on schema 1"
assert_eq "lawtally backup: $T/data: $want" "$out" "backup on schema 1"
[ ! -e "$T/data/store.id" ] || fail "a reader wrote store.id"

# the daemon migrates it: one line, its figures as they were, verify consistent
start_daemon
assert_eq 1 "$(migrated_line)" "migration lines"
assert_eq 1 "$(sealed_line)" "sealing lines"
id=$(cat "$T/data/store.id")
grep -qx "<6>store: identity $id written to $T/data/store.id" "$T/daemon.log" ||
	fail "no identity line: $(cat "$T/daemon.log")"
check_figures
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify after the migration exited $?: $out"
assert_eq "verify: $T/data: 14 events, consistent" "$out" "verify after the migration"

# ids are per scope now: ZL07's old dispute id is free in ZL08, taken in ZL07
OLD=0190c8e2-0000-7000-8000-000000000101
out=$("$LAWTALLY" send --endpoint "$INGEST" training --id $OLD --village ZL07 --attendees 3 \
	--occurred-at 1717200000) || fail "send: $out"
assert_eq duplicate "$out" "an old id in its own scope"
out=$("$LAWTALLY" send --endpoint "$INGEST" training --id $OLD --village ZL08 --attendees 3 \
	--occurred-at 1717200000) || fail "send: $out"
assert_eq accepted "$out" "an old id in another scope"
# and an old event is retracted by its scope and id
out=$("$LAWTALLY" send --endpoint "$INGEST" retraction --event-id 0190c8e2-0000-7000-8000-00000000010a \
	--scope township --reason "filed twice" --occurred-at 1717200000) || fail "retract: $out"
assert_eq 0 "$(total lawsuits.filed)" "lawsuits.filed after the retraction"
stop_daemon TERM || fail "stop exited $?"

# started again: nothing to migrate
start_daemon
assert_eq 1 "$(migrated_line)" "migration lines after a second start"
assert_eq 1 "$(sealed_line)" "sealing lines after a second start"
assert_eq 15 "$(total trainings.attendees)" "trainings.attendees after a restart"
stop_daemon TERM || fail "stop exited $?"

# a backup of that version restores; the daemon then migrates it the same way
mdb_load -f "$DUMP" "$T/oldbk" || fail "mdb_load"
rm -f "$T/oldbk/lock.mdb"
out=$("$LAWTALLY" restore -c "$T/lawtallyd.conf" "$T/oldbk") || fail "restore exited $?: $out"
grep -Eq "^restore: $T/data/data.mdb now holds the backup $T/oldbk: 14 events, [0-9]+ KiB, counted in UTC\+08:00, made by a lawtally before store identities \(lawtallyd migrates it when it starts\); start lawtallyd, then run lawtally verify$" \
	<<<"$out" || fail "restore said: $out"
[ ! -e "$T/data/store.id" ] || fail "the old identity stayed beside the restored store"
start_daemon
assert_eq 2 "$(migrated_line)" "migration lines after the restore"
assert_eq 2 "$(sealed_line)" "sealing lines after the restore"
new_id=$(cat "$T/data/store.id")
[ "$new_id" != "$id" ] || fail "the restored store kept the identity of the one it replaced"
check_figures
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify after the restore exited $?: $out"
assert_eq "verify: $T/data: 14 events, consistent" "$out" "verify after the restore"
stop_daemon TERM || fail "stop exited $?"
