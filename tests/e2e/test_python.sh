#!/usr/bin/env bash
# Python sender: clients/python/lawtally_send.py, with the module protoc
# generates from proto/lawtally.proto (made here, never committed), sends
# 4 trainings, then the same events again: 4 accepted, 4 duplicate, and
# trainings.sessions counts 4.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

# Debian's interpreter, which python3-zmq and python3-protobuf belong to
# (a python3 earlier on PATH, e.g. pyenv's, would not see them)
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "$T/py"
protoc --proto_path="$ROOT/proto" --python_out="$T/py" "$ROOT/proto/lawtally.proto" ||
	fail "protoc --python_out failed"
start_daemon
out=$(PYTHONPATH="$T/py" "$PYTHON" "$ROOT/clients/python/lawtally_send.py" --endpoint "$INGEST" \
	--village ZL07 --count 4 --occurred-at 1717200000) || fail "the Python sender exited $?: $out"
assert_eq "4 events: 4 accepted, 0 duplicate, 0 rejected
4 events: 0 accepted, 4 duplicate, 0 rejected" "$out" "the Python sender's report"
assert_eq 4 "$(total trainings.sessions)" "trainings.sessions"
assert_eq 46 "$(total trainings.attendees)" "trainings.attendees"
assert_eq 4 "$(total trainings.sessions village ZL07)" "trainings of ZL07"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
