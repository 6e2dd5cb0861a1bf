"""The 申报表 layout (``layouts/project-form.yaml``) on the real Shenzhen 2023 workbook and on
workbooks made here: every project and grid row read into the right fields, header fields never
taken for indicators, and what cannot be read with confidence reported as not understood."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from auditor.cli import main
from auditor.model import PROJECT_TEXT_FIELDS
from auditor.readers import ReadError, read_document
from auditor.values import parse_value

FORMS = Path(__file__).parent / "fixtures" / "forms"
WORKBOOK = FORMS / "shenzhen_2023_project_form_workbook.xlsx"
HEADER_LABEL = re.compile(r"[:：]\s*$")


def cell_text(value: object) -> str:
    """A cell as a reader should give it: lines right-stripped, and the quotes Excel puts around
    a multi-line text it pasted (``"1.…\n2.…"``) dropped."""
    text = "" if value is None else "\n".join(line.rstrip() for line in str(value).split("\n")).strip()
    if len(text) > 1 and text[0] == text[-1] == '"' and "\n" in text:
        text = text[1:-1].strip()
    return text


def expected_rows(sheet) -> list[dict[str, str]]:
    """The filled grid rows of one sheet, read straight from its cells (the test's own reading:
    the row after 一级指标 to the 备注 row, 一级指标 filled down over its merged rows)."""
    header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "一级指标")
    anchor = {
        (r, c): (rng.min_row, rng.min_col)
        for rng in sheet.merged_cells.ranges
        for r in range(rng.min_row, rng.max_row + 1)
        for c in range(rng.min_col, rng.max_col + 1)
    }

    def value(r: int, c: int) -> str:
        return cell_text(sheet.cell(*anchor.get((r, c), (r, c))).value)

    rows = []
    for r in range(header + 1, sheet.max_row + 1):
        if value(r, 1).startswith("备注"):
            break
        level1 = value(r, 1)
        values = [value(r, c) for c in range(2, 6)]
        if any(values[1:]):
            rows.append({"row": r, "level1": level1, "level2": values[0], "level3": values[1], "value": values[2], "description": values[3]})
    return rows


@pytest.fixture(scope="module")
def workbook():
    book = openpyxl.load_workbook(WORKBOOK)
    yield book
    book.close()


@pytest.fixture(scope="module")
def doc():
    return read_document(WORKBOOK, parse_value)


def ref(sheet_title: str, cell: str) -> str:
    return f"'{sheet_title}'!{cell}"


def test_every_sheet_is_one_project_with_its_header_fields(doc, workbook):
    assert doc.layout == "project-form"
    assert len(doc.projects) == len(workbook.worksheets) == 20
    assert doc.year == 2023 and doc.department == "深圳市宝安区松岗街道办事处（本级）"
    for project, sheet in zip(doc.projects, workbook.worksheets):
        assert project.code == str(sheet["B2"].value)
        assert project.name == cell_text(sheet["E2"].value)
        assert project.heading == sheet.title
        assert project.applicant == cell_text(sheet["B3"].value)
        assert project.parent_unit == cell_text(sheet["E3"].value)
        assert project.duration_years == int(sheet["B4"].value)
        assert project.project_type == cell_text(sheet["E4"].value)
        assert project.is_new is (cell_text(sheet["B5"].value) == "是")
        assert project.allocation == cell_text(sheet["E5"].value)
        assert project.policy_basis.text == cell_text(sheet["B7"].value)
        assert project.calculation_basis.text == cell_text(sheet["B8"].value)
        assert project.annual_goal.text == cell_text(sheet["B9"].value)
        assert project.long_term_goal.text == cell_text(sheet["B10"].value)
        assert project.loc_of("calculation_basis").ref == ref(sheet.title, "B8")
        assert project.goals and project.goals[0].text in project.annual_goal.text


def test_amounts_are_kept_as_the_labels_declare_them(doc, workbook):
    """项目总金额（中期规划，万元） and 本年度项目金额（万元） hold yuan figures in this workbook
    (10185500 under 万元 while the cost row says ≤1018.55万元): the reader keeps what is
    declared; telling the units apart is a rule's business."""
    first = doc.projects[0]
    assert first.budget.total.value == Decimal(10185500) and first.budget.total.unit == "万元"
    assert first.budget.total.raw == "10,185,500.00"
    assert first.budget.total_all_years.value == Decimal(30556500) and first.budget.total_all_years.unit == "万元"
    assert first.money_unit == "万元"
    assert first.budget.fiscal is None and first.budget.other is None  # the form has neither
    for project, sheet in zip(doc.projects, workbook.worksheets):
        assert project.budget.total.value == Decimal(sheet["E6"].value)
        assert project.budget.total.loc.ref == ref(sheet.title, "E6")


def test_every_filled_grid_row_is_one_indicator(doc, workbook):
    total = 0
    for project, sheet in zip(doc.projects, workbook.worksheets):
        rows = expected_rows(sheet)
        total += len(rows)
        assert len(project.indicators) == len(rows), sheet.title
        for indicator, row in zip(project.indicators, rows):
            assert (indicator.level1, indicator.level2, indicator.level3) == (row["level1"], row["level2"], row["level3"])
            assert indicator.value.raw == row["value"]
            assert indicator.description == row["description"]
            assert indicator.basis is None  # no 指标值确定依据 column: absent, not empty
            assert indicator.loc_of("value").ref == ref(sheet.title, f"D{row['row']}")
            assert indicator.loc.ref == ref(sheet.title, f"C{row['row']}")  # not the merged 一级指标 cell
    assert total == 233


def test_no_header_field_or_template_text_becomes_an_indicator(doc):
    for project in doc.projects:
        for indicator in project.indicators:
            for text in (indicator.level1, indicator.level2, indicator.level3, indicator.value.raw):
                assert not HEADER_LABEL.search(text), text
                assert "备注" not in text and "指标" not in text


def run_json(args: list[str], capsys) -> tuple[int, dict]:
    code = main(["check", *args, "--format", "json", "--fail-on", "never"])
    return code, json.loads(capsys.readouterr().out)


def test_check_locates_findings_by_sheet_and_cell_and_cannot_check_absent_basis(capsys):
    code, report = run_json([str(WORKBOOK)], capsys)
    assert code == 0
    document = report["documents"][0]
    assert document["projects"] == 20
    basis = report["summary"]["rules"]["basis-missing"]
    # 233 rows, 89 of them declared not to apply (不适用), which no row rule judges
    assert basis == {"checked": 0, "findings": 0, "not_checkable": 144}
    located = [f for f in document["findings"] if f["project"] is not None]
    assert located
    for finding in located:
        assert re.match(r"^'\d+\..+'![A-E]\d+$", finding["location"]["ref"] or ""), finding["location"]
        if finding["location"]["field"] in PROJECT_TEXT_FIELDS:  # a 政策依据 may end on a colon as written
            continue
        assert not HEADER_LABEL.search(finding["evidence"] or ""), finding


def save_variant(tmp_path: Path, name: str, change) -> Path:
    book = openpyxl.load_workbook(WORKBOOK)
    change(book)
    path = tmp_path / name
    book.save(path)
    book.close()
    return path


def test_a_sheet_whose_grid_header_was_removed_is_not_understood(tmp_path, capsys):
    def drop_header(book):
        sheet = book.worksheets[2]
        for c in range(1, 6):
            sheet.cell(11, c).value = None

    path = save_variant(tmp_path, "no_grid_header.xlsx", drop_header)
    with pytest.raises(ReadError) as caught:
        read_document(path, parse_value)
    assert caught.value.kind == "not_understood"
    assert "3.社区治理体系经费（东方社区）" in caught.value.message and "一级指标" in caught.value.message
    code = main(["check", str(path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    assert all(not d["findings"] for d in report["documents"])


def test_a_header_field_inside_the_grid_is_not_understood(tmp_path):
    def field_in_grid(book):
        sheet = book.worksheets[0]
        sheet["C16"].value = "项目类型："

    path = save_variant(tmp_path, "field_in_grid.xlsx", field_in_grid)
    with pytest.raises(ReadError) as caught:
        read_document(path, parse_value)
    assert caught.value.kind == "not_understood" and "项目类型" in caught.value.message


def new_sheet(book, title: str):
    sheet = book.create_sheet(title)
    return sheet


def write_form(sheet, top: int, code: str, name: str, grid: list[list[str]] | None, amount="12.5") -> int:
    """One 申报表 project from row ``top``: header block, grid header, rows; returns the next row."""
    pairs = [("项目编码：", code, "项目名称：", name), ("申请单位：", "某某街道办事处", "一级预算单位：", "某某区"),
             ("实施期限：", "2023-2025", "项目类型：", "01 经常性项目"), ("项目总金额（中期规划，万元）：", "37.5", "本年度项目金额（万元）：", amount)]
    r = top
    for a, b, c, d in pairs:
        sheet.cell(r, 1, a), sheet.cell(r, 2, b), sheet.cell(r, 4, c), sheet.cell(r, 5, d)
        r += 1
    for label, text in (("政策依据：", "《某某办法》（某财〔2022〕12号）"), ("测算依据：", "单价0.5万元×25次=12.5万元"), ("年度目标：", "完成25次巡查")):
        sheet.cell(r, 1, label), sheet.cell(r, 2, text)
        r += 1
    if grid is None:
        return r
    for c, head in enumerate(["一级指标", "二级指标", "三级指标", "目标值", "指标解释"], start=1):
        sheet.cell(r, c, head)
    r += 1
    for row in grid:
        for c, text in enumerate(row, start=1):
            sheet.cell(r, c, text or None)
        r += 1
    sheet.cell(r, 1, "备注：作为导入模板，置灰信息无需录入。")
    return r + 1


def test_stacked_projects_empty_grids_and_other_sheets(tmp_path):
    """Made here: two projects stacked on one sheet (the second starts where 项目编码 comes back),
    a project whose grid has only its fixed category rows (no indicators, not nothing), and a
    sheet that is not part of the form."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "申报"
    grid = [["产出", "数量", "巡查次数", "≥25次", "全年巡查次数"], ["", "质量", "", "", ""], ["效益", "社会效益", "不适用", "不适用", "不适用"]]
    nxt = write_form(sheet, 1, "P001", "河道巡查", grid)
    write_form(sheet, nxt + 1, "P002", "路灯维护", [["产出", "数量", "", "", ""], ["", "时效", "", "", ""], ["满意度", "服务对象满意度", "", "", ""]])
    other = new_sheet(book, "填表说明")
    other["A1"] = "请按系统导出格式填写，勿改动表头。"
    path = tmp_path / "stacked.xlsx"
    book.save(path)
    doc = read_document(path, parse_value)
    assert doc.layout == "project-form"
    assert [p.code for p in doc.projects] == ["P001", "P002"]
    first, second = doc.projects
    assert [(i.level1, i.level2, i.level3) for i in first.indicators] == [("产出", "数量", "巡查次数"), ("效益", "社会效益", "不适用")]
    assert second.indicators == [] and second.budget.total.value == Decimal("12.5")
    assert first.duration_years == 3 and first.budget.total_all_years.value == Decimal("37.5")
    notes = [n for n in doc.notes if "填表说明" in n.message]
    assert notes and notes[0].zh and "填表说明" in notes[0].zh


def test_a_project_without_a_grid_is_read_with_a_note(tmp_path):
    book = openpyxl.Workbook()
    write_form(book.active, 1, "P009", "宣传经费", None)
    path = tmp_path / "no_grid.xlsx"
    book.save(path)
    doc = read_document(path, parse_value)
    assert len(doc.projects) == 1 and doc.projects[0].indicators == []
    assert any("no indicator grid" in n.message and "未找到指标表" in n.zh for n in doc.notes)


def test_a_workbook_of_an_unknown_layout_is_not_understood(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate([["科目编码", "科目名称", "上年决算", "本年预算"], ["2010301", "行政运行", "120.5", "130"],
                             ["2010302", "一般行政管理事务", "40", "38"]], start=1):
        for c, text in enumerate(row, start=1):
            sheet.cell(r, c, text)
    path = tmp_path / "收支预算表.xlsx"
    book.save(path)
    code = main(["check", str(path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    assert report["documents"][0]["projects"] == 0 and not report["documents"][0]["findings"]
    assert "layout not understood" in report["documents"][0]["errors"][0]
    assert report["summary"]["unreadable"] == 1 and report["summary"]["not_understood"] == 1


def test_the_corpus_text_layout_is_recorded():
    sample = sorted((Path(__file__).parent.parent / "samples").glob("*.txt"))[0]
    assert read_document(sample, parse_value).layout == "corpus-report"


def test_a_value_merged_over_two_rows_holds_for_both(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    grid = [["产出", "数量", "巡查次数", "≥25次", "按年度计划巡查"], ["", "", "整改次数", "≥5次", ""]]
    write_form(sheet, 1, "P010", "河道巡查", grid)
    sheet.merge_cells("B9:B10")
    sheet.merge_cells("E9:E10")
    sheet.merge_cells("A9:A10")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    rows = read_document(path, parse_value).projects[0].indicators
    assert [(i.level2, i.level3, i.description) for i in rows] == [("数量", "巡查次数", "按年度计划巡查"), ("数量", "整改次数", "按年度计划巡查")]


CITY_LAYOUT = """\
id: city-x-form
kind: form
name: {zh: X市项目绩效目标表, en: City X project target form}
description: A form of another city, made up for this test; its grid calls the indicator 具体指标.
formats: [xlsx]
fields:
  code: [项目代码]
  name: [项目名称]
  parent_unit: [主管部门]
  budget.total: [年度预算]
  policy_basis: [立项依据]
columns:
  level1: [一级指标]
  level2: [二级指标]
  level3: [具体指标]
  value: [指标值]
  scoring: [评分标准]
template_rows: ['^填报说明']
money_units: [万元, 元]
"""


def city_x_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [["X市项目绩效目标表"], ["项目代码：", "X-2024-001", "项目名称：", "社区食堂运营补贴"],
            ["主管部门：", "X市民政局", "年度预算（元）：", "360000"], ["立项依据：", "《X市社区食堂建设管理办法》"],
            ["一级指标", "二级指标", "具体指标", "指标值", "评分标准"],
            ["产出指标", "数量指标", "补贴食堂数", "≥6个", "每少1个扣2分"], ["", "时效指标", "补贴发放时间", "2024年6月底前", "逾期扣5分"],
            ["填报说明：据实填写。"]]
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            sheet.cell(r, c, text)
    book.save(path)
    return path


def test_another_citys_form_is_one_yaml_file(tmp_path, capsys):
    """Without its profile the made-up form is not understood (exit 2); with the profile given
    by --layouts it reads, with the amount's declared unit and the grid's 评分标准."""
    path = city_x_workbook(tmp_path / "x.xlsx")
    assert main(["check", str(path), "--format", "json"]) == 2
    assert "layout not understood" in json.loads(capsys.readouterr().out)["documents"][0]["errors"][0]
    profile = tmp_path / "layouts" / "city-x.yaml"
    profile.parent.mkdir()
    profile.write_text(CITY_LAYOUT, encoding="utf-8")
    assert main(["parse", str(path), "--format", "json", "--layouts", str(profile.parent)]) == 0
    model = json.loads(capsys.readouterr().out)[0]
    assert model["layout"] == "city-x-form"
    (project,) = model["projects"]
    assert (project["code"], project["name"], project["parent_unit"]) == ("X-2024-001", "社区食堂运营补贴", "X市民政局")
    assert project["budget"]["cells"]["total"]["unit"] == "元" and project["budget"]["total"] == 360000
    assert [(i["level3"], i["value"]["raw"], i.get("scoring")) for i in project["indicators"]] == [
        ("补贴食堂数", "≥6个", "每少1个扣2分"), ("补贴发放时间", "2024年6月底前", "逾期扣5分")]


def test_a_bad_layout_file_is_a_located_error(tmp_path, capsys):
    profile = tmp_path / "bad.yaml"
    profile.write_text(CITY_LAYOUT.replace("kind: form", "kind: sheet"), encoding="utf-8")
    assert main(["layouts", "--layouts", str(profile)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:2" in err and "sheet" in err


def test_the_template_row_ends_the_grid(tmp_path):
    """A 备注 row whose instructions sit under the grid's columns, and a signature line after it,
    are template text: no indicator, and what follows is noted as not read."""
    book = openpyxl.Workbook()
    sheet = book.active
    end = write_form(sheet, 1, "P011", "路灯维护", [["产出", "数量", "维修盏数", "≥240盏", "全年维修路灯"]])
    sheet.cell(end - 1, 3, "不适用的指标请填写“不适用”")
    sheet.cell(end - 1, 4, "目标值须可衡量")
    sheet.cell(end, 1, "填报人：张三")
    sheet.cell(end, 4, "联系电话：12345678")
    path = tmp_path / "template.xlsx"
    book.save(path)
    doc = read_document(path, parse_value)
    assert [i.level3 for i in doc.projects[0].indicators] == ["维修盏数"]
    assert any("template row" in n.message and "模板说明行" in n.zh for n in doc.notes)


def test_formulas_saved_without_their_value_read_as_written_with_a_note(tmp_path):
    """A target typed as ``=5万元`` is stored by a spreadsheet as a formula with no cached value;
    read as an empty cell it gave a confident “未填写指标值”. A program-written workbook's real
    formula without a value is shown as written and said to need recalculating."""
    def formulas(book):
        sheet = book.worksheets[1]
        sheet["D15"] = "=118.8万元"  # openpyxl stores a leading "=" as a formula, without a value
        sheet["E6"] = "=SUM(E7:E8)"

    path = save_variant(tmp_path, "formulas.xlsx", formulas)
    doc = read_document(path, parse_value)
    project = doc.projects[1]
    cost = next(row for row in project.indicators if row.level2 == "成本")
    assert (cost.value.op, str(cost.value.number), cost.value.unit) == ("=", "118.8", "万元")
    notes = {n.loc.ref.split("!")[1]: n.zh for n in doc.notes}
    assert notes["D15"] == "“=118.8万元”以“=”开头，被存为公式，按所写文字读取"
    assert "没有保存计算结果" in notes["E6"] and project.budget.total.raw == "=SUM(E7:E8)"
    report = io.StringIO()
    main(["check", str(path), "--format", "json", "--quiet"], out=report, err=io.StringIO())
    findings = json.loads(report.getvalue())["documents"][0]["findings"]
    assert not any(f["location"]["ref"].endswith("!D15") and f["rule"] == "value-syntax" for f in findings)


def test_formulas_beyond_a_sheets_declared_dimension_are_still_read(tmp_path):
    """Some exporters declare <dimension ref="A1"/> whatever the sheet holds; a read-only pass
    trusting it would miss the formulas and leave their cells empty."""
    import re
    import zipfile

    path = save_variant(tmp_path, "formulas.xlsx", lambda book: book.worksheets[1].__setitem__("D15", "=118.8万元"))
    squeezed = tmp_path / "dimension_a1.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(squeezed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            dst.writestr(info, data)
    cost = next(row for row in read_document(squeezed, parse_value).projects[1].indicators if row.level2 == "成本")
    assert cost.value.raw == "=118.8万元"
