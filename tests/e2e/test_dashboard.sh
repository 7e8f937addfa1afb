#!/usr/bin/env bash
# The live dashboard: GET / and its files (self-contained, strict CSP),
# /v1/villages, the Server-Sent Events of /v1/stream (an event within a
# second of a commit, streams outliving the HTTP timeout, the client bound,
# slots freed on disconnect), and the page itself in headless Chromium
# (Debian's chromium, driven by cdp.py): it loads, shows the 2024 fixture's
# figures in a panel per part of the report (一 to 四), its charts and the
# year's record count without an error, and changes after a new event; a bad ?year is a message with the valid range;
# ?print=1 opens no stream and prints (Page.printToPDF) on A4 with the charts
# inside the page and the whole report.
#
# DASHBOARD_SCREENSHOT=FILE also writes the page on the fixture as a PNG
# (docs/dashboard.png is made so; install fonts-wqy-microhei first, or the
# Chinese text shows as boxes).
. "$(dirname "$0")/lib.sh"

CHARTJS=/usr/share/javascript/chart.js/chart.min.js
command -v chromium >/dev/null || fail "chromium is not installed (make deps installs it)"
CDP=(python3 "$ROOT/tests/e2e/cdp.py" --log "$T/chromium.log" --timeout 10)

"$GEN" fixture 1 >"$T/fixture.jsonl"
# A 1 s HTTP timeout: the streams below must outlive it.
write_config "[http]
timeout_s = 1"
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null ||
	fail "sending the fixture failed"
# One record of 2023: the 2024 page counts the records of 2024 alone.
printf '%s\n' '{"id":"0190c8e2-0000-7000-8000-0000000a2023","village":"ZL07","occurred_at":"2023-06-20T10:00:00+08:00","dispute":{"case_id":"DASH-2023","category":"NEIGHBOUR","stage":"REGISTERED"}}' |
	"$LAWTALLY" send --endpoint "$INGEST" --file - >/dev/null || fail "sending the 2023 record failed"
# 2024 in the township's zone: [2024-01-01T00:00+08:00, 2025-01-01T00:00+08:00)
year_records=$(jq -r 'select((.occurredAt | tonumber) >= 1704038400 and (.occurredAt | tonumber) < 1735660800) | .id' \
	"$T/fixture.jsonl" | sort -u | wc -l)

# --- the page and its files -------------------------------------------------
header() { # URL NAME: one response header's value
	curl -sf -o /dev/null -D - "$1" | tr -d '\r' |
		awk -v n="$(tr A-Z a-z <<<"$2")" -F': ' 'tolower($1) == n { print $2 }'
}
assert_eq "text/html; charset=utf-8" "$(header "http://$HTTP/" Content-Type)" "GET / type"
csp=$(header "http://$HTTP/" Content-Security-Policy)
grep -q "script-src 'self';" <<<"$csp" || fail "GET /: CSP lacks script-src 'self': $csp"
grep -q "unsafe" <<<"$csp" && fail "GET /: CSP allows unsafe sources: $csp"
assert_eq "text/javascript; charset=utf-8" "$(header "http://$HTTP/static/chart.js" Content-Type)" \
	"chart.js type"
curl -sf "http://$HTTP/static/chart.js" | cmp -s - "$CHARTJS" || fail "chart.js differs from $CHARTJS"
for f in / /static/dashboard.js /static/dashboard.css; do
	curl -sf "http://$HTTP$f" >"$T/asset" || fail "GET $f failed"
	grep -Eq 'https?://' "$T/asset" && fail "GET $f names an outside address: $(grep -Eo 'https?://[^"]*' "$T/asset" | head -1)"
done
curl -sf "http://$HTTP/" | grep -Eq '<script>|<script [^>]*>[^<]' && fail "GET /: inline script"
assert_eq "41 ZL01 张北村" "$(curl -sf "http://$HTTP/v1/villages" |
	jq -r '"\(.villages | length) \(.villages[0].code) \(.villages[0].name)"')" "/v1/villages"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/static/nothing.js")" "unknown file"

# --- the page in Chromium ---------------------------------------------------
# send_dispute N: a new resolved dispute, case DASH-N in ZL07, 2024.
send_dispute() {
	printf '{"id":"0190c8e2-0000-7000-8000-%012d","village":"ZL07","occurred_at":"2024-12-20T10:00:00+08:00","dispute":{"case_id":"DASH-%d","category":"NEIGHBOUR","stage":"RESOLVED"}}\n' \
		"$1" "$1" | "$LAWTALLY" send --endpoint "$INGEST" --file - >/dev/null
}
# card METRIC: "value|text" of one headline figure.
card() {
	printf '(c => c.dataset.value + "|" + c.querySelector(".value").textContent)(document.querySelector(%s))' \
		"'[data-metric=\"$1\"]'"
}
# The fixture's figures (docs/model.md); publicity.materials is 8000..8999.
resolved=326
assert_eq "$resolved" "$(http_total disputes.resolved)" "disputes.resolved of the fixture"
materials=$(http_total publicity.materials)
chart_sum() { # ID DATASET: the sum of one chart series
	printf 'Chart.getChart("%s").data.datasets[%d].data.reduce((a, b) => a + b, 0)' "$1" "$2"
}
steps=(
	'wait:document.body.dataset.state === "ready"'
	"eval:$(card disputes.resolved)"
	"eval:$(card 'petitions.received{HIGHER_LEVEL}')"
	"eval:$(card 'petitions.received{TOWNSHIP}')"
	"eval:$(card 'petitions.received{PROVINCIAL_INSPECTION}')"
	"eval:$(card petitions.difficult_resolved)"
	"eval:$(card trainings.sessions)"
	"eval:$(card publicity.activities)"
	"eval:$(card publicity.materials)"
	"eval:$(card publicity.consultations)"
	"eval:$(card 'lawsuits.filed{ADMINISTRATIVE}')"
	"eval:$(card 'lawsuits.filed{ENV_POLLUTION_CIVIL}')"
	"eval:$(card lawsuits.lost)"
	"eval:$(card enforcement.team)"
	"eval:$(card documents.drafted)"
	"eval:$(card 'trainings.others{COMMUNITY_CORRECTION}')"
	'eval:[...document.querySelectorAll("[data-section]")].map(s => s.dataset.section).join(" ")'
	"eval:$(chart_sum chart-month 1)"
	"eval:$(chart_sum chart-village 1)"
	"eval:$(chart_sum chart-category 1)"
	'eval:(c => c.data.labels.length + " " + c.data.labels[0])(Chart.getChart("chart-village"))'
	'eval:Chart.getChart("chart-category").data.labels.includes("邻里")'
	'eval:document.getElementById("report").textContent.length > 0'
	'eval:document.getElementById("events").textContent'
	'wait:document.getElementById("live").classList.contains("on")'
	'noerrors'
)
[ -n "${DASHBOARD_SCREENSHOT:-}" ] && steps+=("screenshot:$DASHBOARD_SCREENSHOT")
steps+=(
	"run:$(declare -f send_dispute); LAWTALLY='$LAWTALLY' INGEST='$INGEST' send_dispute 1"
	"wait:document.querySelector('[data-metric=\"disputes.resolved\"]').dataset.value === \"$((resolved + 1))\""
	"eval:$(card disputes.resolved)"
	'eval:Number(document.body.dataset.commits) >= 1'
	"wait:document.getElementById('events').textContent === '$((year_records + 1))'"
	'noerrors'
	# a bad year: a message, no figures
	'goto:/?year=abc'
	'wait:document.body.dataset.state === "error"'
	'eval:document.getElementById("error").textContent'
	'eval:document.querySelectorAll(".card").length'
	# printing: no stream, the charts inside the printed width, the whole report
	'goto:/?year=2024&print=1'
	'wait:document.body.dataset.state === "ready"'
	'eval:document.body.dataset.stream'
	'eval:(m => [...document.querySelectorAll("canvas")].every(c => c.getBoundingClientRect().right <= m.right + 0.5 && c.getBoundingClientRect().width > m.width * 0.95))(document.querySelector("main").getBoundingClientRect())'
	'eval:(r => r.scrollHeight <= r.clientHeight && getComputedStyle(r).overflowY === "visible")(document.getElementById("report"))'
	'eval:getComputedStyle(document.getElementById("live")).display'
	"pdf:$T/dashboard.pdf"
	'noerrors'
)
"${CDP[@]}" "http://$HTTP/?year=2024" "${steps[@]}" >"$T/page.out" ||
	fail "the page in Chromium: $(tail -n 1 "$T/chromium.log")"

approx="$((materials / 1000 * 1000))多份"
[ "$materials" = "$((materials / 1000 * 1000))" ] && approx="${materials}份"
expected=(
	"\"$resolved|${resolved}件\""
	'"20|20件"' '"36|36件"' '"33|33件"' '"15|15起"' '"12|12次"' '"12|12次"'
	"\"$materials|$approx\""
	'"985|985人次"' '"3|3起"' '"9|9起"' '"0|无败诉情况"'
	'"3|3人"' '"3|3件"' '"4|4次"' '"一 二、1 二、2 二、3 二、4 二、5 二、6 二、7 二、8 三 四"'
	"$resolved" "$resolved" "$resolved"
	'"41 张北村"' true true "\"$year_records\""
	"\"$((resolved + 1))|$((resolved + 1))件\"" true
	"\"年份参数无效：“abc”。请给出 2000 至 2200 之间的四位年份，例如 ?year=$(date +%Y)。\"" 0
	'"off"' true true '"none"'
)
assert_eq "$(printf '%s\n' "${expected[@]}")" "$(cat "$T/page.out")" "what the page shows"
# The print: A4, the report's last line on its last page.
pdfinfo "$T/dashboard.pdf" >"$T/dashboard.pdfinfo"
grep -q "^Page size: *594.96 x 841.92 pts (A4)" "$T/dashboard.pdfinfo" ||
	fail "the dashboard did not print on A4: $(cat "$T/dashboard.pdfinfo")"
pdftotext -raw "$T/dashboard.pdf" "$T/dashboard.pdf.txt"
curl -sf "http://$HTTP/v1/report?year=2024" >"$T/report.txt"
/usr/bin/python3 "$ROOT/tests/e2e/sametext.py" --contains \
	--ignore '[0-9]{4}-[0-9]{2}-[0-9]{2}[0-9]{2}:[0-9]{2}' "$T/report.txt" "$T/dashboard.pdf.txt" ||
	fail "the printed dashboard lacks some of the report"

# --- the event stream -------------------------------------------------------
# stream NAME: a client of /v1/stream in the background, output in $T/NAME.
stream() {
	curl -sN -D "$T/$1.head" "http://$HTTP/v1/stream" >"$T/$1" 2>/dev/null &
	SENDER_PIDS+=($!)
}
has() { grep -q "$2" "$T/$1"; }
count() { grep -c "$2" "$T/$1" || true; }

stream s1
wait_until 5 has s1 '^event: hello'
grep -qi '^content-type: text/event-stream' "$T/s1.head" || fail "stream type: $(cat "$T/s1.head")"
has s1 '^retry: 3000' || fail "the stream sets no retry interval"
# every record stored: the fixture's distinct ids, the one of 2023 and DASH-1
stored=$(($(jq -r .id "$T/fixture.jsonl" | sort -u | wc -l) + 2))
has s1 "^data: {\"year\":[0-9]*,\"events\":$stored,\"time\":[0-9]*}\$" || fail "hello data: $(cat "$T/s1")"
# Nothing to wait on but time: the 1 s HTTP timeout must pass without
# closing the stream (evhttp's read timeout would).
sleep 2
kill -0 "${SENDER_PIDS[0]}" 2>/dev/null || fail "the stream closed after the HTTP timeout"

# An event within a second of the commit (the send returns after it).
t0=$(date +%s%N)
send_dispute 2 || fail "send failed"
wait_until 5 has s1 '^event: commit'
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -le 1000 ] || fail "the commit event came ${ms} ms after the send began"
has s1 "^data: {\"year\":[0-9]*,\"events\":$((stored + 1))," || fail "commit data: $(tail -n 3 "$T/s1")"

# A burst of commits is coalesced (at most one event per 500 ms), and the
# last commit is always told.
t0=$(date +%s%N)
for i in $(seq 3 12); do send_dispute "$i" || fail "send $i failed"; done
wait_until 5 has s1 "\"events\":$((stored + 11)),"
ms=$((($(date +%s%N) - t0) / 1000000))
commits=$(($(count s1 '^event: commit') - 1))
[ "$commits" -ge 1 ] && [ "$commits" -le $((ms / 500 + 2)) ] ||
	fail "$commits commit events for 10 commits in $ms ms (at most one per 500 ms)"

# At most 32 streams; a slot is freed as soon as its client goes.
for i in $(seq 2 32); do stream "s$i"; done
for i in $(seq 2 32); do wait_until 5 has "s$i" '^event: hello'; done
assert_eq 503 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$HTTP/v1/stream")" \
	"stream 33"
grep -q "^<4>stream: refused a dashboard at 127.0.0.1: 32 already connected" "$T/daemon.log" ||
	fail "no warning logged for the refused stream"
kill "${SENDER_PIDS[0]}"
wait_until 5 bash -c "curl -s -o /dev/null -w '%{http_code}' --max-time 1 'http://$HTTP/v1/stream' | grep -q 200"
for p in "${SENDER_PIDS[@]}"; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
SENDER_PIDS=()
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -I "http://$HTTP/v1/stream")" "HEAD /v1/stream"

# A stream still open at shutdown is ended, and nothing leaks (ASan).
stream last
wait_until 5 has last '^event: hello'
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
grep -q "^<6>stopped cleanly" "$T/daemon.log" || fail "no clean stop logged"
