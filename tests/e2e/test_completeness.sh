#!/usr/bin/env bash
# Completeness: simulated senders, each with its own spool, lose 1 % of
# their numbered events before sending; /v1/senders lists exactly the lost
# numbers per sender (but for a sender's last ones: nothing says they were
# sent) and `lawtally senders` prints them; flushing the spools fills
# every gap. A device whose counter snapshot is one inspection ahead of
# what was stored from it is listed with the difference until that event
# arrives; the snapshot counts in no total. close-year refuses a year with
# a gap and a device difference, printing them, closes it with
# --accept-gaps, and the snapshot and the year's report show what was
# accepted; an event the daemon rejects leaves no gap; verify passes.
. "$(dirname "$0")/lib.sh"

write_config
start_daemon

# ---- simulated senders, 1 % lost after numbering ----
sim=$("$LAWTALLY" simulate --endpoint "$INGEST" --count 3000 --rate 0 --seed 11 \
	--spool "$T/spools" --drop 0.01 --json) || fail "simulate --drop exited $?"
dropped=$(jq '[.dropped[] | length] | add // 0' <<<"$sim")
[ "$dropped" -ge 10 ] || fail "only $dropped events lost of 3000: $sim"
assert_eq $((3000 - dropped)) "$(jq .accepted <<<"$sim")" "events accepted"

curl -sf "http://$HTTP/v1/senders" >"$T/senders.json" || fail "GET /v1/senders"
# per sender: the gaps' numbers, and the lost numbers below its last number
jq -S '[.sequences[] | {key: .sender, value: [.gaps[] | range(.from; .to + 1)]}
	| select(.value | length > 0)] | from_entries' "$T/senders.json" >"$T/gaps"
jq -S --slurpfile s "$T/senders.json" '.dropped | to_entries
	| map(.key as $k | ($s[0].sequences[] | select(.sender == $k) | .last_number) as $last
	      | {key: .key, value: [.value[] | select(. < $last)] | sort})
	| map(select(.value | length > 0)) | from_entries' <<<"$sim" >"$T/want"
cmp -s "$T/want" "$T/gaps" || fail "gaps listed differ from the numbers lost: $(diff "$T/want" "$T/gaps")"
listed=$(jq '[.[] | length] | add // 0' "$T/gaps")
[ "$listed" -ge 5 ] || fail "only $listed gaps listed"
epochs=$(jq '[.sequences[].epoch] | unique | length' "$T/senders.json")
senders=$(jq '.sequences | length' "$T/senders.json")
assert_eq "$senders" "$epochs" "one epoch per sender's spool"

# the same, as the office reads it: one line per gap, dated
"$LAWTALLY" senders --endpoint "$QUERY" >"$T/senders.txt" || fail "lawtally senders exited $?"
one=$(jq -r 'to_entries[0] | "\(.key) \(.value[0])"' "$T/gaps")
grep -qE "（${one% *}）：缺 ${one#* }(–[0-9]+)?，约 [0-9]{4}-[0-9]{2}-[0-9]{2}" "$T/senders.txt" ||
	fail "no line for the gap of ${one% *} at ${one#* }: $(head -n 5 "$T/senders.txt")"
grep -q "调解中心（centre-ZL" "$T/senders.txt" || fail "no village name: $(head -n 3 "$T/senders.txt")"

# the lost events are still queued: sending them fills every gap
for d in "$T"/spools/*; do
	"$LAWTALLY" spool flush --endpoint "$INGEST" --spool "$d" >/dev/null || fail "flush $d"
done
curl -sf "http://$HTTP/v1/senders" >"$T/senders2.json"
assert_eq 0 "$(jq '[.sequences[].missing] | add' "$T/senders2.json")" "numbers missing after re-sending"
assert_eq "未发现缺失。" "$("$LAWTALLY" senders --endpoint "$QUERY")" "senders after re-sending"

# ---- a device one inspection ahead; a gap in a past year ----
PY=$(($(date +%Y) - 1))
export YEAR=$PY
ev() { # SEQ EPOCH SOURCE BODY DAY
	printf '{"id":"%s","occurred_at":"%s-06-%02dT10:00:00+08:00","source":"%s","seq":"%s","epoch":"%s",%s}\n' \
		"$(printf '0190c8e2-0000-7000-8000-%s%06x' "$2" "$1")" \
		"$PY" "$5" "$3" "$1" "$((0x$2))" "$4"
}
insp='"enforcement":{"campaign":"STRAW_BURNING","action":"INSPECTION","device_id":"ZFJLY-0009"}'
pen='"enforcement":{"campaign":"STRAW_BURNING","action":"PENALTY","device_id":"ZFJLY-0009"}'
snap='"counters":{"device_id":"ZFJLY-0009","up_to":"5","counts":[{"action":"INSPECTION","count":"4"},{"action":"PENALTY","count":"1"}]}'
{
	ev 1 00d0e0 zfjly-0009 "$insp" 1
	ev 2 00d0e0 zfjly-0009 "$insp" 2
	ev 4 00d0e0 zfjly-0009 "$insp" 4
	ev 5 00d0e0 zfjly-0009 "$pen" 5
	ev 6 00d0e0 zfjly-0009 "$snap" 6
} >"$T/device.jsonl"
ev 3 00d0e0 zfjly-0009 "$insp" 3 >"$T/device-late.jsonl"
train='"village":"ZL03","training":{"attendees":12,"topic":"人民调解法"}'
{
	ev 1 00c0c0 centre-ZL03 "$train" 3
	ev 2 00c0c0 centre-ZL03 "$train" 3
	ev 4 00c0c0 centre-ZL03 "$train" 5
	ev 6 00c0c0 centre-ZL03 "$train" 6
} >"$T/centre.jsonl"
ev 3 00c0c0 centre-ZL03 "$train" 4 >"$T/centre-late.jsonl"
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/device.jsonl" >/dev/null || fail "send device events"
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/centre.jsonl" >/dev/null || fail "send centre events"
# number 5 reaches the daemon and is rejected (lawtally send would not send it): not missing
at5=$(date -d "$PY-06-05T10:00:00+08:00" +%s)
sed "s/AT5/$at5/; s/EPOCH/$((0x00c0c0))/" >"$T/bad.txt" <<'TXT'
batch_id: 5
events { id: "\001\220\310\342\000\000p\000\200\000\000\300\300\000\000\005" village: "ZL03"
	occurred_at: AT5 source: "centre-ZL03" seq: 5 epoch: EPOCH training { attendees: 99999 } }
TXT
protoc --proto_path="$ROOT/proto" --encode=lawtally.v1.SubmitRequest lawtally.proto <"$T/bad.txt" >"$T/bad.bin" ||
	fail "protoc --encode"
grep -q "acks=1" <<<"$("$ZSEND" "$INGEST" "$T/bad.bin")" || fail "the rejected event was not answered"
assert_eq 1 "$(metric 'lawtally_events_total{status="rejected"}')" "events rejected"
assert_eq 4 "$(total enforcement.actions)" "enforcement actions (the snapshot counts in none)"
# the loop thread counts a fact ahead for its batch (store_prepare): nothing for this one
assert_eq 4 "$(total trainings.sessions)" "training sessions (the rejected one counts in none)"

curl -sf "http://$HTTP/v1/senders" >"$T/senders3.json"
assert_eq '[{"action":"INSPECTION","device":4,"stored":3}]' \
	"$(jq -c '.sequences[] | select(.sender == "zfjly-0009") | .device.differences' "$T/senders3.json")" \
	"the device's difference"
"$LAWTALLY" senders --endpoint "$QUERY" --year "$PY" >"$T/past.txt"
curl -sf "http://$HTTP/v1/senders?format=text&year=$PY" | cmp -s - "$T/past.txt" ||
	fail "GET /v1/senders?format=text differs from lawtally senders"
grep -qF "zfjly-0009：设备计数与已收到的不符（截至第 5 号）：检查 设备 4，收到 3（差 1）" "$T/past.txt" ||
	fail "device line: $(cat "$T/past.txt")"
grep -qF "张北村调解中心（centre-ZL03）：缺 3，约 $PY-06-03 至 06-05" "$T/past.txt" ||
	grep -qF "（centre-ZL03）：缺 3，约 $PY-06-03 至 06-05" "$T/past.txt" ||
	fail "gap line: $(cat "$T/past.txt")"

# close-year refuses, listing them
set +e
"$LAWTALLY" close-year --endpoint "$QUERY" "$PY" >"$T/close1.out" 2>"$T/close1.err"; rc=$?
set -e
assert_eq 2 "$rc" "close-year with things missing"
grep -q "not closed: 3 thing(s) missing" "$T/close1.err" || fail "refusal: $(cat "$T/close1.err")"
grep -qF "缺 3，约 $PY-06-03 至 06-05" "$T/close1.out" || fail "close-year's list: $(cat "$T/close1.out")"
grep -q "设备计数与已收到的不符" "$T/close1.out" || fail "close-year's list: $(cat "$T/close1.out")"

# the device's missing inspection arrives: its difference is gone
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/device-late.jsonl" >/dev/null || fail "send late device event"
assert_eq null "$(curl -sf "http://$HTTP/v1/senders" |
	jq -c '.sequences[] | select(.sender == "zfjly-0009") | .device.differences | if length == 0 then null else . end')" \
	"the device's difference after its event arrived"
if "$LAWTALLY" senders --endpoint "$QUERY" --year "$PY" | grep -q "zfjly-0009"; then
	fail "device still listed"
fi

# closed with the gap accepted; the snapshot keeps it, the report shows it
"$LAWTALLY" close-year --endpoint "$QUERY" --accept-gaps "$PY" >"$T/close2.out" ||
	fail "close-year --accept-gaps exited $?: $(cat "$T/close2.out")"
grep -q "^${PY}年度数据已结报" "$T/close2.out" || fail "confirmation: $(cat "$T/close2.out")"
grep -qF "已确认接受的缺失（随结报数据保存）：" "$T/close2.out" || fail "accepted: $(cat "$T/close2.out")"
grep -qF "（centre-ZL03）：缺 3，约 $PY-06-03 至 06-05" "$T/close2.out" || fail "accepted: $(cat "$T/close2.out")"
"$LAWTALLY" report --endpoint "$QUERY" --year "$PY" >"$T/report.txt"
grep -qF "结报时已知以下缺失，经确认后结报（--accept-gaps）：" "$T/report.txt" || fail "report: no accepted list"
grep -qF "  " "$T/report.txt"
grep -qF "（centre-ZL03）：缺 3，约 $PY-06-03 至 06-05" "$T/report.txt" || fail "report: no accepted gap"
curl -sf "http://$HTTP/v1/report?year=$PY&format=json" | jq -e '.closed.accepted | test("缺 3")' >/dev/null ||
	fail "JSON report: closed.accepted"

# the gap fills later: nothing missing now; the snapshot still says what was accepted
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/centre-late.jsonl" >/dev/null || fail "send late event"
assert_eq "未发现缺失。" "$("$LAWTALLY" senders --endpoint "$QUERY" --year "$PY")" "senders of $PY"
"$LAWTALLY" report --endpoint "$QUERY" --year "$PY" >"$T/report2.txt"
grep -qF "（centre-ZL03）：缺 3，约 $PY-06-03 至 06-05" "$T/report2.txt" || fail "report: accepted list lost"
grep -qF "未发现缺失：各发送方序号连续，设备计数一致。" "$T/report2.txt" || fail "report: appendix 4"

out=$("$LAWTALLY" verify -c "$T/lawtallyd.conf") || fail "verify exited $?: $out"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
