#!/usr/bin/env bash
# lawtally backup while the daemon takes a stream of events: a private,
# compacted copy that verifies; lawtally verify beside the running daemon,
# and its exit 1 with the damaged record listed on a store whose total was
# damaged; lawtally restore refused while the daemon runs, then bringing
# back exactly the figures of the backup.
. "$(dirname "$0")/lib.sh"

"$GEN" fixture 7 >"$T/fixture.jsonl"
"$GEN" bulk 20000 3 >"$T/load.jsonl"
"$GEN" bulk 500 4 >"$T/later.jsonl"
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null || fail "send fixture"

# a hot backup, while senders commit
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/load.jsonl" --batch 50 --window 4 \
	--timeout 20 >"$T/load.out" 2>&1 &
SENDER_PIDS+=($!)
busy() { [ "$(curl -sf "http://$HTTP/healthz" | jq .events)" -gt 3000 ]; }
wait_until 30 busy
out=$("$LAWTALLY" backup --data-dir "$T/data" "$T/hot") || fail "hot backup exited $?: $out"
grep -Eq "^backup: $T/hot/data.mdb: [0-9]+ events, [0-9]+ KiB, synced$" <<<"$out" || fail "backup said: $out"
hot_events=$(sed -E 's/.*: ([0-9]+) events.*/\1/' <<<"$out")
assert_eq "drwx------ -rw------- data.mdb" \
	"$(stat -c %A "$T/hot") $(stat -c %A "$T/hot/data.mdb") $(ls "$T/hot")" "backup modes and contents"
out=$("$LAWTALLY" verify --data-dir "$T/hot") || fail "verify of the hot backup exited $?: $out"
assert_eq "verify: $T/hot: $hot_events events, consistent" "$out" "verify of the hot backup"
assert_eq "data.mdb" "$(ls "$T/hot")" "verify leaves the backup as it was"

wait "${SENDER_PIDS[0]}" || fail "load sender exited $?: $(cat "$T/load.out")"
SENDER_PIDS=()
# hot: the backup's snapshot was taken while the load was still being stored
# (whether the sender was still running when a slow backup returned says less)
all_events=$(curl -sf "http://$HTTP/healthz" | jq .events)
[ "$hot_events" -lt "$all_events" ] ||
	fail "the backup holds all $all_events events: taken after the load, not a hot test"

# verify beside the running daemon
events=$(curl -sf "http://$HTTP/healthz" | jq .events)
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "live verify exited $?: $out"
assert_eq "verify: $T/data: $events events, consistent" "$out" "live verify"

# a quiet backup: the reference for the restore
out=$("$LAWTALLY" backup -c "$T/lawtallyd.conf" "$T/bk") || fail "backup exited $?: $out"
snapshot >"$T/figures.bk"
set +e
out=$("$LAWTALLY" backup -c "$T/lawtallyd.conf" "$T/bk" 2>&1)
rc=$?
set -e
assert_eq "1 lawtally backup: $T/bk already holds a store (data.mdb): choose a new directory" \
	"$rc $out" "backup over a backup"

# later events, then a restore: refused while the daemon runs
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/later.jsonl" >/dev/null || fail "send later"
snapshot >"$T/figures.later"
! cmp -s "$T/figures.bk" "$T/figures.later" || fail "later events changed nothing"
set +e
out=$("$LAWTALLY" restore -c "$T/lawtallyd.conf" "$T/bk" 2>&1)
rc=$?
set -e
assert_eq "1 lawtally restore: $T/data is in use by process $DAEMON_PID (lawtallyd, or lawtally restore): stop lawtallyd first" \
	"$rc $out" "restore beside a running daemon"

# stopped: the restore brings back the backup's figures, nothing later
stop_daemon TERM || fail "stop exited $?"
write_config
id=$(cat "$T/data/store.id")
out=$("$LAWTALLY" restore -c "$T/lawtallyd.conf" "$T/bk") || fail "restore exited $?: $out"
grep -Eq "^restore: $T/data/data.mdb now holds the backup $T/bk: [0-9]+ events, [0-9]+ KiB, counted in UTC\+08:00, store $id; start lawtallyd, then run lawtally verify$" \
	<<<"$out" || fail "restore said: $out"
assert_eq "$id" "$(cat "$T/data/store.id")" "the identity beside the restored store (the backup's)"
assert_eq "-rw-------" "$(stat -c %A "$T/data/data.mdb")" "restored store mode"
[ ! -e "$T/data/data.mdb.partial" ] || fail "a partial file is left"
start_daemon
snapshot >"$T/figures.restored"
cmp -s "$T/figures.bk" "$T/figures.restored" || fail "restored figures differ from the backup's"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify after restore exited $?: $out"
# the later events can be sent again and count once
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/later.jsonl" >/dev/null || fail "send later again"
snapshot >"$T/figures.again"
cmp -s "$T/figures.later" "$T/figures.again" || fail "figures after re-sending differ"
stop_daemon TERM

# verify finds a damaged total: exit 1, the record listed with its bytes escaped
"$BUILD/tests/store-damage" "$T/data" value totals 0 3 >"$T/damage.out" || fail "store-damage"
key=$(cut -d' ' -f2 "$T/damage.out")
set +e
out=$("$LAWTALLY" verify --data-dir "$T/data")
rc=$?
set -e
assert_eq 1 "$rc" "verify exit on a damaged total"
grep -Eq "^  damaged record in totals, key $key: checksum mismatch; its 12 bytes: \"[ -~]*\"$" \
	<<<"$(sed -n 1p <<<"$out")" || fail "verify damage line: $out"
grep -q '\\x' <<<"$(sed -n 1p <<<"$out")" || fail "verify printed the bytes unescaped: $out"
grep -Eq "^verify: $T/data: [0-9]+ events, 1 damaged record \(listed above; restore a backup: lawtally restore\), [0-9]+ differences?" \
	<<<"$(sed -n 2p <<<"$out")" || fail "verify summary: $out"

# usage errors
set +e
"$LAWTALLY" verify -c "$T/lawtallyd.conf" --data-dir "$T/data" >/dev/null 2>&1
assert_eq 2 $? "verify with both -c and -d"
"$LAWTALLY" backup >/dev/null 2>&1
assert_eq 2 $? "backup without DEST"
"$LAWTALLY" verify --data-dir "$T/nothing" 2>"$T/err"
assert_eq 1 $? "verify of a missing store"
set -e
assert_eq "lawtally verify: $T/nothing: no store there" "$(cat "$T/err")" "verify of a missing store"
