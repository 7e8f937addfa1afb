#!/usr/bin/env bash
# --as-of: the report as the figures stood at a moment, counting the events
# received by then. Send the fixture, note the time, send more and a
# retraction; the report as of the noted time gives the old figures, by the
# CLI and over HTTP, in each form of the date; the live report the new ones.
. "$(dirname "$0")/lib.sh"

"$GEN" fixture 7 >"$T/fixture.jsonl"
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null || fail "send fixture"
noted=$(date +%s)
# what is sent from now on is received after the noted second
wait_until 3 bash -c "[ \$(date +%s) -gt $noted ]"

training=$(jq -r 'select(.training) | .id' "$T/fixture.jsonl" | head -n 1)
training_village=$(jq -r 'select(.training) | .village' "$T/fixture.jsonl" | head -n 1)
cat >"$T/more.jsonl" <<JSONL
{"id":"0190c8e2-0000-7000-8000-00000000c001","village":"ZL07","occurred_at":"2024-11-02T10:00:00+08:00","source":"centre-ZL07","dispute":{"case_id":"ZL07-2024-ASOF","category":"NEIGHBOUR","stage":"REGISTERED"}}
{"id":"0190c8e2-0000-7000-8000-00000000c002","village":"ZL07","occurred_at":"2024-11-03T10:00:00+08:00","source":"centre-ZL07","dispute":{"case_id":"ZL07-2024-ASOF","category":"NEIGHBOUR","stage":"RESOLVED"}}
{"id":"0190c8e2-0000-7000-8000-00000000c003","occurred_at":"2024-11-04T10:00:00+08:00","source":"office-publicity","publicity":{"venue":"SCHOOL","materials":2000,"consultations":15,"is_activity":true}}
{"id":"0190c8e2-0000-7000-8000-00000000c004","village":"ZL07","occurred_at":"2024-11-05T10:00:00+08:00","source":"centre-ZL07","retraction":{"event_id":"$training","scope":"village:$training_village","reason":"entered twice"}}
JSONL
out=$("$LAWTALLY" send --endpoint "$INGEST" --file "$T/more.jsonl") || fail "send more: $out"

old="开展普法宣传活动12次，发放资料8000多份，现场法律咨询985人次"
new="开展普法宣传活动13次，发放资料10000多份，现场法律咨询1000人次"
check() { # FILE WANT... : each WANT is in FILE
	local f=$1; shift
	for w in "$@"; do grep -qF -- "$w" "$f" || fail "$f: '$w' not in: $(head -c 3000 "$f")"; done
}

"$LAWTALLY" report --endpoint "$QUERY" --year 2024 >"$T/live.txt"
check "$T/live.txt" "2024年共开展培训11次" "排查化解矛盾纠纷327件" "$new" "本报告数据为实时统计"

"$LAWTALLY" report --endpoint "$QUERY" --year 2024 --as-of "@$noted" >"$T/asof.txt"
at=$(TZ=Asia/Shanghai date -d "@$noted" '+%Y-%m-%d %H:%M:%S')
check "$T/asof.txt" "2024年共开展培训12次" "排查化解矛盾纠纷326件" "$old" \
	"本报告数据为截至 $at（UTC+08:00）已收到的事件的统计"

# the same moment written as RFC 3339 in two zones, and over HTTP
rfc=$(date -u -d "@$noted" '+%Y-%m-%dT%H:%M:%SZ')
"$LAWTALLY" report --endpoint "$QUERY" --year 2024 --as-of "$rfc" >"$T/asof2.txt"
local_time=$(TZ=Asia/Shanghai date -d "@$noted" '+%Y-%m-%dT%H:%M:%S')
curl -sf "http://$HTTP/v1/report?year=2024&as_of=$local_time" >"$T/asof.http"
for f in "$T/asof2.txt" "$T/asof.http"; do
	check "$f" "2024年共开展培训12次" "排查化解矛盾纠纷326件" "$old"
done
curl -sf "http://$HTTP/v1/report?year=2024&as_of=%40$noted&format=json" >"$T/asof.json"
assert_eq as_of "$(jq -r .figures_are "$T/asof.json")" "figures_are"
assert_eq 326 "$(jq '.figures["disputes.resolved"].value' "$T/asof.json")" "as-of JSON"

# before anything was received: nothing; a date is the end of that day
"$LAWTALLY" report --endpoint "$QUERY" --year 2024 --as-of 2001-01-01 >"$T/none.txt"
check "$T/none.txt" "2024年涉行政诉讼0起，环境污染附带民事诉讼0起，无败诉情况" "2024年共开展培训0次"
set +e
"$LAWTALLY" report --endpoint "$QUERY" --year 2024 --as-of yesterday 2>"$T/err"
rc=$?
set -e
assert_eq 2 "$rc" "a bad as-of"
check "$T/err" "as_of: YYYY-MM-DD"

# as of now again: the live figures
"$LAWTALLY" report --endpoint "$QUERY" --year 2024 --as-of "@$(date +%s)" >"$T/now.txt"
check "$T/now.txt" "2024年共开展培训11次" "排查化解矛盾纠纷327件" "$new"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
