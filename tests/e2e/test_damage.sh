#!/usr/bin/env bash
# Damage inside the store is never served as figures:
#  - the older meta page made the newest (LMDB would read an earlier
#    commit), or an older copy of data.mdb put back: the start is refused
#    with one line that names the restore command, the store left as it was;
#  - a total damaged on disk: the scrub finds it, /healthz answers 503 with
#    the record, one <2> line, ingest refuses with a temporary error, the
#    report is a 500 with the reason, lawtally verify lists the record;
#  - lawtally restore of a backup, and a restart, put all right.
. "$(dirname "$0")/lib.sh"

DAMAGE=$BUILD/tests/store-damage
SCRUB="[store]
scrub_period_s = 1"
"$GEN" fixture 7 >"$T/fixture.jsonl"
write_config "$SCRUB"
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null || fail "send fixture"
# a sound pass over all the events
sound() { [ "$(metric lawtally_scrub_last_result)" = 1 ] && [ "$(metric lawtally_scrub_last_records)" -gt 5000 ]; }
wait_until 20 sound
assert_eq 0 "$(metric lawtally_store_damaged)" "damaged before any damage"
"$LAWTALLY" backup -c "$T/lawtallyd.conf" "$T/bk" >/dev/null || fail "backup"
snapshot >"$T/figures.bk"
stop_daemon TERM
write_config "$SCRUB"
cp "$T/data/data.mdb" "$T/older.mdb"

# refuse_start WHAT EXPECTED_REASON (as test_store_open.sh)
refuse_start() {
	cp "$T/data/data.mdb" "$T/before.mdb"
	set +e
	"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>"$T/refused.log"
	local rc=$?
	set -e
	assert_eq 1 "$rc" "$1: exit status"
	assert_eq 1 "$(grep -c '^<3>' "$T/refused.log")" "$1: error lines"
	assert_eq "<3>store in $T/data: $2; not starting on it. To restore a backup: lawtally restore -c $T/lawtallyd.conf BACKUP" \
		"$(grep '^<3>' "$T/refused.log")" "$1: the line"
	grep -q '^<6>listening:' "$T/refused.log" && fail "$1: the daemon listened"
	cmp -s "$T/data/data.mdb" "$T/before.mdb" || fail "$1: the store file was changed"
}

# the older meta page made the newest: LMDB would read the commit before the last
read -r old arrow new < <("$DAMAGE" "$T/data" meta) || fail "store-damage meta"
refuse_start "meta page" "its newest meta page names transaction $new, but its data was last written by transaction $old: a damaged meta page, or a change made by another program"
cp "$T/older.mdb" "$T/data/data.mdb"

# one more commit, then the older copy put back by hand
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL01 --attendees 4 \
	--occurred-at 2024-06-01T10:00:00+08:00 >/dev/null || fail "send one more"
stop_daemon TERM
write_config "$SCRUB"
last=$(cut -c1-20 "$T/data/last-commit" | sed 's/^0*//')
cp "$T/older.mdb" "$T/data/data.mdb"
was=$(mdb_stat -e "$T/data" | awk '/Last transaction ID/ { print $4 }')
refuse_start "older copy" "the store went back to an older commit: its last transaction is $was, but lawtallyd had committed $last ($T/data/last-commit)"
"$LAWTALLY" restore -c "$T/lawtallyd.conf" "$T/bk" >/dev/null || fail "restore after going back"

# a total damaged on disk: the scrub finds it
read -r db key off < <("$DAMAGE" "$T/data" value totals 3 0) || fail "store-damage value"
start_daemon
unhealthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/healthz")" = 503 ]; }
wait_until 20 unhealthy
assert_eq "{\"status\":\"damaged\",\"error\":\"damaged record in totals, key $key: checksum mismatch\"}" \
	"$(curl -s "http://$HTTP/healthz")" "healthz"
assert_eq "<2>store: damaged record in totals, key $key: checksum mismatch; no more events are stored: restore a backup (lawtally restore) and restart; lawtally verify lists every damaged record" \
	"$(grep '^<2>' "$T/daemon.log")" "the one <2> line"
# (the store is marked as soon as the walk meets it; the pass ends after)
damage_found() { [ "$(metric lawtally_scrub_last_result)" = 0 ]; }
wait_until 20 damage_found
assert_eq 1 "$(metric lawtally_store_damaged)" "lawtally_store_damaged"
[ "$(metric lawtally_scrub_damaged_records_total)" -ge 1 ] || fail "no damaged record counted"
# ingest: refused for now, nothing stored
set +e
out=$("$LAWTALLY" send --endpoint "$INGEST" --timeout 5 training --village ZL02 --attendees 3 \
	--occurred-at 2024-06-02T10:00:00+08:00 2>&1)
rc=$?
set -e
assert_eq 3 "$rc" "send to a damaged store: exit status"
grep -q "the daemon refuses for now: store damaged: retry later" <<<"$out" || fail "send said: $out"
# the report reads that total: an error with the reason, never figures
assert_eq "500 {\"error\":\"store: stored data corrupt: damaged record in totals, key $key: checksum mismatch\"}" \
	"$(curl -s -w '%{http_code} ' -o "$T/report.out" "http://$HTTP/v1/report?year=2024")$(cat "$T/report.out")" \
	"report on a damaged store"
# verify lists it
set +e
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf")
rc=$?
set -e
assert_eq 1 "$rc" "verify exit"
grep -Eq "^  damaged record in totals, key $key: checksum mismatch; its 12 bytes: \"[ -~]*\"$" <<<"$out" ||
	fail "verify said: $out"
stop_daemon TERM

# restored from the backup and restarted: sound, the backup's figures
write_config "$SCRUB"
"$LAWTALLY" restore -c "$T/lawtallyd.conf" "$T/bk" >/dev/null || fail "restore"
start_daemon
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/healthz")" "healthz after restore"
snapshot >"$T/figures.restored"
cmp -s "$T/figures.bk" "$T/figures.restored" || fail "restored figures differ from the backup's"
wait_until 20 sound
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL02 --attendees 3 \
	--occurred-at 2024-06-02T10:00:00+08:00 >/dev/null || fail "send after restore"
stop_daemon TERM
