#!/usr/bin/python3
"""ledger_workbook.py OUT.xlsx [--kind dispute|training] - a village ledger (台账) as
Excel keeps it, written by python3-openpyxl: a merged title row, a village column
merged down the whole sheet, registration dates merged over cases of the same day,
dates as date cells (one as a bare day number, one with a time) and as text in
full-width digits, amounts as numbers formatted with thousands separators and as
text with them, a count of 1,200 people, a blank row and a 合计 row at the foot.

The dispute ledger holds 8 cases of 王岗村 in 2024: registered 8 (2 in January,
2 in April, both pairs on merged dates), resolved 5, escalated 1, not resolved 1,
open 1; 43,300.00 yuan agreed; 1 group petition prevented, 1,200 people.
The training ledger holds 3 trainings: of mediators (专职调解员, 调解员) 35 + 8 = 43
attending, and of villagers (村民) 1,200.
tests/e2e/test_import_xlsx.sh imports both and checks those figures."""
import datetime
import sys

import openpyxl

D = datetime.date
NUMBER = "#,##0.00"
DATE = "yyyy/m/d"


def disputes(ws):
    ws["A1"] = "王岗村矛盾纠纷排查化解台账（２０２４年度）"
    ws.merge_cells("A1:L1")
    ws.append(["序号", "村名", "受理日期", "案件编号", "当事人", "纠纷类型", "受理方式",
               "调解日期", "调解结果", "协议金额（元）", "防止群体性上访", "涉及人数"])
    rows = [
        [1, "王岗村", D(2024, 1, 8), "ＷＧ２０２４－００１", "张某某", "邻里纠纷", "主动排查",
         D(2024, 1, 15), "调解成功", 2400, "否", None],
        [2, None, None, "WG2024-002", "李某某", "婚姻家庭纠纷", "申请调解", "２０２４／１／２０",
         "调解成功", "１，５００．００", "否", None],
        [3, None, "2024年3月5日", "WG2024-003", "王某某", "山林土地纠纷", "委托移送",
         D(2024, 3, 20), "调解成功", "36,000.00", "是", "1,200"],
        [4, None, D(2024, 4, 2), "WG2024-004", "赵某某", "房屋宅基地纠纷", "申请",
         D(2024, 4, 16), "上交", None, "否", None],
        [5, None, None, "WG2024-005", "钱某某", "合同纠纷", "申请调解", D(2024, 5, 30),
         "调解不成功", None, "否", None],
        [6, None, 45488, "WG2024-006", "孙某某", "劳动争议", "委托移送", None, "调解中", None,
         "否", None],
        [7, None, D(2024, 8, 6), "WG2024-007", "周某某", "道路交通事故纠纷", "申请调解",
         D(2024, 8, 8), "调解成功", 3200, "否", None],
        [8, None, D(2024, 12, 2), "WG2024-008", "吴某某", "邻里纠纷", "主动排查",
         datetime.datetime(2024, 12, 3, 16, 0), "调解成功", 200, "否", None],
    ]
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=3, max_row=10):
        for cell in row:
            if isinstance(cell.value, (datetime.date, int)) and cell.column_letter in "CH":
                cell.number_format = DATE
            if cell.column_letter == "J" and isinstance(cell.value, int):
                cell.number_format = NUMBER
    ws["H10"].number_format = "yyyy/m/d h:mm"
    ws.merge_cells("B3:B10")
    ws.merge_cells("C3:C4")
    ws.merge_cells("C6:C7")
    ws.append([])
    ws.append(["合计", None, None, None, None, None, None, None, None, 43300])
    ws["J12"].number_format = NUMBER


def trainings(ws):
    ws.append(["王岗村普法培训台账"])
    ws.merge_cells("A1:E1")
    ws.append(["编号", "培训日期", "培训对象", "培训内容", "参训人数", "主讲人"])
    ws.append(["PX-1", D(2024, 3, 8), "专职调解员", "人民调解员业务培训", "35人", "司法所"])
    ws.append(["PX-2", None, "村民", "民法典进村", "１，２００", "律师"])
    ws.append(["PX-3", "２０２４年６月１日", "调解员", "反诈宣讲", 8, "派出所"])
    ws.merge_cells("B3:B4")
    ws["B3"].number_format = DATE


def main():
    out = sys.argv[1]
    kind = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--kind" else "dispute"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账" if kind == "dispute" else "培训"
    (disputes if kind == "dispute" else trainings)(ws)
    notes = wb.create_sheet("说明")
    notes["A1"] = "填表说明：日期按 2024/3/5 填写。"
    wb.save(out)


main()
