#!/usr/bin/env bash
# Closing a year: `lawtally close-year 2024` freezes the totals with a
# SHA-256; a year closes once and only when over; events of 2024 that come
# later are stored and counted live, and the report of 2024 shows the filed
# figures, the hash and the adjustments after close, also after a restart.
# Closing is office only: refused to a peer that is not on this machine.
. "$(dirname "$0")/lib.sh"

"$GEN" fixture 7 >"$T/fixture.jsonl"
write_config
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null || fail "send fixture"

"$LAWTALLY" close-year --endpoint "$QUERY" 2024 >"$T/closed.txt" || fail "close-year exited $?"
hash=$(grep -oE '[0-9a-f]{64}' "$T/closed.txt")
[ ${#hash} -eq 64 ] || fail "no hash in: $(cat "$T/closed.txt")"
grep -q "^2024年度数据已结报：结报于 .*，共 [0-9]* 项数据，SHA-256：$hash。$" "$T/closed.txt" ||
	fail "confirmation: $(cat "$T/closed.txt")"
grep -q "^<6>office: closed 2024: [0-9]* totals filed, SHA-256 $hash$" "$T/daemon.log" ||
	fail "no log line of the close"

set +e
"$LAWTALLY" close-year --endpoint "$QUERY" 2024 2>"$T/again"; rc=$?
"$LAWTALLY" close-year --endpoint "$QUERY" "$(date +%Y)" 2>"$T/current"; rc2=$?
set -e
assert_eq 2 "$rc" "closing twice"
grep -q "year: 2024 was closed at .* (SHA-256 $hash)" "$T/again" || fail "twice: $(cat "$T/again")"
assert_eq 2 "$rc2" "closing the current year"
grep -q "is not over yet" "$T/current" || fail "current: $(cat "$T/current")"

# later events of 2024: a resolved dispute and a lost lawsuit
cat >"$T/late.jsonl" <<'JSONL'
{"id":"0190c8e2-0000-7000-8000-00000000d001","village":"ZL07","occurred_at":"2024-12-30T10:00:00+08:00","source":"centre-ZL07","dispute":{"case_id":"ZL07-2024-LATE","category":"NEIGHBOUR","stage":"RESOLVED","agreement_amount_fen":"150000"}}
{"id":"0190c8e2-0000-7000-8000-00000000d002","occurred_at":"2024-12-31T10:00:00+08:00","source":"office-legal","lawsuit":{"case_id":"LATE-1","kind":"ADMINISTRATIVE","stage":"JUDGED","outcome":"LOST"}}
JSONL
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/late.jsonl" >/dev/null || fail "send late events"
assert_eq 327 "$(total disputes.resolved)" "live total after close"

check_report() {
	"$LAWTALLY" report --endpoint "$QUERY" --year 2024 >"$T/report.txt"
	for w in "排查化解矛盾纠纷326件" "2024年涉行政诉讼3起，环境污染附带民事诉讼9起，无败诉情况" \
		"结报数据 SHA-256：$hash。" "结报后调整（现数据减结报数据）：" "  调解成功：+1件" \
		"  调解成功（类别：邻里）：+1件" "  协议涉及金额：+1500.00元" "  败诉案件：+1起" \
		"  败诉案件（类型：行政诉讼）：+1起"; do
		grep -qF -- "$w" "$T/report.txt" || fail "closed report: '$w' not in: $(sed -n '/数据说明/,/附录一/p' "$T/report.txt")"
	done
	curl -sf "http://$HTTP/v1/report?year=2024&format=json" >"$T/report.json"
	assert_eq filed "$(jq -r .figures_are "$T/report.json")" "figures_are"
	assert_eq "$hash" "$(jq -r .closed.sha256 "$T/report.json")" "hash in JSON"
	assert_eq 1 "$(jq '.closed.adjustments[] | select(.metric == "disputes.resolved" and (keys | length) == 2) | .value' "$T/report.json")" "adjustment in JSON"
	assert_eq 326 "$(jq '.figures["disputes.resolved"].value' "$T/report.json")" "filed figure in JSON"
}
check_report
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
start_daemon
check_report

# office only: the same endpoint reached from this machine's LAN address
lan=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | grep -v '^127\.' | head -n 1 || true)
if [ -n "$lan" ]; then
	stop_daemon TERM
	port=${QUERY##*:}
	QUERY="tcp://0.0.0.0:$port"
	write_config
	start_daemon
	set +e
	"$LAWTALLY" close-year --endpoint "tcp://$lan:$port" 2023 2>"$T/remote"; rc=$?
	"$LAWTALLY" export --endpoint "tcp://$lan:$port" --year 2024 --events 2>"$T/remote2" >/dev/null; rc2=$?
	set -e
	assert_eq 2 "$rc" "close-year from the LAN"
	grep -q "close-year: office only" "$T/remote" || fail "remote: $(cat "$T/remote")"
	assert_eq 2 "$rc2" "events export from the LAN"
	grep -q "events export: office only" "$T/remote2" || fail "remote: $(cat "$T/remote2")"
	"$LAWTALLY" report --endpoint "tcp://$lan:$port" --year 2024 >/dev/null || fail "the report is for everyone"
	"$LAWTALLY" close-year --endpoint "tcp://127.0.0.1:$port" 2023 >/dev/null || fail "close-year from this machine"
fi
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
