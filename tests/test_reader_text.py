"""The text-export reader on the five corpus drafts: structure counts checked by hand, and spot
values for every quirk of the exports (see ../shared/README.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from auditor.readers import ReadError, read_document
from auditor.readers.assemble import split_goals, strip_heading
from auditor.readers.text import lex_text
from auditor.values import parse_value

EXPECTED = {  # projects, project indicator rows, checked by hand
    "000": (6, 36),
    "001": (11, 99),
    "002": (17, 117),
    "003": (34, 242),
    "004": (9, 73),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_project_and_indicator_counts(drafts, key):
    doc = drafts[key]
    projects, rows = EXPECTED[key]
    assert len(doc.projects) == projects
    assert sum(len(p.indicators) for p in doc.projects) == rows
    assert [p.index for p in doc.projects] == list(range(1, projects + 1))


def test_department_code_name_and_year(drafts):
    seen = {k: (d.department_code, d.department, d.year, d.year_source) for k, d in drafts.items()}
    assert seen == {
        "000": ("441002", "临西县东留善固工业园区管理委员会", 2020, "text"),
        "001": ("926001", "河北定州经济开发区管理委员会本级", 2021, "project codes"),
        "002": ("479002", "河北乐亭经济开发区管理委员会", 2023, "title"),
        "003": (None, "河北永清经济开发区管理委员会", 2021, "title"),
        "004": ("803001", "临港商务区管理委员会本级", 2022, "text"),
    }
    assert drafts["002"].year_loc.line == 5
    assert drafts["003"].title == "2021年部门预算绩效文本"
    assert drafts["003"].year_loc.line == 9


def test_part_one_sections(drafts):
    doc = drafts["000"]
    assert [(s.kind, s.loc.line, len(s.items)) for s in doc.sections] == [
        ("overall_goals", 3, 6),
        ("area_goals", 18, 5),
        ("safeguards", 31, 5),
    ]
    assert doc.safeguards[0].text.startswith("1、招商引资：不轻易放过任何招商线索")
    assert doc.safeguards[-1].loc.line == 42


def test_part_one_repeated_in_002_and_003(drafts):
    kinds_002 = [(s.kind, s.loc.line, len(s.items)) for s in drafts["002"].sections]
    assert kinds_002 == [
        ("overall_goals", 64, 7),
        ("area_goals", 72, 29),
        ("area_goals", 102, 29),
        ("safeguards", 132, 1),
    ]
    first, second = drafts["002"].sections[1:3]
    assert [i.text for i in first.items] == [i.text for i in second.items]
    kinds_003 = [(s.kind, len(s.items)) for s in drafts["003"].sections]
    assert kinds_003 == [
        ("overall_goals", 1),
        ("area_goals", 21),
        ("safeguards", 13),
        ("overall_goals", 1),
        ("area_goals", 21),
        ("safeguards", 13),
    ]
    # the closing sentence belongs to the measures; the disclosure's captions do not
    assert "谱写韩村" in drafts["003"].sections[2].items[-1].text
    assert all("机构设置" not in i.text for i in drafts["003"].safeguards)
    assert all("部门整体支出绩效指标" not in i.text for i in drafts["003"].safeguards)


def test_cover_page_and_toc_of_002(drafts):
    doc = drafts["002"]
    assert len(doc.toc) == 20
    assert doc.toc[0].title == "一、总体绩效目标" and doc.toc[0].page == "1"
    assert doc.toc[-1].title == "17.污水处理厂运营补贴绩效目标表" and doc.toc[-1].page == "30"


def test_project_header_fields_000(drafts, line_of):
    p = drafts["000"].projects[0]
    assert p.heading == "1、光明养猪场基础设施建设绩效目标表"
    assert p.toc_field == "1、光明养猪场基础设施建设绩效目标表"
    assert p.code == "441-0601-YBN-2CCC"
    assert p.name == "光明养猪场基础设施建设"
    assert p.money_unit == "万元"
    assert p.department == "441002临西县东留善固工业园区管理委员会"
    assert p.budget.total.value == Decimal("50.00")
    assert p.budget.fiscal.value == Decimal("50.00")
    assert p.budget.other.value is None and p.budget.other.raw == ""
    assert line_of("000", p.loc_of("code").line) == "\t441-0601-YBN-2CCC"
    assert "首期款35万元" in p.purpose.text and p.purpose.loc.line == 64


def test_spending_plans(drafts):
    plan = drafts["000"].projects[1].spending_plan
    assert plan.unit == "%"
    assert [(pt.label, pt.raw, pt.value) for pt in plan.points] == [
        ("3月底", "", None),
        ("6月底", "", None),
        ("10月底", "75.00", Decimal("75.00")),
        ("12月底", "100.00", Decimal("100.00")),
    ]
    assert [pt.loc.line for pt in plan.points] == [161, 162, 163, 164]
    # 001 writes "25.00%" in the cells
    assert [pt.value for pt in drafts["001"].projects[0].spending_plan.points] == [25, 50, 75, 100]
    assert drafts["001"].projects[0].spending_plan.points[0].raw == "25.00%"
    # 002 writes money under a "（%）" header; project 3 has only a 10月底 figure
    p9 = drafts["002"].projects[8]
    assert p9.spending_plan.unit == "%"
    assert [pt.value for pt in p9.spending_plan.points][-1] == Decimal("200.52")
    assert p9.budget.total.value == Decimal("200.53")
    assert [pt.raw for pt in drafts["002"].projects[2].spending_plan.points] == ["", "", "150.00", ""]
    # 004 has padding cells between the labels: points still line up with their labels
    p6 = drafts["004"].projects[5]
    assert [(pt.label, pt.raw) for pt in p6.spending_plan.points] == [
        ("3月底", "25%"),
        ("6月底", "45%"),
        ("10月底", "80%"),
        ("12月底", "100%"),
    ]


def test_004_padding_cells_and_budget_text(drafts):
    p = drafts["004"].projects[5]
    assert p.code == "13020922P008HH010002P"
    assert p.name == "入区项目用海预审手续办理费用2022"
    assert p.budget.total.value == Decimal("126.61")
    assert p.purpose.text == "入区项目用海预审手续办理费用12.61万元"
    first = drafts["004"].projects[0].indicators[0]
    assert first.description == "购买设备数量\n1台"  # a cell continued on a line without the tab
    assert first.value.raw == "1台"
    assert first.basis == "年初预算安排"


def test_goals_are_split_into_numbered_items(drafts):
    assert [(g.number, g.text) for g in drafts["001"].projects[0].goals] == [
        ("1", "拨付企业预交款"),
        ("2", "拨付企业预交款"),
        ("3", "拨付企业预交款"),
    ]
    assert [g.loc.line for g in drafts["001"].projects[0].goals] == [71, 72, 73]
    goals_003 = drafts["003"].projects[0].goals
    assert [g.number for g in goals_003] == ["1", "2"]
    assert goals_003[1].text.startswith("通过及时发放编外人员工资")
    # an inner list stays inside its item
    inner = drafts["000"].projects[2].goals
    assert len(inner) == 2
    assert inner[0].text.startswith("产出目标：1、园区日常护理频率") and "2、绿化设备" in inner[0].text


def test_split_goals_edge_cases():
    assert split_goals("") == []
    assert split_goals("确保开发区生产安全") == [(None, "确保开发区生产安全", 0, 0)]
    assert split_goals("1.投资5.5万元。2.完成") == [("1", "投资5.5万元。", 0, 2), ("2", "完成", 0, 12)]
    assert split_goals("1、甲\n续写\n2、 乙") == [("1", "甲\n续写", 0, 2), ("2", "乙", 2, 3)]


def test_indicator_rows_fill_merged_cells(drafts):
    p = drafts["000"].projects[0]
    first, second = p.indicators[:2]
    assert (first.level1, first.level2, first.level3) == ("产出指标", "时效指标", "工程完工率")
    assert (second.level1, second.level2, second.level3) == ("产出指标", "质量指标", "工程质量合格率")
    assert second.filled == ("level1",)
    assert first.filled == ()
    assert first.value.raw == "≥100百分比"
    assert first.basis == "项目施工合同约定细则"
    assert first.loc.line == 90


def test_rows_split_by_a_stray_blank_line(drafts):
    # 000 line 386: value spans two lines and a blank line precedes the basis cell
    row = drafts["000"].projects[3].indicators[3]
    assert row.level3 == "外来企业意向投资数"
    assert row.value.raw == "≥5000000大于500万元为优\n低于500万为差"
    assert row.basis.startswith("临机编[2014]13号\n临西县东留善固工业园区管委会")  # Word's quotes removed
    assert not row.basis.startswith('"')
    # 001 line 958: a blank line between description and value
    row = drafts["001"].projects[8].indicators[0]
    assert (row.level3, row.description, row.value.raw, row.basis) == ("资金支付率", "资金支付率", "≥80资金支付率", "")
    # 003 line 1698: an ideographic space alone on a line inside a row
    row = drafts["003"].projects[23].indicators[1]
    assert (row.level3, row.value.raw, row.basis) == ("督促企业治理隐患数占原初数的比", "≥95％", "计划标准")


def test_truncated_last_row_is_noted(drafts):
    doc = drafts["001"]
    last = doc.projects[-1].indicators[-1]
    assert last.level3 == "服务对象满意度" and last.basis == ""
    assert [(n.loc.line, n.message) for n in doc.notes] == [(1230, "indicator row has 5 cells, the header has 6")]


def test_empty_project_table_002(drafts):
    p = drafts["002"].projects[14]
    assert p.name == "乐亭森宇再生资源有限公司土地款"
    assert p.budget.total.value == Decimal("428.15")
    assert p.purpose is not None and p.purpose.text == ""
    assert [pt.value for pt in p.spending_plan.points] == [None, None, None, None]
    assert p.goals == []
    assert p.indicators == []


def test_003_tables_without_code_or_budget(drafts):
    doc = drafts["003"]
    p = doc.projects[0]
    assert p.code is None and p.budget is None and p.spending_plan is None and p.name is None
    assert p.display_name == "经开区编外人员资金"
    assert p.toc_field == "2、办公自动化（OA）和督查督办系统升级及推广费绩效目标表"
    assert p.heading == "1.经开区编外人员资金绩效目标表"
    assert doc.projects[-1].heading == "34.廊财建【2020】145号经开区提前下达2021年省级大气污染防治资金绩效目标表"


def test_003_department_table_with_sign_value_unit_columns(drafts):
    rows = drafts["003"].department_indicators
    assert len(rows) == 7
    assert [(r.level1, r.level2, r.level3) for r in rows[:2]] == [
        ("部门产出", "数量", "工作目标完成件数"),
        ("部门产出", "质量", "工作完成合格率（%"),
    ]
    assert rows[0].value.raw == "≥40.00件"
    assert rows[0].scoring == "按照计划比率评定"
    assert rows[0].basis == "计划标准"
    assert rows[2].value.raw == "按工作计划及时完成"  # 符号 "文字描述": the text is the value
    assert rows[4].level2 == "社会效益"  # "社会\n效益" in a wrapped header cell
    assert rows[6].value.raw == "≥98.00%" and rows[6].basis == "调查问卷"


def test_headings_lose_bookmarks_and_fields(drafts):
    assert drafts["002"].projects[13].heading == "14.经济开发区装备制造智慧产业园项目建设资金绩效目标表"
    assert drafts["002"].projects[12].goals[0].text.startswith("用于开发区基础建设")  # [bookmark: _GoBack] gone
    assert strip_heading("二、分项绩效目标 TC 分项绩效目标 \\f A \\l 1 ") == ("二、分项绩效目标", "分项绩效目标")
    assert strip_heading("总体绩效目标{ TC 总体绩效目标 \\f A \\l 1 }") == ("总体绩效目标", "总体绩效目标")
    assert strip_heading("[bookmark: _Toc_2]一、总体绩效目标") == ("一、总体绩效目标", None)


def test_locations_point_at_the_cells(drafts, line_of):
    for key, doc in drafts.items():
        for project in doc.projects:
            for indicator in project.indicators:
                value_loc = indicator.loc_of("value")
                first_line = indicator.value.raw.split("\n")[0]
                assert line_of(key, value_loc.line).strip() == first_line.strip(), (key, value_loc)
            for goal in project.goals:
                first_line = goal.text.split("\n")[0]
                assert line_of(key, goal.loc.line)[goal.loc.column - 1 :].startswith(first_line)


def test_lexer_keeps_columns_in_characters():
    stream = lex_text("标题\n\t　项目成本控制\n\n段落")
    para, row, tail = stream.blocks
    assert row.cells[0].text == "项目成本控制"
    assert row.cells[0].loc.line == 2 and row.cells[0].loc.column == 3
    assert tail.text == "段落" and tail.loc.line == 4


def test_unreadable_inputs_raise_located_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match="empty file"):
        read_document(empty, parse_value)
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes("第一行\n".encode() + b"\x80\x81\xfe\xff\x00\x01")
    with pytest.raises(ReadError) as error:
        read_document(garbage, parse_value)
    assert "UTF-8" in str(error.value) and str(garbage) in str(error.value)
    assert error.value.loc.line == 2  # the first line that is not UTF-8
    with pytest.raises(ReadError, match="no such file"):
        read_document(tmp_path / "missing.txt", parse_value)


def test_a_short_gbk_file_reads_as_chinese(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("总体绩效目标\n第一行\n项目名称".encode("gbk"))
    doc = read_document(gbk, parse_value)
    assert [s.kind for s in doc.sections] == ["overall_goals"]
    assert [i.text for i in doc.sections[0].items] == ["第一行", "项目名称"]


def test_crlf_and_bom_read_like_the_original(drafts, tmp_path):
    original = (tmp_path / "x").parent / "crlf.txt"
    source = drafts["004"].path
    data = open(source, encoding="utf-8").read()
    original.write_bytes(b"\xef\xbb\xbf" + data.replace("\n", "\r\n").encode("utf-8"))
    doc = read_document(original, parse_value)
    assert len(doc.projects) == 9
    assert sum(len(p.indicators) for p in doc.projects) == 73
    assert doc.projects[5].budget.total.value == Decimal("126.61")
