#!/usr/bin/env bash
# Every start-up failure of a socket or the data directory is one <3> line
# that names what could not be had and why, and exit status 1, with nothing
# listening: an ingest or query endpoint that cannot be bound (a missing
# directory, an address another daemon holds), an HTTP address in use, a
# data directory that cannot be made.
. "$(dirname "$0")/lib.sh"

# refused WHAT EXPECTED_LINE: lawtallyd on $T/b.conf exits 1 with exactly
# that one error line, and never says it listens
refused() {
	set +e
	"$LAWTALLYD" -c "$T/b.conf" 2>"$T/b.log"
	local rc=$?
	set -e
	assert_eq 1 "$rc" "$1: exit status"
	assert_eq 1 "$(grep -c '^<3>' "$T/b.log")" "$1: error lines ($(cat "$T/b.log"))"
	assert_eq "$2" "$(grep '^<3>' "$T/b.log")" "$1: the line"
	grep -q '^<6>listening:' "$T/b.log" && fail "$1: the daemon listened"
	return 0
}

# b_config INGEST QUERY HTTP [DATA_DIR]: a second daemon's config
b_config() {
	cat >"$T/b.conf" <<CONF
[daemon]
data_dir = ${4:-$T/b-data}
[ingest]
endpoint = $1
[query]
endpoint = $2
[http]
listen = $3
CONF
}

# endpoints that cannot be bound in themselves
b_config "ipc://$T/no-such-dir/ingest.sock" "tcp://127.0.0.1:*" "127.0.0.1:0"
refused "ingest, missing directory" \
	"<3>ingest: cannot bind ipc://$T/no-such-dir/ingest.sock: No such file or directory; not starting"
b_config "tcp://127.0.0.1:*" "ipc://$T/no-such-dir/query.sock" "127.0.0.1:0"
refused "query, missing directory" \
	"<3>query: cannot bind ipc://$T/no-such-dir/query.sock: No such file or directory; not starting"

# addresses a running daemon holds
write_config
start_daemon
b_config "$INGEST" "tcp://127.0.0.1:*" "127.0.0.1:0"
refused "ingest in use" "<3>ingest: cannot bind $INGEST: Address already in use; not starting"
b_config "tcp://127.0.0.1:*" "$QUERY" "127.0.0.1:0"
refused "query in use" "<3>query: cannot bind $QUERY: Address already in use; not starting"
b_config "tcp://127.0.0.1:*" "tcp://127.0.0.1:*" "$HTTP"
refused "http in use" "<3>http: cannot listen on $HTTP: Address already in use; not starting"
stop_daemon TERM || fail "the first daemon did not stop cleanly"

# a data directory under a plain file
touch "$T/plain"
b_config "tcp://127.0.0.1:*" "tcp://127.0.0.1:*" "127.0.0.1:0" "$T/plain/data"
refused "data directory" \
	"<3>cannot create data directory $T/plain/data: Not a directory; not starting"
