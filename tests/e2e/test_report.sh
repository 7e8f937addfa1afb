#!/usr/bin/env bash
# The year-end report of the 2024 fixture through the real daemon: every
# sentence of section 2 of the seed report that carries a number, exactly,
# by `lawtally report` (ZeroMQ) and GET /v1/report (the same document);
# English, Markdown and JSON; a lost lawsuit reads "败诉1起"; the monthly
# mediation statistics agree with the totals; senders; CSV exports that
# Excel opens (BOM, CRLF); an edited template read on SIGHUP, a broken one
# refused with its line and column.
. "$(dirname "$0")/lib.sh"

"$GEN" fixture 7 >"$T/fixture.jsonl"
write_config
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null || fail "send fixture"

report() { "$LAWTALLY" report --endpoint "$QUERY" "$@"; }
has() { # FILE TEXT WHAT
	grep -qF -- "$2" "$1" || fail "$3: '$2' not in $1: $(head -c 2000 "$1")"
}

report --year 2024 >"$T/zh.txt" || fail "lawtally report exited $?"
curl -sf "http://$HTTP/v1/report?year=2024" >"$T/zh.http" || fail "GET /v1/report"
sentences=(
	"2024年涉行政诉讼3起，环境污染附带民事诉讼9起，无败诉情况"
	"2024年共开展培训12次"
	"排查化解矛盾纠纷326件，办理上级交办信访案件20件，镇访案件36件，省委巡视交办案件33件"
	"化解疑难信访案件15起"
	"开展普法宣传活动12次，发放资料8000多份，现场法律咨询985人次"
)
for s in "${sentences[@]}"; do
	has "$T/zh.txt" "$s" "CLI report"
	has "$T/zh.http" "$s" "HTTP report"
done
# the whole report: the four parts and the eight paragraphs of 二 with the
# seed's headings, the township's own work from its recorded events
for s in "鲁山县张良镇人民政府关于2024年法治政府建设情况的报告" \
	"一、2024年度党政主要负责人履行推进法治建设第一责任人职责，加强法治政府建设的有关情况" \
	"二、2024年推进法治政府建设主要举措与成效" "1.加强领导，全面履行政府职能。" \
	"2.依法行政，制度体系日益完善。" "3.强化督查，落实行政执法责任。" \
	"4.结合实际，完善服务型执法体系。" "5.制约权力，有效监督执法行为。" \
	"6.信息畅通，政务公开不断提升。" "7.化解纠纷，全力维护社会稳定。" \
	"8.法治宣传，提高依法行政能力。" \
	"三、2024年推进法治政府建设主要存在的不足、原因和问题整改情况" \
	"四、2025年度推进法治政府建设的初步安排" \
	"而维护日常执法工作仅3人" "2024年法治政府建设任务：部署9项，完成5项" \
	"据记录，2024年规范性文件：制定3件，审查3件，登记3件，备案3件" \
	"监督反馈：听取“两代表一委员”意见2件" "2024年政务公开：22次" \
	"社区矫正人员法律知识培训：4次" "《民法典》3次" \
	"反馈问题整改：6个，已整改5个"; do
	has "$T/zh.txt" "$s" "the whole report"
done
grep -q "本年未记录" "$T/zh.txt" && fail "the fixture's report says 本年未记录: $(grep -o '.\{20\}本年未记录' "$T/zh.txt")"
# the enforcement figures agree with the totals
actions=$(total enforcement.actions)
straw=$(total enforcement.actions campaign STRAW_BURNING)
inspections=$(total enforcement.actions action INSPECTION)
recorded=$(total enforcement.recorded)
share=$(awk -v r="$recorded" -v a="$actions" 'BEGIN { printf "%.1f%%", r * 100 / a }')
has "$T/zh.txt" "共开展执法行为${actions}次，其中秸秆禁烧${straw}次" "enforcement"
has "$T/zh.txt" "其中检查${inspections}次" "enforcement by action"
has "$T/zh.txt" "有执法过程记录的${recorded}次，占${share}。" "share with a process record"
# the same document both ways, but for the minute it was made in
grep -v "生成于" "$T/zh.txt" >"$T/a" && grep -v "生成于" "$T/zh.http" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "CLI and HTTP reports differ: $(diff "$T/a" "$T/b" | head -5)"
has "$T/zh.txt" "附录一　2024年各村分项数据" "appendix by village"
has "$T/zh.txt" "附录二　2024年分月数据" "appendix by month"
has "$T/zh.txt" "centre-ZL07" "appendix of senders"

report --year 2024 --lang en >"$T/en.txt"
has "$T/en.txt" "In 2024 the town was party to 3 administrative lawsuits and 9 civil claims attached to criminal prosecutions for environmental pollution, and lost none of them." "English"
has "$T/en.txt" "326 conflicts and disputes were investigated and resolved, 20 petition cases assigned by higher levels were handled, 36 petition cases came to the township, and 33 cases were assigned by the provincial Party committee's inspection tour." "English"
has "$T/en.txt" "12 publicity activities were held, more than 8,000 copies of materials were handed out, and legal advice was given on site 985 person-times." "English"
# one number format in English: amounts with separators and in yuan, like counts
has "$T/en.txt" "agreement amounts 102,421.00 yuan" "English amounts"

report --year 2024 --format markdown >"$T/md"
has "$T/md" "## 数据说明" "Markdown heading"
has "$T/md" "| --- |" "Markdown table"
curl -sf "http://$HTTP/v1/report?year=2024&format=json&lang=en" >"$T/json"
assert_eq 326 "$(jq '.figures["disputes.resolved"].value' "$T/json")" "JSON figure"
assert_eq 3 "$(jq '.figures["lawsuits.filed"].kind.ADMINISTRATIVE' "$T/json")" "JSON dimension"
assert_eq live "$(jq -r .figures_are "$T/json")" "JSON figures_are"
assert_eq "$(total disputes.resolved village ZL07)" "$(jq '.by_village.ZL07["disputes.resolved"]' "$T/json")" "JSON by village"
curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/v1/report?year=2024&format=pdf" >"$T/code"
assert_eq 400 "$(cat "$T/code")" "a bad format"
set +e
report --year 2024 --lang fr >/dev/null 2>"$T/err"; rc=$?
set -e
assert_eq 2 "$rc" "a bad language"
has "$T/err" "lang: zh or en" "the reason"

# the monthly statistics of June agree with the totals by month
report --month 2024-06 >"$T/june.txt"
has "$T/june.txt" "张良镇人民调解工作统计月报" "monthly title"
curl -sf "http://$HTTP/v1/report?month=2024-06&format=json" >"$T/june.json"
month_total() { # METRIC YEAR MONTH
	curl -sf "http://$HTTP/v1/totals?year=$2&metric=$1&by=month" |
		jq --argjson m "$3" '[.rows[] | select(.month == $m) | .value] | add // 0'
}
row() { jq --arg i "$1" --arg p "$2" '.rows[] | select(.item == $i) | .[$p]' "$T/june.json"; }
assert_eq "$(month_total disputes.registered 2024 6)" "$(row registered month)" "June accepted"
assert_eq "$(month_total disputes.registered 2024 5)" "$(row registered month_before)" "May accepted"
assert_eq "$(month_total disputes.resolved 2024 6)" "$(row resolved month)" "June resolved"
assert_eq "$(month_total disputes.agreement_amount_fen 2024 6)" "$(row agreement_amount_fen month)" "June amounts"
assert_eq null "$(row registered a_year_earlier)" "June 2023: no data of 2023"
has "$T/june.txt" "无上年数据" "the monthly form without 2023"
has "$T/june.txt" "注：调解成功率 = 调解成功 ÷（调解成功 + 调解未成功）× 100%" "the rate's definition"
has "$T/june.txt" "各村调委会：2024年6月" "by village committee"
assert_eq "$(month_total disputes.escalated 2024 6)" "$(row escalated month)" "June escalated (上交)"
assert_eq "$(month_total disputes.open 2024 6)" "$(row open month)" "June still open (在办)"
# 排查 apart from 受理: the two add up to the registered with how they came in stated
invest=$(row investigated month) acc=$(row accepted month)
notstated=$(jq '[.rows[] | select(.item == "initiated_not_stated") | .month] | add // 0' "$T/june.json")
assert_eq "$(row registered month)" "$((invest + acc + notstated))" "排查 + 受理 + not stated"
zl07=$(jq '.villages[] | select(.village == "ZL07") | .month.resolved' "$T/june.json")
assert_eq "$(curl -sf "http://$HTTP/v1/totals?year=2024&metric=disputes.resolved&by=month&village=ZL07" |
	jq '[.rows[] | select(.month == 6) | .value] | add // 0')" "$zl07" "ZL07 resolved in June"
report --month 2024-06 --village ZL07 >"$T/zl07.txt"
has "$T/zl07.txt" "张良镇王岗村调委会人民调解工作统计月报" "one committee's form"
curl -s "http://$HTTP/v1/report?month=2024-06&village=XX99" >"$T/bad_village"
has "$T/bad_village" "village: not a configured village code" "an unknown committee"
ytd=$(curl -sf "http://$HTTP/v1/totals?year=2024&metric=disputes.registered&by=month" |
	jq '[.rows[] | select(.month <= 6) | .value] | add')
assert_eq "$ytd" "$(row registered year_to_date)" "accepted, year to date"
res=$(row resolved month) unres=$(row unresolved month)
rate=$(jq -n --argjson r "$res" --argjson d "$((res + unres))" '((($r * 2000 + $d) / (2 * $d)) | floor) / 10')
assert_eq "$rate" "$(row success_rate month)" "June success rate"
assert_eq "$(row registered month)" "$(jq '[.categories[].month] | add' "$T/june.json")" "categories add up"

# senders: when last heard and how many events a month
curl -sf "http://$HTTP/v1/senders" >"$T/senders.json"
assert_eq false "$(jq '[.senders[].silent] | any' "$T/senders.json")" "nobody silent yet"
zl07=$(jq -r 'select(.village == "ZL07" and .dispute) | .source' "$T/fixture.jsonl" | sort -u)
assert_eq centre-ZL07 "$zl07" "the fixture's ZL07 sender"
want=$(jq -r 'select(.source == "centre-ZL07") | .id' "$T/fixture.jsonl" | sort -u | wc -l)
assert_eq "$want" "$(jq '.senders[] | select(.sender == "centre-ZL07") | [.months[]] | add' "$T/senders.json")" "events of centre-ZL07"

# CSV for Excel: BOM, CRLF, the totals; raw events from this machine
curl -sf "http://$HTTP/v1/export/totals.csv?year=2024&by=kind&metric=lawsuits.filed" >"$T/kind.csv"
printf '\xef\xbb\xbfmetric,label,kind,kind_label,unit,value\r\nlawsuits.filed,涉诉案件,ADMINISTRATIVE,行政诉讼,起,3\r\nlawsuits.filed,涉诉案件,ENV_POLLUTION_CIVIL,环境污染附带民事诉讼,起,9\r\n' >"$T/kind.want"
cmp -s "$T/kind.csv" "$T/kind.want" || fail "totals CSV: $(od -c "$T/kind.csv" | head -5)"
"$LAWTALLY" export --endpoint "$QUERY" --year 2024 --by kind --metric lawsuits.filed --output "$T/kind.cli.csv"
cmp -s "$T/kind.csv" "$T/kind.cli.csv" || fail "lawtally export differs from GET"
"$LAWTALLY" export --endpoint "$QUERY" --year 2024 --events --output "$T/events.csv"
curl -sf "http://$HTTP/v1/export/events.csv?year=2024" >"$T/events.http.csv"
cmp -s "$T/events.csv" "$T/events.http.csv" || fail "events CSV: CLI and HTTP differ"
stored=$(curl -sf "http://$HTTP/healthz" | jq .events)
assert_eq "$((stored + 1))" "$(grep -c $'\r$' "$T/events.csv")" "one CRLF line per stored event and a header"
head -c 3 "$T/events.csv" | od -An -tx1 | grep -q "ef bb bf" || fail "events CSV without BOM"

# a lost lawsuit reads 败诉1起
printf '%s\n' '{"id":"0190c8e2-0000-7000-8000-00000000b001","occurred_at":"2024-12-20T10:00:00+08:00","source":"office-legal","lawsuit":{"case_id":"LOST-1","kind":"ADMINISTRATIVE","stage":"JUDGED","outcome":"LOST"}}' >"$T/lost.jsonl"
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/lost.jsonl" >/dev/null
report --year 2024 >"$T/lost.txt"
has "$T/lost.txt" "2024年涉行政诉讼3起，环境污染附带民事诉讼9起，败诉1起" "one lost"

# the office edits the template: SIGHUP reads it; a broken one is refused
mkdir "$T/tpl"
printf '## 测试\n今年调解成功{disputes.resolved}件。\n' >"$T/tpl/report.zh.txt"
write_config "[report]
templates = $T/tpl
silent_days = 30"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "^<6>reload: config" "$T/daemon.log"
report --year 2024 >"$T/edited.txt"
has "$T/edited.txt" "今年调解成功326件。" "edited template"
report --year 2024 --lang en >"$T/edited.en"
has "$T/edited.en" "326 conflicts and disputes were investigated and resolved" "English still built in"
printf '## 测试\n第二行\n调解{disputes.resolvd}件\n' >"$T/tpl/report.zh.txt"
kill -HUP "$DAEMON_PID"
wait_until 5 grep -qF "report templates: $T/tpl/report.zh.txt:3:4: unknown metric 'disputes.resolvd'; keeping the old config" "$T/daemon.log"
report --year 2024 >"$T/kept.txt"
has "$T/kept.txt" "今年调解成功326件。" "the template of before"
"$LAWTALLYD" --check-config -c "$T/lawtallyd.conf" >/dev/null 2>"$T/check" && fail "check-config accepted a broken template"
has "$T/check" "report.zh.txt:3:4: unknown metric" "check-config"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
