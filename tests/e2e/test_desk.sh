#!/usr/bin/env bash
# The village desk in Debian's Chromium (driven by cdp.py): a mediator
# records a dispute while the township is down (待发送); the township comes
# up, but its village list lacks the village, and the page shows the
# rejection with its reason; once the list is right the record's
# correction replaces it (已送达, and the township's totals show it); a
# correction of a delivered record replaces it in the totals; a later
# stage is picked from the open cases with its amount in 元; a ledger is
# checked row by row and imported; nothing is counted twice. Then
# requests from other sites are refused.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

command -v chromium >/dev/null || fail "chromium is not installed (make deps installs it)"
CDP=(python3 "$ROOT/tests/e2e/cdp.py" --log "$T/chromium.log" --timeout 30)
SPOOL=$T/spool
LEDGER=$ROOT/tests/data/ledger-zl07.csv

# the township's ingest port, chosen now: its daemon starts later
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
INGEST=tcp://127.0.0.1:$port
"$LAWTALLY" agent --spool "$SPOOL" --village ZL07 \
	--desk 127.0.0.1:0 --endpoint "$INGEST" --timeout 2 --poll 0.2 2>"$T/agent.log" &
SENDER_PIDS+=($!)
listening() { grep -q "^<6>agent: village desk of ZL07 at http://127.0.0.1:[0-9]*/" "$T/agent.log"; }
wait_until 10 listening
DESK=$(grep -o "http://127.0.0.1:[0-9]*" "$T/agent.log" | head -n 1)
queued() { "$LAWTALLY" spool status --spool "$SPOOL" --json | jq .queued; }

# page: the form JS that fills and submits one form; row: a record's state
fill() { # FORM FIELD=VALUE...: fills the form and submits it
	local form=$1 js=""
	shift
	for kv in "$@"; do js+="f.elements['${kv%%=*}'].value = '${kv#*=}'; "; done
	printf '(() => { const f = document.getElementById("%s"); %s f.requestSubmit(); return true; })()' \
		"$form" "$js"
}
row() { # SEQ: "state|corrected|text of the state cell"
	printf '(r => r ? r.dataset.state + "|" + r.dataset.corrected + "|" + r.querySelector("td.state").textContent : "none")(document.querySelector("tr[data-seq=\\"%s\\"]"))' "$1"
}
row_is() { # SEQ STATE
	printf '(r => r && r.dataset.state === "%s")(document.querySelector("tr[data-seq=\\"%s\\"]"))' "$2" "$1"
}

# --- the township is down: the record waits in the spool ---------------------
steps=(
	'wait:document.body.dataset.state === "ready"'
	'eval:document.getElementById("village").textContent'
	"eval:$(fill f-register case_id=WG-D1 category=NEIGHBOUR initiated=APPLICATION date=2024-12-20 recorded_by=李梅)"
	"wait:$(row_is 1 queued)"
	"eval:$(row 1)"
	'eval:document.getElementById("message").textContent'
	'wait:document.getElementById("link").dataset.link === "down"'
	'eval:document.getElementById("link-text").textContent'
	'noerrors'
)
"${CDP[@]}" "$DESK/" "${steps[@]}" >"$T/page1.out" || fail "the desk, township down: $(tail -n 1 "$T/chromium.log")"
assert_eq "$(printf '%s\n' '"王岗村（ZL07）"' true '"queued|false|待发送"' '"已保存（第 1 条，待发送）"' \
	'"乡镇服务器：连接不上，正在重试"')" "$(cat "$T/page1.out")" "the desk with the township down"
assert_eq 1 "$(queued)" "spooled while the township is down"

# --- the township comes up, its village list without ZL07 ----------------------
"$LAWTALLYD" --check-config 2>/dev/null | sed -n '/^\[villages\]/,$p' >"$T/villages.ini"
grep -q "^ZL07 = 王岗村$" "$T/villages.ini" || fail "the built-in village list: $(head -3 "$T/villages.ini")"
write_config "$(grep -v '^ZL07 ' "$T/villages.ini")"
start_daemon
steps=(
	'wait:document.body.dataset.state === "ready"'
	"wait:$(row_is 1 rejected)"
	"eval:$(row 1)"
	'eval:document.querySelector("tr[data-seq=\"1\"] .reason").textContent'
	'wait:document.getElementById("link").dataset.link === "up"'
	'noerrors'
)
"${CDP[@]}" "$DESK/" "${steps[@]}" >"$T/page2.out" 2>"$T/cdp2.err" ||
	fail "the desk, a rejection: $(cat "$T/cdp2.err"); agent: $(tail -n 5 "$T/agent.log")"
assert_eq "$(printf '%s\n' '"rejected|false|被退回"' '"退回原因：乡镇的村名单里没有这个村"')" \
	"$(cat "$T/page2.out")" "the desk with the record rejected"
grep -q "^<4>agent: spooled event #1 rejected: village: not in the configured village list" \
	"$T/agent.log" || fail "the rejection is not in the agent's log"
assert_eq 0 "$(total disputes.registered)" "registered while ZL07 is not on the list"

# --- the list is put right; the rejected record corrected, and more -------------
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
write_config
start_daemon
steps=(
	'wait:document.body.dataset.state === "ready"'
	# the rejected record's correction replaces it: 2
	'eval:document.querySelector("tr[data-seq=\"1\"] button.correct").click() || true'
	'eval:document.getElementById("correcting").hidden'
	"eval:$(fill f-register date=2024-12-21)"
	"wait:$(row_is 2 delivered)"
	'eval:document.querySelector("tr[data-seq=\"1\"]") === null'
	"eval:$(row 2)"
	'wait:document.getElementById("link").dataset.link === "up"'
	'eval:document.getElementById("last-delivery").textContent.startsWith("上次送达：")'
	# a delivered record corrected: withdrawn (3) and replaced (4)
	'eval:document.querySelector("tr[data-seq=\"2\"] button.correct").click() || true'
	"eval:$(fill f-register category=LAND)"
	"wait:$(row_is 4 delivered)"
	"wait:$(row_is 3 delivered)"
	"eval:$(row 2)"
	# another case (5), then its later stage from the open cases: resolved, 2,500 元 (6)
	"eval:$(fill f-register case_id=WG-D2 category=CONTRACT date=2024-12-21)"
	"wait:$(row_is 5 delivered)"
	'eval:document.querySelector("#tabs button[data-tab=\"stage\"]").click() || true'
	'eval:[...document.getElementById("s-case").options].map(o => o.value).join(" ")'
	"eval:$(fill f-stage s-case=WG-D2 stage=RESOLVED date=2024-12-22 amount=2,500)"
	"wait:$(row_is 6 delivered)"
	'eval:document.querySelector("tr[data-seq=\"6\"] td.what").textContent'
	'eval:[...document.getElementById("s-case").options].map(o => o.value).join(" ")'
	'noerrors'
)
"${CDP[@]}" "$DESK/" "${steps[@]}" >"$T/page3.out" 2>"$T/cdp3.err" ||
	fail "the desk, corrections: $(cat "$T/cdp3.err"); agent: $(tail -n 5 "$T/agent.log")"
# (the steps that fill a form or click print true)
expected=(
	true false true true '"delivered|false|已送达"' true
	true true '"delivered|true|已更正"'
	true true '"WG-D1 WG-D2"'
	true '"纠纷 WG-D2 · 合同 · 调解成功 · 协议金额 2500.00 元"' '"WG-D1"'
)
assert_eq "$(printf '%s\n' "${expected[@]}")" "$(cat "$T/page3.out")" "the desk's corrections"
# the township's totals: WG-D1 counts once, as LAND; WG-D2 once, resolved
assert_eq 2 "$(total disputes.registered village ZL07)" "registered in ZL07"
assert_eq 0 "$(total disputes.registered category NEIGHBOUR)" "the corrected category"
assert_eq 1 "$(total disputes.registered category LAND)" "the correction's category"
assert_eq 1 "$(total disputes.registered category CONTRACT)" "the other case"
assert_eq 1 "$(total disputes.resolved)" "resolved"
assert_eq 250000 "$(total disputes.agreement_amount_fen)" "agreement amount in fen"
assert_eq 1 "$(total disputes.open)" "open cases"

# --- a ledger uploaded on the page: each row's outcome, then imported -----------
rows_js='[...document.querySelectorAll("#l-rows tbody tr")].map(r => r.dataset.outcome)'
steps=(
	'wait:document.body.dataset.state === "ready"'
	'eval:document.querySelector("#tabs button[data-tab=\"ledger\"]").click() || true'
	"file:#l-file=$LEDGER"
	'eval:document.getElementById("l-check").click() || true'
	'wait:document.getElementById("l-summary").dataset.done === "checked"'
	'eval:document.getElementById("l-summary").textContent'
	"eval:(r => r.filter(o => o === \"events\").length + \" \" + r.filter(o => o === \"skipped\").length)($rows_js)"
	'eval:document.getElementById("l-import").disabled'
	'eval:document.getElementById("l-import").click() || true'
	'wait:document.getElementById("l-summary").dataset.done === "imported"'
	'eval:document.getElementById("l-summary").textContent'
	'noerrors'
)
"${CDP[@]}" "$DESK/" "${steps[@]}" >"$T/page4.out" 2>"$T/cdp4.err" ||
	fail "the ledger on the desk: $(cat "$T/cdp4.err")"
expected=(
	true true
	'"16 个案件（30 条记录），0 行有错误，2 行跳过；将保存 30 条新记录"'
	'"16 2"' false true
	'"16 个案件（30 条记录），0 行有错误，2 行跳过；已保存 30 条，待发送"'
)
assert_eq "$(printf '%s\n' "${expected[@]}")" "$(cat "$T/page4.out")" "the ledger on the desk"
none_queued() { [ "$(queued)" = 0 ]; }
wait_until 30 none_queued
assert_eq 18 "$(total disputes.registered village ZL07)" "registered in ZL07 with the ledger"
assert_eq 12 "$(total disputes.resolved village ZL07)" "resolved in ZL07 with the ledger"
assert_eq 5860000 "$(total disputes.agreement_amount_fen village ZL07)" "amounts with the ledger"
# the same ledger again: every row is already in, nothing is saved
TOKEN=$(curl -sf "$DESK/api/state" | jq -r .token)
post() { # PATH TYPE [curl args]: a POST as the page makes it
	local path=$1 type=$2
	shift 2
	curl -s -o "$T/post.out" -w '%{http_code}' -X POST -H "Origin: $DESK" -H "X-Desk-Token: $TOKEN" \
		-H "Content-Type: $type" "$@" "$DESK$path"
}
assert_eq 200 "$(post '/api/ledger?kind=dispute&commit=1' application/octet-stream --data-binary @"$LEDGER")" \
	"the ledger again"
assert_eq "16 0 0" "$(jq -r '"\(.already) \(.new_events) \(.first_seq)"' "$T/post.out")" "the ledger again"

# an Excel workbook too (python3-openpyxl writes it): each row's outcome, read by the import's code
/usr/bin/python3 "$ROOT/tests/tools/ledger_workbook.py" "$T/ledger.xlsx" || fail "making the workbook"
assert_eq 200 "$(post '/api/ledger?kind=dispute&commit=0&name=ledger.xlsx' application/octet-stream \
	--data-binary @"$T/ledger.xlsx")" "the workbook checked"
assert_eq "8 0 false" "$(jq -r '"\(.cases) \(.bad) \(.saved)"' "$T/post.out")" "the workbook's rows"
jq -r .encoding "$T/post.out" | grep -q "Excel" || fail "the workbook read as: $(jq -r .encoding "$T/post.out")"

# --- requests from elsewhere are refused ------------------------------------------
before=$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .next_seq)
rec='{"kind":"dispute","case_id":"X-1","category":"LAND","stage":"REGISTERED","date":"2024-12-20"}'
assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Origin: http://evil.example" \
	-H "X-Desk-Token: $TOKEN" -H 'Content-Type: application/json' -d "$rec" "$DESK/api/records")" \
	"a post from another site"
assert_eq 400 "$(post /api/records application/json -H "Origin: http://evil.example" -d "$rec")" \
	"a post with two Origins"
assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Origin: $DESK" \
	-H 'Content-Type: application/json' -d "$rec" "$DESK/api/records")" "a post without the token"
assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: application/json" \
	-H "X-Desk-Token: $TOKEN" -d "$rec" "$DESK/api/records")" "a post without Origin"
assert_eq 415 "$(post /api/records text/plain -d "$rec")" "a form post (text/plain)"
assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example:${DESK##*:}" \
	"$DESK/api/state")" "a request naming another host (DNS rebinding)"
code=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -H "Origin: http://evil.example" \
	-H "Access-Control-Request-Method: POST" "$DESK/api/records")
[ "$code" -ge 400 ] || fail "a preflight from another site was answered $code"
assert_eq "$before" "$("$LAWTALLY" spool status --spool "$SPOOL" --json | jq .next_seq)" \
	"records saved by refused requests"
curl -sf -D "$T/headers" -o "$T/page.html" "$DESK/" || fail "GET /"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self';" "$T/headers" ||
	fail "the page has no strict CSP: $(cat "$T/headers")"
for f in / /desk.js /desk.css; do
	curl -sf "$DESK$f" >"$T/asset" || fail "GET $f"
	! grep -Eq 'https?://' "$T/asset" || fail "GET $f names an outside address"
done
! grep -Eq '<script>|<script [^>]*>[^<]' "$T/page.html" || fail "the page has an inline script"
kill -TERM "${SENDER_PIDS[0]}"
rc=0
wait "${SENDER_PIDS[0]}" || rc=$?
SENDER_PIDS=()
assert_eq 0 "$rc" "the agent's exit status on SIGTERM"
grep -q "^<6>agent: stopping; 0 events stay in the spool" "$T/agent.log" ||
	fail "agent log: $(tail -n 3 "$T/agent.log")"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
