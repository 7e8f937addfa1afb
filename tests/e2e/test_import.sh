#!/usr/bin/env bash
# Ledger import: the sample ledger of 王岗村 (tests/data/ledger-zl07.csv, as
# Excel saves "CSV UTF-8") and a GB18030 copy of it (as Excel saves plain
# "CSV" on a Chinese Windows) give the ledger's figures; importing either
# again adds nothing; a broken copy reports its bad rows by line and
# column and imports the others.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log" # start_daemon reads it before the daemon has made it

LEDGER=$ROOT/tests/data/ledger-zl07.csv
SPOOL=$T/spool
start_daemon

# by_village METRIC VILLAGE: the 2024 figure of one village
by_village() { total "$1" village "$2"; }

# the ledger's figures: 16 cases, 11 resolved, 2 passed up, 1 not resolved,
# 2 still in mediation; 56,100.00 yuan agreed; 2 prevented from turning
# criminal; 2 group petitions prevented, 17 people
check_ledger() { # VILLAGE
	assert_eq 16 "$(by_village disputes.registered "$1")" "$1 disputes.registered"
	assert_eq 11 "$(by_village disputes.resolved "$1")" "$1 disputes.resolved"
	assert_eq 2 "$(by_village disputes.escalated "$1")" "$1 disputes.escalated"
	assert_eq 1 "$(by_village disputes.unresolved "$1")" "$1 disputes.unresolved"
	assert_eq 2 "$(by_village disputes.open "$1")" "$1 disputes.open"
	assert_eq 5610000 "$(by_village disputes.agreement_amount_fen "$1")" "$1 agreement amount"
	assert_eq 2 "$(by_village disputes.prevented_criminal "$1")" "$1 prevented_criminal"
	assert_eq 17 "$(by_village disputes.prevented_group_petition_people "$1")" "$1 people"
}

import() { # FILE VILLAGE
	"$LAWTALLY" import --csv "$1" --village "$2" --spool "$SPOOL" --endpoint "$INGEST" --timeout 10
}

out=$(import "$LEDGER" ZL07) || fail "import exited $?: $out"
grep -q "ledger-zl07.csv (UTF-8 with BOM): 16 cases, 30 events; 0 bad rows, 2 rows skipped" \
	<<<"$out" || fail "import said: $out"
grep -q "delivered: 30 accepted, 0 duplicate, 0 rejected; 0 left" <<<"$out" || fail "import said: $out"
check_ledger ZL07
assert_eq 4 "$(total disputes.registered category NEIGHBOUR)" "neighbour disputes (邻里纠纷)"
assert_eq 1 "$(total disputes.resolved month 2)" "resolved in February"

# the same file again: every event is a duplicate, nothing changes
before=$(snapshot)
out=$(import "$LEDGER" ZL07) || fail "re-import exited $?: $out"
grep -q "delivered: 0 accepted, 30 duplicate, 0 rejected" <<<"$out" || fail "re-import said: $out"
assert_eq "$before" "$(snapshot)" "totals after importing the ledger again"

# the GB18030 copy (Excel's "CSV" on a Chinese Windows has no BOM), for another village
tail -c +4 "$LEDGER" | iconv -f UTF-8 -t GB18030 >"$T/ledger-gb18030.csv"
if iconv -f UTF-8 -t UTF-8 "$T/ledger-gb18030.csv" >/dev/null 2>&1; then
	fail "the GB18030 copy is valid UTF-8: it tests nothing"
fi
out=$(import "$T/ledger-gb18030.csv" ZL08) || fail "GB18030 import exited $?: $out"
grep -q "(GB18030): 16 cases, 30 events" <<<"$out" || fail "GB18030 import said: $out"
check_ledger ZL08
before=$(snapshot)
import "$T/ledger-gb18030.csv" ZL08 >/dev/null || fail "GB18030 re-import exited $?"
assert_eq "$before" "$(snapshot)" "totals after importing the GB18030 copy again"

# a broken copy: an unknown dispute type on line 9, an impossible date on line 11
sed -e 's/郑某某、冯某某,损害赔偿纠纷/郑某某、冯某某,打架纠纷/' \
	-e 's|2024/6/3,WG2024-008|2024/6/31,WG2024-008|' "$LEDGER" >"$T/broken.csv"
rc=0
import "$T/broken.csv" ZL09 >"$T/broken.out" 2>"$T/broken.err" || rc=$?
assert_eq 1 "$rc" "import of a broken ledger: exit status"
assert_eq "$T/broken.csv:9: column E (纠纷类型): unknown dispute type \"打架纠纷\"; one of: 婚姻家庭, 邻里, 房屋宅基地, 合同, 生产经营, 损害赔偿, 山林土地, 征地拆迁, 环境污染, 劳动争议, 消费, 医疗, 道路交通事故, 物业, 其他" \
	"$(sed -n 1p "$T/broken.err")" "first bad row"
assert_eq "$T/broken.csv:11: column B (受理日期): \"2024/6/31\" is not a date (2024-03-05, 2024/3/5 or 2024年3月5日)" \
	"$(sed -n 2p "$T/broken.err")" "second bad row"
grep -q "14 cases, 26 events; 2 bad rows" "$T/broken.out" || fail "broken import said: $(cat "$T/broken.out")"
assert_eq 14 "$(by_village disputes.registered ZL09)" "ZL09 disputes.registered"

# a file without a ledger header is refused whole
printf 'a,b,c\n1,2,3\n' >"$T/nothing.csv"
rc=0
import "$T/nothing.csv" ZL10 >/dev/null 2>"$T/nothing.err" || rc=$?
assert_eq 2 "$rc" "import of a file without a header: exit status"
grep -q "nothing.csv: no header row (日期, 案件编号, 纠纷类型, ... or 日期, 培训内容, 参训人数)" "$T/nothing.err" || fail "$(cat "$T/nothing.err")"

# --dry-run reads and reports, sends nothing
before=$(snapshot)
out=$("$LAWTALLY" import --dry-run --csv "$LEDGER" --village ZL11 --spool "$SPOOL") ||
	fail "dry run exited $?"
grep -q "16 cases, 30 events" <<<"$out" || fail "dry run said: $out"
assert_eq "$before" "$(snapshot)" "totals after a dry run"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
