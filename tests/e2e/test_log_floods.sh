#!/usr/bin/env bash
# Repeated per-peer log lines stay few whatever the number of offenders:
# 200 handshakes with two alternating unknown keys, then 200 with a new
# unknown key each, give at most a few "refused key" lines (the minute's
# first offenders in full, then one summary), while every attempt is
# refused and counted.
. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
K=$T/keys
mkdir -p "$K" "$T/clients"
"$LAWTALLY" keygen lawtallyd --server --dir "$K" >/dev/null 2>&1 || fail "keygen --server"
write_config "[ingest]
auth = curve
[auth]
server_secret_key_file = $K/lawtallyd.key
clients_dir = $T/clients"
start_daemon

flood() { "$PYTHON" "$ROOT/tests/tools/zflood.py" "$INGEST" "$K/lawtallyd.pub" "$@"; }
refused_lines() { grep -c "^<4>auth: refused key" "$T/daemon.log" || true; }

assert_eq "refused 200 succeeded 0 other 0" "$(flood 200 2)" "200 attempts with 2 keys"
n=$(refused_lines)
[ "$n" -ge 1 ] && [ "$n" -le 3 ] || fail "2 alternating keys gave $n 'refused key' lines for 200 attempts"
assert_eq "refused 200 succeeded 0 other 0" "$(flood 200 200)" "200 attempts with 200 keys"
n=$(refused_lines)
[ "$n" -le 4 ] || fail "200 more attempts with 200 keys gave $n 'refused key' lines in all"
lines=$(wc -l <"$T/daemon.log")
[ "$lines" -le 12 ] || fail "$lines log lines for 400 refused handshakes: $(head -n 20 "$T/daemon.log")"
stop_daemon || fail "lawtallyd did not stop cleanly"
