#!/usr/bin/env bash
# A store the daemon cannot trust stops the start with one clear line that
# names the restore command, and is left as it was (never an empty start):
# a newer schema version, a file with its header overwritten, a file cut
# short, and in a directory that held a store (store.id): a data.mdb that
# is empty, missing, another store's, or one without an identity. A second
# daemon on the same data directory refuses too. The restore command of the
# line brings the store back. A new directory starts with no ceremony.
. "$(dirname "$0")/lib.sh"

write_config
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL01 --attendees 4 \
	--occurred-at 2024-06-01T10:00:00+08:00 >/dev/null || fail "send"
"$LAWTALLY" backup -c "$T/lawtallyd.conf" "$T/bk" >/dev/null || fail "backup"

# a second daemon on the same directory
set +e
"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>"$T/second.log"
rc=$?
set -e
assert_eq 1 "$rc" "exit status of a second daemon"
assert_eq "<3>$T/data is in use by process $DAEMON_PID (lawtallyd, or lawtally restore); not starting" \
	"$(grep '^<3>' "$T/second.log")" "second daemon"
stop_daemon TERM
write_config

# refuse_start WHAT EXPECTED_REASON: the daemon exits 1 with exactly one
# error line, naming the reason and the restore command; the store file is
# left as it was
refuse_start() {
	rm -f "$T/before.mdb"
	[ ! -e "$T/data/data.mdb" ] || cp "$T/data/data.mdb" "$T/before.mdb"
	set +e
	"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>"$T/refused.log"
	local rc=$?
	set -e
	assert_eq 1 "$rc" "$1: exit status"
	assert_eq 1 "$(grep -c '^<3>' "$T/refused.log")" "$1: error lines"
	assert_eq "<3>store in $T/data: $2; not starting on it. To restore a backup: lawtally restore -c $T/lawtallyd.conf BACKUP" \
		"$(grep '^<3>' "$T/refused.log")" "$1: the line"
	grep -q '^<6>listening:' "$T/refused.log" && fail "$1: the daemon listened"
	if [ -e "$T/before.mdb" ]; then
		cmp -s "$T/data/data.mdb" "$T/before.mdb" || fail "$1: the store file was changed"
	else
		[ ! -e "$T/data/data.mdb" ] || fail "$1: an empty store was made in its place"
	fi
}

# a store from a newer lawtally: schema version 4 in the meta database
mdb_dump -s meta "$T/data" | grep -v '^db_pagesize=' |
	awk '/^ 736368656d61$/ { print; getline; print " 04000000"; next } { print }' >"$T/meta.dump"
grep -qx " 04000000" "$T/meta.dump" || fail "no schema record in the dump"
mdb_load -s meta -f "$T/meta.dump" "$T/data" || fail "mdb_load"
refuse_start "schema" "store schema version 4, this lawtally reads version 3"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf" 2>&1) && fail "verify passes on schema 4"
assert_eq "lawtally verify: $T/data: store schema version 4, this lawtally reads version 3" "$out" \
	"verify on schema 4"

# the restore command of the line brings the store back
cmd=$(grep '^<3>' "$T/refused.log" | sed -E 's/.*To restore a backup: lawtally //; s/ BACKUP$//')
"$LAWTALLY" $cmd "$T/bk" >/dev/null || fail "the suggested restore command failed: lawtally $cmd $T/bk"
start_daemon
assert_eq 1 "$(total trainings.sessions)" "sessions after the restore"
stop_daemon TERM
write_config

# the header pages overwritten
cp "$T/data/data.mdb" "$T/good.mdb"
head -c 8192 /dev/urandom | dd of="$T/data/data.mdb" conv=notrunc status=none
refuse_start "header" "cannot open store $T/data: MDB_INVALID: File is not an LMDB file"

# a file cut short: the headers are fine, the pages they point to are gone
cp "$T/good.mdb" "$T/data/data.mdb"
truncate -s 8192 "$T/data/data.mdb"
need=$(( $(stat -c %s "$T/good.mdb") ))
refuse_start "cut short" "the store file is cut short: 8192 bytes, its pages need $need"

# the directory knows it held a store: store.id, written when the store was made
cp "$T/good.mdb" "$T/data/data.mdb"
id=$(cat "$T/data/store.id")
grep -Eqx '[0-9a-f]{32}' <<<"$id" || fail "store.id: $id"
grep -qx "<6>store: identity $id written to $T/data/store.id" "$T/daemon.log" ||
	fail "the identity was not logged at the first start"

# lost: data.mdb emptied, or deleted; readers refuse the same way
: >"$T/data/data.mdb"
refuse_start "empty" "data.mdb is empty (0 bytes), but this directory held the store $id"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf" 2>&1) && fail "verify passes on an empty data.mdb"
assert_eq "lawtally verify: $T/data: data.mdb is empty (0 bytes), but this directory held the store $id" \
	"$out" "verify on an empty data.mdb"
rm "$T/data/data.mdb"
refuse_start "missing" "data.mdb is missing, but this directory held the store $id"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf" 2>&1) && fail "verify passes on a missing data.mdb"
assert_eq "lawtally verify: $T/data: data.mdb is missing, but this directory held the store $id" \
	"$out" "verify on a missing data.mdb"

# replaced: another store's data.mdb (a new directory's, made by a daemon on it)
printf '[daemon]\ndata_dir = %s\n[ingest]\nendpoint = tcp://127.0.0.1:*\n[query]\nendpoint = tcp://127.0.0.1:*\n[http]\nlisten = off\n' \
	"$T/other" >"$T/other.conf"
"$LAWTALLYD" -c "$T/other.conf" 2>"$T/other.log" &
other=$!
wait_until 10 grep -q "^<6>listening:" "$T/other.log"
kill -TERM $other
wait $other || fail "the other daemon exited $?"
grep -q "^<6>data directory $T/other: 0 events stored" "$T/other.log" ||
	fail "a new directory: $(cat "$T/other.log")"
other_id=$(cat "$T/other/store.id")
[ "$other_id" != "$id" ] || fail "two stores with one identity"
cp "$T/other/data.mdb" "$T/data/data.mdb"
refuse_start "foreign" "data.mdb is the store $other_id, not the store $id that this directory held"
# ... or one from before identities, copied in by hand
mkdir "$T/old"
mdb_load -f "$ROOT/tests/data/store-schema1.dump" "$T/old" || fail "mdb_load"
cp "$T/old/data.mdb" "$T/data/data.mdb"
refuse_start "no identity" "data.mdb has no identity, but this directory held the store $id"

# the restore command of the line puts the backup back, and its identity beside it
cmd=$(grep '^<3>' "$T/refused.log" | sed -E 's/.*To restore a backup: lawtally //; s/ BACKUP$//')
"$LAWTALLY" $cmd "$T/bk" >/dev/null || fail "the suggested restore command failed: lawtally $cmd $T/bk"
assert_eq "$id" "$(cat "$T/data/store.id")" "the identity after the restore"
start_daemon
assert_eq 1 "$(total trainings.sessions)" "sessions after the restore"
stop_daemon TERM
