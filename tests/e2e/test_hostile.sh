#!/usr/bin/env bash
# Hostile input never crashes the daemon or changes what it stored: random
# frames, every truncation of a request, too many events, a 10 MB frame,
# deep and huge JSON lines, abusive HTTP requests; and HTTP off loopback
# needs its bearer token (and will not start without one).
. "$(dirname "$0")/lib.sh"

CORPUS=$ROOT/tests/fuzz/corpus/request
start_daemon
"$GEN" fixture 3 >"$T/fixture.jsonl"
head -n 300 "$T/fixture.jsonl" >"$T/some.jsonl"
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/some.jsonl" >/dev/null || fail "seed send failed"
before=$(snapshot)
events=$(curl -sf "http://$HTTP/healthz" | jq -r .events)

# random frames of many sizes: each answered with an error
for size in 1 2 7 64 500 4096 65536 1000000; do
	head -c $size /dev/urandom >"$T/random.bin"
	out=$("$ZSEND" "$INGEST" "$T/random.bin") || fail "no reply to $size random bytes"
	grep -Eq '^batch_id=[0-9]+ acks=0 error=(frame|events): ' <<<"$out" || fail "$size random bytes: $out"
done

# every truncation of a one-event request: none is stored
full=$CORPUS/one-dispute.bin
len=$(stat -c %s "$full")
for cut in $(seq 1 $((len - 1))); do
	head -c "$cut" "$full" >"$T/cut.bin"
	out=$("$ZSEND" "$INGEST" "$T/cut.bin") || fail "no reply to a request cut at $cut"
	grep -q '^batch_id=[0-9]* acks=0 error=' <<<"$out" || fail "request cut at $cut: $out"
done

# 1001 events (protobuf merges concatenated messages: 143 x 7 events)
for i in $(seq 143); do cat "$CORPUS/one-of-each.bin"; done >"$T/many.bin"
assert_eq "batch_id=7 acks=0 error=events: a request holds 1 to request_events_max (1000) events" \
	"$("$ZSEND" "$INGEST" "$T/many.bin")" "1001 events"

# a 10 MB frame: over ZMQ_MAXMSGSIZE, the connection is dropped unanswered
head -c $((10 << 20)) /dev/urandom >"$T/huge.bin"
set +e
"$ZSEND" "$INGEST" "$T/huge.bin" >/dev/null 2>&1
rc=$?
set -e
assert_eq 3 "$rc" "a 10 MB frame gets no reply"
# the limit is frame_bytes_max (1 MiB) exactly
head -c 1048576 /dev/urandom >"$T/max.bin"
grep -Eq '^batch_id=[0-9]+ acks=0 error=(frame|events): ' <<<"$("$ZSEND" "$INGEST" "$T/max.bin")" ||
	fail "no error reply to a frame of frame_bytes_max"
head -c 1048577 /dev/urandom >"$T/over.bin"
rc=0
"$ZSEND" "$INGEST" "$T/over.bin" >/dev/null 2>&1 || rc=$?
assert_eq 3 "$rc" "a frame one byte over frame_bytes_max gets no reply"

# deep and huge JSON lines: reported with their line, nothing sent
python3 - "$T/json.jsonl" <<'PY'
import sys
unknown_village = '{"id":"0190c8e2-0000-7000-8000-00000000f001","village":"ZL01","occurredAt":"1717200000","training":{"attendees":1}}'
deep = '{"id":"0190c8e2-0000-7000-8000-00000000f002","village":"ZL01","occurredAt":"1717200000","training":' + '{"a":' * 10000 + '1' + '}' * 10001
huge = '{"id":"0190c8e2-0000-7000-8000-00000000f003","village":"ZL01","occurredAt":"1717200000","training":{"topic":"' + 'x' * (8 << 20) + '"}}'
arrays = '[' * 30000 + ']' * 30000
with open(sys.argv[1], 'w') as f:
    f.write(deep + '\n' + huge + '\n' + arrays + '\n' + unknown_village.replace('ZL01', 'ZL99') + '\n')
PY
set +e
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/json.jsonl" 2>"$T/json.err")
rc=$?
set -e
assert_eq 1 "$rc" "exit status with invalid lines"
grep -q "json.jsonl:1: JSON nesting deeper than 8" "$T/json.err" || fail "deep: $(cat "$T/json.err")"
grep -q "json.jsonl:2: line .*longer than" "$T/json.err" || fail "huge: $(cat "$T/json.err")"
grep -q "json.jsonl:3: " "$T/json.err" || fail "arrays: $(cat "$T/json.err")"
grep -q "json.jsonl:4: rejected: village: not in the configured village list" "$T/json.err" ||
	fail "line 4: $(cat "$T/json.err")"
grep -q "1 events: 0 accepted, 0 duplicate, 1 rejected; 3 invalid lines" <<<"$out" || fail "summary: $out"

# HTTP: read-only, bounded, every abuse answered with an error
code() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }
# (evhttp answers a method it does not allow with 501 Not Implemented)
assert_eq 501 "$(code -X POST -d '{"events":[]}' "http://$HTTP/v1/totals?year=2024")" "POST"
assert_eq 501 "$(code -X PUT "http://$HTTP/v1/totals?year=2024")" "PUT"
assert_eq 501 "$(code -X DELETE "http://$HTTP/healthz")" "DELETE"
assert_eq 400 "$(code "http://$HTTP/v1/totals?year=2024&metric=$(head -c 600 /dev/zero | tr '\0' m)")" "long query"
assert_eq 400 "$(code "http://$HTTP/v1/totals?year=2024&village=ZL%00")" "NUL in a value"
assert_eq 400 "$(code "http://$HTTP/v1/totals?year=2024&by=%ff%fe")" "bytes in a value"
assert_eq 400 "$(code "http://$HTTP/v1/totals?year=2024&year=2024")" "repeated parameter"
# strict: a NUL that would cut a value short, a number out of range, a header given twice
reason() { curl -s "$@" | jq -r .error; }
assert_eq "query string: a NUL byte (%00) in a parameter" "$(reason "http://$HTTP/v1/totals?year=2026%00")" \
	"NUL after the year"
assert_eq 400 "$(code "http://$HTTP/v1/report?year=2026%00")" "NUL after the report's year"
assert_eq 400 "$(code "http://$HTTP/v1/report?year=2024&as_of=@99999999999999999999")" "as_of out of range"
assert_eq 200 "$(code "http://$HTTP/v1/report?year=2024&as_of=@1717200000")" "as_of in range"
assert_eq "Authorization: given more than once" \
	"$(reason -H "Authorization: Bearer a" -H "Authorization: Bearer b" "http://$HTTP/healthz")" \
	"two Authorization headers"
raw() { # REQUEST: sent as it is on one connection; prints the status line
	exec 3<>"/dev/tcp/${HTTP%:*}/${HTTP##*:}"
	printf '%b' "$1" >&3
	timeout 5 head -n 1 <&3 | tr -d '\r'
	exec 3>&-
}
assert_eq "HTTP/1.1 400 Bad Request" \
	"$(raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n')" \
	"two Content-Length headers"
assert_eq "HTTP/1.1 200 OK" "$(raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')" \
	"one Content-Length header"
big=$(head -c 20000 /dev/zero | tr '\0' a)
c=$(code -H "X-Big: $big" "http://$HTTP/healthz")
[ "$c" != 200 ] || fail "a 20 KB header was served"
c=$(code "http://$HTTP/v1/totals?$big")
[ "$c" != 200 ] || fail "a 20 KB URL was served"

assert_eq "$before" "$(snapshot)" "totals after hostile input"
assert_eq "$events" "$(curl -sf "http://$HTTP/healthz" | jq -r .events)" "events after hostile input"
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL05 --attendees 9 >/dev/null ||
	fail "a good event after hostile input was not accepted"
stop_daemon || fail "lawtallyd did not stop cleanly"

# HTTP off loopback: no start without a token; with one, 401 without it
write_config
sed -i 's/^listen = .*/listen = 0.0.0.0:0/' "$T/lawtallyd.conf"
set +e
"$LAWTALLYD" -c "$T/lawtallyd.conf" 2>"$T/start.err"
rc=$?
set -e
assert_eq 1 "$rc" "start on 0.0.0.0 without a token"
grep -q "^<3>http: listening on 0.0.0.0:[0-9]*, not loopback, needs \[http\] token_file; not starting" \
	"$T/start.err" || fail "no token: $(cat "$T/start.err")"
rc=0
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check.err" || rc=$?
assert_eq 2 "$rc" "--check-config on 0.0.0.0 without a token"
grep -q "^lawtallyd: http: listening on 0.0.0.0:0, not loopback, needs \[http\] token_file$" "$T/check.err" ||
	fail "--check-config without a token: $(cat "$T/check.err")"
head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$T/token"
chmod 644 "$T/token"
printf 'token_file = %s\n' "$T/token" >>"$T/lawtallyd.conf"
rc=0
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check.err" || rc=$?
assert_eq 2 "$rc" "--check-config with a token others may read"
grep -qxF "lawtallyd: http: token file $T/token: open to others (mode 0644); chmod 600 it" "$T/check.err" ||
	fail "--check-config with a token others may read: $(cat "$T/check.err")"
chmod 600 "$T/token"
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check.err" ||
	fail "--check-config with a good token: $(cat "$T/check.err")"
start_daemon
port=${HTTP##*:}
url="http://127.0.0.1:$port/healthz"
assert_eq 401 "$(code "$url")" "no token"
assert_eq 401 "$(code -H "Authorization: Bearer wrong-token-0123456789" "$url")" "a wrong token"
assert_eq 401 "$(code -H "Authorization: Basic $(cat "$T/token")" "$url")" "not a bearer token"
assert_eq 200 "$(code -H "Authorization: Bearer $(cat "$T/token")" "$url")" "the token"
curl -s -D - -o /dev/null "$url" | grep -qi '^WWW-Authenticate: Bearer' || fail "no WWW-Authenticate"
stop_daemon || fail "lawtallyd did not stop cleanly"
