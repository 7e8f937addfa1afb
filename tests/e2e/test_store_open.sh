#!/usr/bin/env bash
# A store the daemon cannot trust stops the start with one clear line that
# names the restore command, and is left as it was (never an empty start):
# a newer schema version, a file with its header overwritten, a file cut
# short. A second daemon on the same data directory refuses too. The
# restore command of the line brings the store back.
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

# a store from a newer lawtally: schema version 3 in the meta database
mdb_dump -s meta "$T/data" | grep -v '^db_pagesize=' |
	awk '/^ 736368656d61$/ { print; getline; print " 03000000"; next } { print }' >"$T/meta.dump"
grep -qx " 03000000" "$T/meta.dump" || fail "no schema record in the dump"
mdb_load -s meta -f "$T/meta.dump" "$T/data" || fail "mdb_load"
refuse_start "schema" "store schema version 3, this lawtally reads version 2"
out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf" 2>&1) && fail "verify passes on schema 3"
assert_eq "lawtally verify: $T/data: store schema version 3, this lawtally reads version 2" "$out" \
	"verify on schema 3"

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
