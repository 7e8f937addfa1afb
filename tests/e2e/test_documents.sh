#!/usr/bin/env bash
# The office's documents of the 2024 fixture, as the office uses them:
# - the report as a page to print (lawtally report --format html, GET
#   /v1/report?format=html): printed by Chromium (cdp.py, Page.printToPDF),
#   the page count and sizes checked, and its text in the PDF (pdftotext)
#   equal to the text report, every word inside its page;
# - the report as a Word document (--format docx): converted back to text by
#   LibreOffice headless, equal to the text report; headings in Word's styles;
# - the year as an Excel workbook (lawtally export --format xlsx, GET
#   /v1/export/totals.xlsx): read back by openpyxl, every sheet equal to
#   GET /v1/totals, amounts in yuan with a currency format, headers frozen;
# - the monthly form in HTML and Word; a binary document never to a terminal.
#
# REPORT_PAGE1=FILE also writes the printed report's first page as a PNG
# (docs/report-page1.png is made so).
. "$(dirname "$0")/lib.sh"

PYTHON=/usr/bin/python3 # Debian's, which python3-openpyxl belongs to
SAMETEXT=("$PYTHON" "$ROOT/tests/e2e/sametext.py")
for tool in chromium soffice pdftotext pdfinfo; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (make deps installs it)"
done
"$PYTHON" -c 'import openpyxl' 2>/dev/null || fail "python3-openpyxl is not installed (make deps)"

"$GEN" fixture 7 >"$T/fixture.jsonl"
write_config
start_daemon
"$LAWTALLY" send --endpoint "$INGEST" --file "$T/fixture.jsonl" >/dev/null || fail "send fixture"
report() { "$LAWTALLY" report --endpoint "$QUERY" "$@"; }
# The note says the minute a document was made: two documents may differ there
# (sametext.py compares without blanks: "2024-12-0310:00").
MADE='[0-9]{4}-[0-9]{2}-[0-9]{2}[0-9]{2}:[0-9]{2}'

# --- a page to print --------------------------------------------------------
report --year 2024 >"$T/report.txt"
report --year 2024 --format html --output "$T/report.html" || fail "report --format html"
curl -sf -D "$T/html.head" "http://$HTTP/v1/report?year=2024&format=html" >"$T/report.http.html" ||
	fail "GET /v1/report?format=html"
grep -qi '^content-type: text/html; charset=utf-8' "$T/html.head" || fail "HTML type: $(cat "$T/html.head")"
grep -qi "^content-security-policy: default-src 'none'; style-src 'unsafe-inline'" "$T/html.head" ||
	fail "HTML without its CSP"
cmp -s <(grep -v "生成于" "$T/report.html") <(grep -v "生成于" "$T/report.http.html") ||
	fail "CLI and HTTP HTML differ"
grep -q '<script' "$T/report.html" && fail "the page has a script"
grep -Eq '(src|href)=' "$T/report.html" && fail "the page loads something"
grep -q '@page { size: A4; margin: 37mm 26mm 35mm 28mm; }' "$T/report.html" ||
	fail "the page is not laid out on A4 with the GB/T 9704 margins"

steps=('wait:document.readyState === "complete"' "pdf:$T/report.pdf" noerrors)
python3 "$ROOT/tests/e2e/cdp.py" --log "$T/chromium.log" --timeout 20 \
	"http://$HTTP/v1/report?year=2024&format=html" "${steps[@]}" >/dev/null ||
	fail "printing the report in Chromium: $(tail -n 1 "$T/chromium.log")"
pdfinfo -f 1 -l 100 "$T/report.pdf" >"$T/pdfinfo"
# 7 portrait pages (the whole report, 一 to 四, and the note), 7 landscape pages of appendices (the month table holds every metric)
assert_eq 14 "$(awk '/^Pages:/ { print $2 }' "$T/pdfinfo")" "printed pages"
assert_eq "7 7" "$(awk '/^Page .* size:/ { if ($4 < $6) p++; else l++ } END { print p + 0, l + 0 }' \
	"$T/pdfinfo")" "portrait and landscape A4 pages"
grep -q "^Page    1 size: *594.96 x 841.92 pts (A4)" "$T/pdfinfo" || fail "page 1 is not A4: $(grep 'Page    1' "$T/pdfinfo")"
pdftotext -raw "$T/report.pdf" "$T/report.pdf.txt"
"${SAMETEXT[@]}" --drop-page-numbers --repeated-headers --ignore "$MADE" \
	"$T/report.txt" "$T/report.pdf.txt" || fail "the printed report says something else than the text"
grep -q "— 14 —" "$T/report.pdf.txt" || fail "no page number on the last page"
# no word cut at a page's edge: every word's box inside its page
pdftotext -bbox "$T/report.pdf" "$T/report.bbox.html"
"$PYTHON" - "$T/report.bbox.html" <<'PY' || fail "text outside its page"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
bad, words = [], 0
for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
    w, h = float(page.group(1)), float(page.group(2))
    for m in re.finditer(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)', page.group(3)):
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        words += 1
        if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
            bad.append(m.group(5))
if bad or not words:
    sys.exit("%d of %d words outside their page: %s" % (len(bad), words, " ".join(bad[:10])))
PY
if [ -n "${REPORT_PAGE1:-}" ]; then
	pdftoppm -r 110 -png -f 1 -l 1 -singlefile "$T/report.pdf" "${REPORT_PAGE1%.png}" ||
		fail "pdftoppm"
fi

# --- a Word document ----------------------------------------------------------
report --year 2024 --format docx --output "$T/report.docx" || fail "report --format docx"
curl -sf -D "$T/docx.head" "http://$HTTP/v1/report?year=2024&format=docx" >"$T/report.http.docx" ||
	fail "GET /v1/report?format=docx"
grep -qi '^content-type: application/vnd.openxmlformats-officedocument.wordprocessingml.document' \
	"$T/docx.head" || fail "docx type: $(cat "$T/docx.head")"
grep -qi '^content-disposition: attachment; filename="lawtally-report.docx"' "$T/docx.head" ||
	fail "docx without a file name"
xml() { "$PYTHON" -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' "$@"; }
cmp -s <(xml "$T/report.docx" word/document.xml | sed -E "s/(生成于)[^<]*/\1/") \
	<(xml "$T/report.http.docx" word/document.xml | sed -E "s/(生成于)[^<]*/\1/") ||
	fail "CLI and HTTP docx differ"
xml "$T/report.docx" word/document.xml >"$T/document.xml"
assert_eq 1 "$(grep -o '<w:pStyle w:val="Title"/>' "$T/document.xml" | wc -l)" "the title's style"
# 一、二、三、四, the note and four appendices
assert_eq 9 "$(grep -o '<w:pStyle w:val="Heading1"/>' "$T/document.xml" | wc -l)" "headings in Heading 1"
xml "$T/report.docx" word/styles.xml | grep -q '<w:name w:val="heading 1"/>' ||
	fail "no Heading 1 style"
report --year 2024 >"$T/report.txt"
mkdir "$T/lo"
HOME=$T/lo timeout 120 soffice -env:UserInstallation="file://$T/lo/profile" --headless \
	--convert-to "txt:Text (encoded):UTF8" --outdir "$T/lo" "$T/report.docx" >"$T/lo.log" 2>&1 ||
	fail "LibreOffice: $(tail -n 3 "$T/lo.log")"
[ -s "$T/lo/report.txt" ] || fail "LibreOffice wrote no text: $(tail -n 3 "$T/lo.log")"
"${SAMETEXT[@]}" --ignore "$MADE" "$T/report.txt" "$T/lo/report.txt" ||
	fail "the Word document says something else than the text report"
set +e
script -qec "'$LAWTALLY' report --endpoint '$QUERY' --year 2024 --format docx" /dev/null \
	>"$T/tty.out" 2>&1
rc=$?
set -e
assert_eq 2 "$rc" "docx to a terminal"
grep -q "a docx document is binary: write it to a file with -o FILE" "$T/tty.out" ||
	fail "docx to a terminal: $(cat "$T/tty.out")"

# --- an Excel workbook ----------------------------------------------------------
"$LAWTALLY" export --endpoint "$QUERY" --year 2024 --format xlsx --month 2024-06 \
	--output "$T/book.xlsx" || fail "export --format xlsx"
curl -sf -D "$T/xlsx.head" "http://$HTTP/v1/export/totals.xlsx?year=2024&month=2024-06" \
	>"$T/book.http.xlsx" || fail "GET /v1/export/totals.xlsx"
grep -qi '^content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' \
	"$T/xlsx.head" || fail "xlsx type: $(cat "$T/xlsx.head")"
for by in "" month village category initiated origin venue kind campaign action; do
	curl -sf "http://$HTTP/v1/totals?year=2024${by:+&by=$by}" >"$T/totals.$by.json"
done
curl -sf "http://$HTTP/v1/report?month=2024-06&format=json" >"$T/june.json"
for book in "$T/book.xlsx" "$T/book.http.xlsx"; do
	"$PYTHON" - "$book" "$T" <<'PY' || fail "the workbook $book differs from /v1/totals"
import json, sys
import openpyxl
book, t = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(book)
def totals(by):
    return json.load(open("%s/totals.%s.json" % (t, by)))["rows"]
def want(v, metric):  # amounts in fen over the wire, in yuan in the workbook
    return v / 100 if metric.endswith("_fen") else v
def check(what, got, expect):
    if got != expect:
        sys.exit("%s: %r in the workbook, %r in /v1/totals" % (what, got, expect))
YUAN = "[$\u00a5-804]#,##0.00"
assert wb.sheetnames == ["年度合计", "分月", "分村", "分类", "月报"], wb.sheetnames
# the year totals
ws = wb["年度合计"]
check("year header", [c.value for c in ws[1]], ["指标", "名称", "单位", "全年"])
check("year frozen", ws.freeze_panes, "A2")
rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
for r in totals(""):
    check("year " + r["metric"], rows[r["metric"]][3], want(r["value"], r["metric"]))
amount = [c for c in ws["A"] if c.value == "disputes.agreement_amount_fen"][0].row
check("amount format", ws.cell(amount, 4).number_format, YUAN)
check("amount unit", ws.cell(amount, 3).value, "元")
check("registered", rows["disputes.registered"][1:3], ("受理矛盾纠纷", "件"))
# by month
ws = wb["分月"]
check("month header", [c.value for c in ws[1]][:4], ["指标", "名称", "1月", "2月"])
check("month frozen", ws.freeze_panes, "C2")
grid = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
seen = set()
for r in totals("month"):
    check("%s in month %d" % (r["metric"], r["month"]), grid[r["metric"]][r["month"] + 1],
          want(r["value"], r["metric"]))
    seen.add((r["metric"], r["month"]))
for m, row in grid.items():
    for mo in range(1, 13):
        if (m, mo) not in seen:
            check("%s in month %d" % (m, mo), row[mo + 1], 0)
# by village, with names
ws = wb["分村"]
check("village frozen", ws.freeze_panes, "C3")
metrics = [c.value for c in ws[2]][2:]
byv = {r[0] or "": r for r in ws.iter_rows(min_row=3, values_only=True)}
check("ZL07's name", byv["ZL07"][1], "王岗村")
check("the township level", byv[""][1], "镇级")
for r in totals("village"):
    check("%s of %s" % (r["metric"], r["village"] or "the township"),
          byv[r["village"]][2 + metrics.index(r["metric"])], want(r["value"], r["metric"]))
# by category: every dimension of every metric
ws = wb["分类"]
cat = {(r[0], r[2], r[3]): r[5] for r in ws.iter_rows(min_row=2, values_only=True)}
n = 0
for by in ("category", "initiated", "origin", "venue", "kind", "campaign", "action"):
    for r in totals(by):
        if r[by] == "UNSPECIFIED" and not r["value"]:
            continue
        check("%s %s=%s" % (r["metric"], by, r[by]), cat.get((r["metric"], by, r[by]), 0),
              want(r["value"], r["metric"]))
        n += 1
check("some dimensions", n > 100, True)
# the monthly form of June
ws = wb["月报"]
check("form title", ws["A1"].value, "张良镇人民调解工作统计月报")
june = json.load(open(t + "/june.json"))
form = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
for row in june["rows"]:
    label = row["label"] + ("" if row["item"] == "success_rate" else
                            "（元）" if row["item"] == "agreement_amount_fen" else
                            "（人）" if row["item"].endswith("_people") else "（件）")
    if row["item"] != "success_rate":
        check("form " + row["item"], form[label][1], want(row["month"], row["item"]))
check("form before", form["登记纠纷合计（件）"][4], "无上年数据")
check("form frozen", ws.freeze_panes is not None, True)
check("committee ZL07", form["ZL07"][1], "王岗村")
PY
done

# --- the monthly form in HTML and Word ---------------------------------------
report --month 2024-06 --format html --output "$T/june.html" || fail "monthly --format html"
for s in "<h1>张良镇人民调解工作统计月报</h1>" "无上年数据" "各村调委会：2024年6月" "<th>排查</th>" \
	"注：调解成功率 = 调解成功 ÷（调解成功 + 调解未成功）× 100%"; do
	grep -qF -- "$s" "$T/june.html" || fail "monthly HTML: '$s' missing"
done
curl -sf -o "$T/june.docx" -D "$T/june.head" "http://$HTTP/v1/report?month=2024-06&format=docx"
grep -qi 'filename="lawtally-monthly.docx"' "$T/june.head" || fail "monthly docx: $(cat "$T/june.head")"
xml "$T/june.docx" word/document.xml | grep -q '各村调委会：2024年6月' || fail "monthly docx"
stop_daemon TERM || fail "daemon exited $? on SIGTERM"
