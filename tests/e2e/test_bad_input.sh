#!/usr/bin/env bash
# Malformed frames and invalid events get their reasons, change nothing,
# and the daemon goes on. A forwarded request whose township names break a
# rule has its events stored and its names left out, counted and logged.
. "$(dirname "$0")/lib.sh"

start_daemon
"$GEN" fixture 3 >"$T/fixture.jsonl"
head -n 200 "$T/fixture.jsonl" >"$T/some.jsonl"
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/some.jsonl" >/dev/null || fail "seed send failed"
before=$(snapshot)

# random bytes, a truncated request, an empty frame, a string with invalid UTF-8
head -c 4096 /dev/urandom >"$T/random.bin"
out=$("$ZSEND" "$INGEST" "$T/random.bin") || fail "no reply to random bytes"
grep -Eq '^batch_id=0 acks=0 error=frame: ' <<<"$out" || fail "random bytes: got '$out'"
printf '\x08\x07\x12\x50\x0a\x10' >"$T/truncated.bin"   # batch 7, event of 80 bytes, 6 given
assert_eq "batch_id=0 acks=0 error=frame: malformed protobuf" \
	"$("$ZSEND" "$INGEST" "$T/truncated.bin")" "truncated request"
printf '' >"$T/empty.bin"
assert_eq "batch_id=0 acks=0 error=events: a request holds 1 to request_events_max (1000) events" \
	"$("$ZSEND" "$INGEST" "$T/empty.bin")" "empty request"
printf '\x12\x06\x12\x04ZL\xff\x01' >"$T/utf8.bin"       # an event whose village is not UTF-8
assert_eq "batch_id=0 acks=0 error=frame: a string field is not UTF-8 or holds a NUL byte" \
	"$("$ZSEND" "$INGEST" "$T/utf8.bin")" "invalid UTF-8"

# invalid events: each rejected with its reason on stderr, exit 1, nothing stored; lines 2,
# 3 and 6 break rules send checks itself, before sending (so lines 1 and 5 reach the daemon)
cat >"$T/bad.jsonl" <<'JSON'
{"id":"0190c8e2-0000-7000-8000-000000000001","village":"ZL99","occurredAt":"1717200000","dispute":{"caseId":"X1","category":"NEIGHBOUR","stage":"REGISTERED"}}
{"id":"0190c8e2-0000-7000-8000-000000000002","village":"ZL01","occurredAt":"1717200000","dispute":{"category":"NEIGHBOUR","stage":"REGISTERED"}}
{"id":"0190c8e2-0000-7000-8000-000000000003","village":"ZL01","occurredAt":"946000000","training":{"attendees":3}}
this is not json
{"id":"0190c8e2-0000-7000-8000-000000000004","occurredAt":"1717200000","retraction":{"eventId":"0190c8e2-0000-7000-8000-0000000000ff","scope":"township","reason":"typo"}}
{"id":"0190c8e2-0000-7000-8000-000000000005","occurredAt":"1717200000","retraction":{"eventId":"0190c8e2-0000-7000-8000-0000000000ff","reason":"typo"}}
JSON
set +e
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/bad.jsonl" 2>"$T/err.txt")
rc=$?
set -e
assert_eq 1 "$rc" "exit status with rejected events"
err=$(cat "$T/err.txt")
grep -q "bad.jsonl:1: rejected: village: not in the configured village list" <<<"$err" || fail "line 1: $err"
grep -q "bad.jsonl:2: rejected: dispute.case_id: required, 1-64 bytes" <<<"$err" || fail "line 2: $err"
grep -q "bad.jsonl:3: rejected: occurred_at: before 2000-01-01" <<<"$err" || fail "line 3: $err"
grep -q "bad.jsonl:4: " <<<"$err" || fail "line 4 not reported: $err"
grep -q "bad.jsonl:5: rejected: retraction.event_id: no stored event has this id in the scope retraction.scope names" \
	<<<"$err" || fail "line 5: $err"
grep -q "bad.jsonl:6: rejected: retraction.scope: required, the withdrawn event's scope: village:CODE, device, device:DEVICE_ID or township" \
	<<<"$err" || fail "line 6: $err"
assert_eq "5 events: 0 accepted, 0 duplicate, 5 rejected; 1 invalid lines" "$out" "summary"

# an event dated 2100 is not wrong in itself to this daemon: either clock may
# be, so its request is refused for now (test_clock.sh), not rejected
echo '{"id":"0190c8e2-0000-7000-8000-000000000005","village":"ZL01","occurredAt":"4102444800","training":{"attendees":3}}' \
	>"$T/ahead.jsonl"
set +e
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/ahead.jsonl" --timeout 1 >"$T/ahead.out" 2>&1
rc=$?
set -e
assert_eq 3 "$rc" "exit status of an event 75 years ahead"
grep -q "the daemon refuses for now: clock: events\[0\].occurred_at is [0-9]* d [0-9]* h ahead of lawtallyd's clock" \
	"$T/ahead.out" || fail "ahead: $(cat "$T/ahead.out")"
grep -q "1 events: 0 accepted, 0 duplicate, 0 rejected; 0 invalid lines" "$T/ahead.out" ||
	fail "ahead summary: $(cat "$T/ahead.out")"

# one event from flags, rejected before sending: exit 1 with the reason
set +e
out=$("$LAWTALLY" send --endpoint "$INGEST" petition --case-id P1 --origin TOWNSHIP 2>&1)
rc=$?
set -e
assert_eq 1 "$rc" "flag event without stage"
grep -q "rejected: petition.stage: required" <<<"$out" || fail "flags: $out"

assert_eq "$before" "$(snapshot)" "totals after bad input"
assert_eq 4 "$(metric lawtally_bad_frames_total)" "bad frames counted"
assert_eq 2 "$(metric 'lawtally_events_total{status="rejected"}')" "rejected events counted"
# the daemon says why at <6>, each reason at most once a minute
grep -q "^<6>ingest: refused a request: frame: malformed protobuf$" "$T/daemon.log" ||
	fail "no line for the malformed request: $(grep ingest "$T/daemon.log")"
grep -q "^<6>ingest: rejected an event: village: not in the configured village list$" "$T/daemon.log" ||
	fail "no line for the rejected event: $(grep ingest "$T/daemon.log")"
for i in 1 2 3; do
	"$LAWTALLY" send --endpoint "$INGEST" training --village ZL99 --attendees 1 >/dev/null 2>&1 || true
done
assert_eq 1 "$(grep -c "rejected an event: village: not in the configured village list" "$T/daemon.log")" \
	"lines for one reason in a minute"

# and the daemon still takes good events
"$LAWTALLY" send --endpoint "$INGEST" training --village ZL05 --attendees 9 >/dev/null ||
	fail "a good event after bad input was not accepted"
curl -sf "http://$HTTP/healthz" >/dev/null || fail "daemon not healthy"

# a township forwarding (auth off: the request names it) with names that break
# a rule: its event is stored, its names are not kept, and the daemon says why
# frame EVENT_ID_BYTE VILLAGE_CODE...: a SubmitRequest of township 410423199 with one
# training and names 丙镇 with those village codes, each named 某村
frame() {
	python3 - "$@" <<'PY'
import sys
def varint(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(tag, data):
    return bytes([tag]) + varint(len(data)) + data
event = (field(0x0a, bytes([0x01, 0x90, 0xc8, 0xe2] + [0] * 11 + [int(sys.argv[1])]))
         + field(0x12, b'ZL05') + bytes([0x18]) + varint(1717200000)
         + field(0x62, bytes([0x08, 3])))
names = field(0x0a, '丙镇'.encode()) + b''.join(
    field(0x12, field(0x0a, c.encode()) + field(0x12, '某村'.encode())) for c in sys.argv[2:])
sys.stdout.buffer.write(bytes([0x08, 9]) + field(0x12, event) + field(0x1a, b'410423199')
                        + field(0x22, names))
PY
}
frame 1 ZL01 ZL01 >"$T/names-twice.bin"
assert_eq "batch_id=9 acks=1 error=
ack 0 status=1 reason=" "$("$ZSEND" "$INGEST" "$T/names-twice.bin")" "a forwarded event with bad names"
assert_eq 1 "$(metric lawtally_township_names_rejected_total)" "township names not kept"
grep -q "^<6>ingest: ignored a township's names: village code listed twice$" "$T/daemon.log" ||
	fail "no line for the names: $(grep ingest "$T/daemon.log" | tail -n 3)"
assert_eq '{"township":"410423199","name":"","villages":[]}' \
	"$(curl -sf "http://$HTTP/v1/villages?township=410423199" | jq -c .)" "names not kept"
# the same township's next request with good names: kept
frame 2 ZL01 ZL02 >"$T/names-good.bin"
"$ZSEND" "$INGEST" "$T/names-good.bin" >/dev/null || fail "no reply to the good names"
assert_eq '{"townships":[{"township":"410423199","name":"丙镇"}]}' \
	"$(curl -sf "http://$HTTP/v1/townships" | jq -c .)" "names kept"
assert_eq 1 "$(metric lawtally_township_names_rejected_total)" "township names not kept, after good ones"
