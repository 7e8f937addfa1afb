#!/usr/bin/env bash
# Ledgers as Excel writes them: a workbook made by python3-openpyxl
# (tests/tools/ledger_workbook.py: merged village and date cells, full-width
# digits, thousands separators, dates as cells and as text) imported with
# --xlsx and by its extension gives the ledger's figures and nothing twice;
# the same ledger saved as "Unicode text" (UTF-16, tabs) gives the sample's;
# a case twice at one stage is flagged with both lines; a zip bomb and an
# old .xls are refused with one line each.
. "$(dirname "$0")/lib.sh"
: >"$T/daemon.log"

PY=/usr/bin/python3 # Debian's, with python3-openpyxl
SPOOL=$T/spool
start_daemon
"$PY" "$ROOT/tests/tools/ledger_workbook.py" "$T/王岗村台账.xlsx"
"$PY" "$ROOT/tests/tools/ledger_workbook.py" "$T/培训.xlsx" --kind training

import() { # ARGS...
	"$LAWTALLY" import --spool "$SPOOL" --endpoint "$INGEST" --timeout 10 "$@"
}
month() { total "$1" month "$2"; }

out=$(import --xlsx "$T/王岗村台账.xlsx" --village 王岗村) || fail "import exited $?: $out"
grep -q "王岗村台账.xlsx (Excel workbook, sheet 台账): 8 cases, 15 events; 0 bad rows, 1 rows skipped" \
	<<<"$out" || fail "import said: $out"
grep -q "delivered: 15 accepted, 0 duplicate, 0 rejected; 0 left" <<<"$out" || fail "import said: $out"
grep -q "^8 rows new, 0 rows counted before" <<<"$out" || fail "import said: $out"
# the workbook's figures
assert_eq 8 "$(total disputes.registered village ZL07)" "registered"
assert_eq 5 "$(total disputes.resolved village ZL07)" "resolved"
assert_eq 1 "$(total disputes.escalated village ZL07)" "escalated"
assert_eq 1 "$(total disputes.unresolved village ZL07)" "not resolved"
assert_eq 1 "$(total disputes.open village ZL07)" "open"
assert_eq 4330000 "$(total disputes.agreement_amount_fen village ZL07)" "agreed (43,300.00 yuan)"
assert_eq 1 "$(total disputes.prevented_group_petition village ZL07)" "group petitions prevented"
assert_eq 1200 "$(total disputes.prevented_group_petition_people village ZL07)" "people (1,200)"
# the merged dates: cases 1 and 2 on 2024-01-08, cases 4 and 5 on 2024-04-02
assert_eq 2 "$(month disputes.registered 1)" "registered in January (merged date)"
assert_eq 2 "$(month disputes.registered 4)" "registered in April (merged date)"
assert_eq 1 "$(month disputes.resolved 12)" "resolved in December (a date with a time)"
assert_eq 2 "$(total disputes.registered category NEIGHBOUR)" "neighbour disputes (邻里纠纷)"

# again, by its extension and the village's code in lower case: nothing new
before=$(snapshot)
out=$(import "$T/王岗村台账.xlsx" --village zl07) || fail "re-import exited $?: $out"
grep -q "delivered: 0 accepted, 15 duplicate, 0 rejected" <<<"$out" || fail "re-import said: $out"
grep -q "^all 8 rows were counted before (imported already): nothing new, nothing counted twice" \
	<<<"$out" || fail "re-import said: $out"
assert_eq "$before" "$(snapshot)" "totals after importing the workbook again"

# the first case typed half-width in a CSV is the same case: counted before
printf '日期,案件编号,纠纷类型,调解结果,调解日期\n2024/1/8,WG2024-001,邻里纠纷,调解成功,2024/1/15\n' \
	>"$T/half.csv"
out=$(import "$T/half.csv" --village 王岗) || fail "half-width import exited $?: $out"
grep -q "^all 1 rows were counted before" <<<"$out" || fail "half-width import said: $out"

# the dry run: every row's outcome, nothing sent
"$LAWTALLY" import --dry-run "$T/王岗村台账.xlsx" --village ZL07 --spool "$SPOOL" >"$T/dry.out" ||
	fail "dry run exited $?: $(cat "$T/dry.out")"
grep -q "王岗村台账.xlsx:4: WG2024-002 婚姻家庭: 受理 2024-01-08, 调解成功 2024-01-20, agreed 1,500.00 yuan" \
	"$T/dry.out" || fail "dry run said: $(cat "$T/dry.out")"
grep -q "王岗村台账.xlsx:12: skipped: a total row" "$T/dry.out" || fail "dry run said: $(cat "$T/dry.out")"
assert_eq 10 "$(wc -l <"$T/dry.out")" "dry run: 8 cases, the total row, the summary"
# a village column naming another village: every row refused
rc=0
"$LAWTALLY" import --dry-run "$T/王岗村台账.xlsx" --village ZL09 --spool "$SPOOL" >/dev/null 2>"$T/other.err" || rc=$?
assert_eq 1 "$rc" "import for another village than the ledger's"
assert_eq 8 "$(grep -c 'column B (村名): "王岗村" is another village than the one imported for' "$T/other.err")" \
	"rows of another village"

# trainings by audience (培训对象): mediators 35 + 8, villagers 1,200
out=$(import "$T/培训.xlsx" --kind training --village 王岗村) || fail "training import exited $?: $out"
assert_eq 2 "$(total trainings.sessions village ZL07)" "trainings of mediators"
assert_eq 43 "$(total trainings.attendees village ZL07)" "mediators trained"
assert_eq 1 "$(total trainings.others village ZL07)" "trainings of villagers"
assert_eq 1200 "$(total trainings.others_attendees village ZL07)" "villagers trained"

# Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated
"$PY" - "$ROOT/tests/data/ledger-zl07.csv" "$T/ledger.txt" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
with open(sys.argv[2], "w", encoding="utf-16", newline="") as f:
    csv.writer(f, delimiter="\t", lineterminator="\r\n").writerows(rows)
PY
out=$(import "$T/ledger.txt" --village ZL08) || fail "Unicode text import exited $?: $out"
grep -q "ledger.txt (UTF-16LE, tab-separated): 16 cases, 30 events; 0 bad rows, 2 rows skipped" \
	<<<"$out" || fail "Unicode text import said: $out"
assert_eq 16 "$(total disputes.registered village ZL08)" "ZL08 registered"
assert_eq 5610000 "$(total disputes.agreement_amount_fen village ZL08)" "ZL08 amount"

# one case twice at one stage: the second row is flagged with both lines
printf '日期,案件编号,纠纷类型,调解结果\n2024/2/1,D-1,邻里,调解成功\n2024/2/1,D-2,合同,受理\n2024/2/3,D-1,邻里,调解成功\n' \
	>"$T/twice.csv"
rc=0
import "$T/twice.csv" --village ZL10 >"$T/twice.out" 2>"$T/twice.err" || rc=$?
assert_eq 1 "$rc" "import with a case twice"
assert_eq "$T/twice.csv:4: column B (案件编号): case D-1, 调解成功, is on line 2 and again on line 4; this row is left out" \
	"$(cat "$T/twice.err")" "the case twice"
assert_eq 1 "$(total disputes.resolved village ZL10)" "ZL10 resolved once"

# refused whole, with one line: a zip bomb, an old .xls, a CSV named .xlsx
"$PY" - "$T/bomb.xlsx" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="t" Target="worksheets/sheet1.xml"/></Relationships>')
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        f.write(b"<worksheet>")
        blank = b" " * (1 << 20)
        for _ in range(260):
            f.write(blank)
PY
[ "$(stat -c %s "$T/bomb.xlsx")" -lt 1000000 ] || fail "the bomb is not small"
expect_refusal() { # FILE LINE
	local rc=0
	"$LAWTALLY" import "$1" --village ZL11 --spool "$SPOOL" >/dev/null 2>"$T/refused.err" || rc=$?
	assert_eq 2 "$rc" "exit status for $1"
	assert_eq "$2" "$(cat "$T/refused.err")" "refusal of $1"
}
expect_refusal "$T/bomb.xlsx" "lawtally import: $T/bomb.xlsx: xl/worksheets/sheet1.xml unpacks to more than 256 MiB; refused (a damaged file or a zip bomb)"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1old' >"$T/old.xls"
expect_refusal "$T/old.xls" "lawtally import: $T/old.xls: an Excel 97-2003 .xls or a workbook with a password: save it as an Excel workbook (.xlsx) without a password"
cp "$ROOT/tests/data/ledger-zl07.csv" "$T/renamed.xlsx"
expect_refusal "$T/renamed.xlsx" "lawtally import: $T/renamed.xlsx: not an Excel workbook (.xlsx is a zip file; this is not one)"
assert_eq 0 "$(total disputes.registered village ZL11)" "nothing imported from refused files"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
