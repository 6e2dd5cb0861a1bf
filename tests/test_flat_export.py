"""The flat export (``layouts/flat-export.yaml``): every corpus draft written as a budget system's
one-row-per-indicator export (``tests/flat_export.py``: separate sheets, one joined sheet, both
plus a joined copy and sheets that are not content, CSV in UTF-8 with BOM and in GBK, amounts
in 万元 and in 元) reads back to the draft's projects, budgets, goals and indicators; exports the
reader cannot join are refused through the CLI."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from auditor.cli import main
from auditor.readers import read_document
from auditor.values import parse_value
from tests.conftest import DRAFT_FILES
from tests.flat_export import SHEET_NAMES, VARIANTS, export_code, export_name, write_flat_export

CASES = [(key, name) for key in DRAFT_FILES for name in VARIANTS]
IDS = [f"{key}-{name}" for key, name in CASES]


@pytest.fixture(scope="module")
def exports(drafts, tmp_path_factory):
    """Every draft written as every variant, keyed by (draft, variant)."""
    folder = tmp_path_factory.mktemp("flat")
    return {(key, name): write_flat_export(drafts[key], folder, name, key) for key, name in CASES}


@pytest.fixture(scope="module")
def flat(exports):
    """The exports read back, keyed like ``exports``."""
    return {case: read_document(path, parse_value) for case, path in exports.items()}


def indicator_rows(project):
    return [(i.level1, i.level2, i.level3, i.description, i.value.raw, i.basis) for i in project.indicators]


@pytest.mark.parametrize(("key", "name"), CASES, ids=IDS)
def test_same_projects_in_the_same_order(key, name, drafts, flat):
    draft, doc = drafts[key], flat[key, name]
    assert doc.layout == "flat-export"
    assert doc.source_format == VARIANTS[name].suffix.lstrip(".")
    assert [p.code for p in doc.projects] == [export_code(p) for p in draft.projects]
    assert [p.name for p in doc.projects] == [export_name(p) for p in draft.projects]
    assert [p.index for p in doc.projects] == list(range(1, len(draft.projects) + 1))
    assert doc.department == draft.department  # the most common 申请单位


@pytest.mark.parametrize(("key", "name"), CASES, ids=IDS)
def test_same_indicators_in_order(key, name, drafts, flat):
    for draft_project, project in zip(drafts[key].projects, flat[key, name].projects, strict=True):
        assert indicator_rows(project) == indicator_rows(draft_project), project.code


@pytest.mark.parametrize(("key", "name"), CASES, ids=IDS)
def test_same_goals_and_purpose(key, name, drafts, flat):
    for draft_project, project in zip(drafts[key].projects, flat[key, name].projects, strict=True):
        assert [g.text for g in project.goals] == [g.text for g in draft_project.goals]
        assert [g.number for g in project.goals] == [str(n) for n in range(1, len(project.goals) + 1)]
        if draft_project.purpose is None:
            assert project.purpose is None  # 003 has no 资金用途: the export has no such column
        else:
            assert project.purpose.text == draft_project.purpose.text


@pytest.mark.parametrize(("key", "name"), CASES, ids=IDS)
def test_budgets_keep_their_declared_unit(key, name, drafts, flat):
    """Amounts are read as declared (in the header, or by a 单位：万元 line above it), never
    converted: in the 元 exports the figure is the draft's 万元 figure × 10000."""
    unit = VARIANTS[name].unit
    factor = Decimal(10000) if unit == "元" else Decimal(1)
    for draft_project, project in zip(drafts[key].projects, flat[key, name].projects, strict=True):
        if draft_project.budget is None:  # 003: no 预算数, no amount columns
            assert project.budget is None and project.money_unit is None
            continue
        assert project.money_unit == unit
        assert project.budget.total_all_years is None  # no 项目总金额 column
        for part in ("total", "fiscal", "other"):
            expected, amount = getattr(draft_project.budget, part), getattr(project.budget, part)
            assert amount.unit == unit, (project.code, part)
            if expected.value is None:
                assert amount.value is None and amount.raw == ""
            else:
                assert amount.value == expected.value * factor, (project.code, part)
                assert Decimal(amount.raw.replace(",", "")) == expected.value * factor  # the yuan figure as written


def test_yuan_export_declares_yuan_and_the_wan_export_a_unit_line(exports):
    """The fixtures are what the budget tests say they are."""
    import openpyxl

    workbook = openpyxl.load_workbook(exports["004", "separate"], read_only=True)
    header = next(workbook[SHEET_NAMES["projects"]].iter_rows(max_row=1, values_only=True))
    assert "本年金额（元）" in header
    workbook.close()
    text = exports["004", "csv-bom"].read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "单位：万元".encode() in text and "预算金额,".encode() in text


@pytest.mark.parametrize("key", list(DRAFT_FILES))
def test_a_title_row_gives_the_budget_year(key, drafts, flat):
    for name in ("joined", "csv-bom"):  # the variants written under a title row
        doc = flat[key, name]
        assert doc.year == drafts[key].year and doc.year_source == "title", name
        assert doc.title.endswith(f"{drafts[key].year}年项目支出绩效目标明细表")


@pytest.mark.parametrize("key", list(DRAFT_FILES))
def test_workbook_with_a_joined_copy_and_other_sheets_reads_each_project_once(key, drafts, flat):
    doc = flat[key, "mixed"]
    codes = [p.code for p in doc.projects]
    assert len(codes) == len(set(codes)) == len(drafts[key].projects)
    assert sum(len(p.indicators) for p in doc.projects) == sum(len(p.indicators) for p in drafts[key].projects)
    # the separate sheets were read, not the joined copy that comes first in the workbook
    first = next(p for p in doc.projects if p.indicators)
    assert first.loc.ref.startswith(SHEET_NAMES["projects"] + "!")
    assert first.indicators[0].loc.ref.startswith(SHEET_NAMES["indicators"] + "!")

    def note_at(ref: str, en: str):
        found = [n for n in doc.notes if n.loc.ref == ref and en in n.message]
        assert len(found) == 1, [(n.loc, n.message) for n in doc.notes]
        assert found[0].zh and found[0].message
        return found[0]

    copy = note_at(f"{SHEET_NAMES['joined']}!A1", "not read again")
    assert "differ" not in copy.message and SHEET_NAMES["joined"] in copy.zh
    empty = note_at(f"{SHEET_NAMES['empty']}!A1", "empty")
    assert empty.zh == "“审核意见”是空表，未读取"
    title_only = note_at(f"{SHEET_NAMES['title-only']}!A1", "not a table")
    assert "未读取" in title_only.zh


def test_merged_key_is_filled_down_and_cells_are_located(exports, flat):
    """项目编码 merged down a project's indicator rows: each row belongs to that project, without
    a note; every indicator points at the sheet cell that holds it."""
    import openpyxl

    doc = flat["004", "separate"]
    workbook = openpyxl.load_workbook(exports["004", "separate"])
    sheet = workbook[SHEET_NAMES["indicators"]]
    merged = [str(r) for r in sheet.merged_cells.ranges]
    assert len(merged) == len(doc.projects) and all(r.startswith("A") for r in merged)  # the fixture merges
    assert not any("blank" in n.message for n in doc.notes)
    for project in doc.projects:
        for indicator in project.indicators:
            for field in ("level3", "value"):
                sheet_name, cell = indicator.loc_of(field).ref.split("!")
                text = indicator.level3 if field == "level3" else indicator.value.raw
                assert sheet_name == SHEET_NAMES["indicators"] and workbook[sheet_name][cell].value == text
    workbook.close()


@pytest.mark.parametrize("key", list(DRAFT_FILES))
def test_key_written_once_per_project_is_filled_down_and_noted(key, drafts, exports, flat):
    data = exports[key, "csv-gbk"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK
    doc = flat[key, "csv-gbk"]
    rows = sum(max(len(p.indicators), 1) for p in drafts[key].projects)
    blank = rows - len(drafts[key].projects)
    note = next(n for n in doc.notes if "leave 项目编码 blank" in n.message)
    assert f"{blank} rows" in note.message and f"有 {blank} 行未填项目编码" in note.zh
    assert any("gb18030" in n.message or "gbk" in n.message.lower() for n in doc.notes)


# -- through the CLI ----------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run from an empty folder so no budget-audit.yaml of the checkout is picked up."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_audits_a_flat_export_in_yuan(exports, in_tmp):
    code, out, _ = run("check", str(exports["004", "separate"]), "--format", "json", "--select", "budget-text-mismatch")
    assert code == 1
    (doc,) = json.loads(out)["documents"]
    (finding,) = doc["findings"]
    assert finding["project"]["code"] == "13020922P008HH010002P"
    assert finding["location"]["ref"].startswith(SHEET_NAMES["projects"] + "!")
    assert finding["evidence"] == "12.61万元" and "1,266,100.00元" in finding["message"]


@pytest.mark.parametrize("name", ["joined", "separate", "csv-bom"])
def test_cli_refuses_a_flat_export_without_its_code_column(name, drafts, in_tmp):
    variant = VARIANTS[name].with_(name=f"{name}-nocode", drop=("code",))
    path = write_flat_export(drafts["004"], in_tmp, variant, "004")
    code, out, err = run("check", str(path), "--format", "json")
    assert code == 2
    assert "没有项目编码列" in err and "has no 项目编码 column" in err
    report = json.loads(out)
    (doc,) = report["documents"]
    assert doc["projects"] == 0 and doc["findings"] == [] and report["summary"]["findings"] == 0
    (error,) = doc["errors"]
    assert "项目编码" in error and "layout not understood" in error


def test_cli_refuses_a_csv_that_is_not_a_flat_export(in_tmp):
    path = in_tmp / "staff.csv"
    path.write_text("姓名,年龄,城市,备注\n张三,30,北京,\n李四,25,上海,新入职\n", encoding="utf-8-sig")
    code, out, err = run("check", str(path), "--format", "json")
    assert code == 2
    assert "not understood" in err and "未能识别版式" in err
    (doc,) = json.loads(out)["documents"]
    assert doc["findings"] == [] and "not understood" in doc["errors"][0]


def test_cli_refuses_a_project_sheet_without_its_code_column(in_tmp):
    """The indicator sheet has 项目编码 but the project sheet does not: its names and amounts
    cannot be joined to the indicators, so the file is not understood (not read in part)."""
    import openpyxl

    book = openpyxl.Workbook()
    projects = book.active
    projects.title = "项目"
    for row in (["项目名称", "本年金额（万元）", "政策依据"], ["河道巡查", "12.5", "《某办法》"]):
        projects.append(row)
    indicators = book.create_sheet("指标")
    for row in (["项目编码", "一级指标", "二级指标", "三级指标", "指标值"], ["P001", "产出指标", "数量指标", "巡查次数", "≥25次"]):
        indicators.append(row)
    path = in_tmp / "no-code-on-projects.xlsx"
    book.save(path)
    code, out, err = run("check", str(path), "--format", "json")
    assert code == 2
    assert "“项目”" in err and "没有项目编码列" in err
    assert json.loads(out)["documents"][0]["findings"] == []


@pytest.mark.parametrize("name,content", [
    ("header-only.csv", "项目编码,一级指标,二级指标,三级指标,指标值\n"),
    ("blank.xlsx", None),
])
def test_an_empty_export_or_workbook_is_said_to_be_empty(in_tmp, name, content):
    path = in_tmp / name
    if content is None:
        import openpyxl

        openpyxl.Workbook().save(path)
    else:
        path.write_text(content, encoding="utf-8")
    code, out, err = run("check", str(path), "--format", "json")
    assert code == 2
    assert ("an empty export" in err or "not a draft, or empty" in err) and "not understood" not in err
    (doc,) = json.loads(out)["documents"]
    assert doc["error_kind"] == "unreadable" and doc["findings"] == []


def test_two_projects_given_one_code_are_read_apart_and_reported_once(in_tmp):
    header = "项目编码,项目名称,本年金额（万元）,一级指标,二级指标,三级指标,指标值,指标解释\n"
    rows = [
        "P-001,食品安全抽检,45,产出指标,数量指标,抽检批次,≥1200批次,全年抽检批次\n",
        "P-001,食品安全抽检,45,产出指标,成本指标,抽检成本,≤45万元,抽检费用\n",
        "P-001,计量器具检定,32,产出指标,数量指标,检定台件数,≥2.3万台件,免费检定台件\n",
        "P-001,计量器具检定,32,产出指标,成本指标,检定成本,≤32万元,检定费用\n",
    ]
    path = in_tmp / "export.csv"
    path.write_text(header + "".join(rows), encoding="utf-8-sig")
    doc = read_document(path, parse_value)
    assert [(p.code, p.name, len(p.indicators)) for p in doc.projects] == [("P-001", "食品安全抽检", 2), ("P-001", "计量器具检定", 2)]
    assert any("按两个项目读取" in note.zh for note in doc.notes)
    code, out, _ = run("check", str(path), "--format", "json", "--fail-on", "never")
    (report,) = json.loads(out)["documents"]
    assert [f["rule"] for f in report["findings"]].count("project-code-duplicate") == 1
    assert all(f["rule"] != "budget-text-mismatch" for f in report["findings"])


def test_indicator_rows_of_a_code_the_project_sheet_lacks_are_noted_not_audited(in_tmp):
    from openpyxl import Workbook

    book = Workbook()
    projects = book.active
    projects.title = "项目信息"
    projects.append(["项目编码", "项目名称", "本年金额（万元）", "年度目标"])
    projects.append(["P-001", "婚姻登记服务", "12", "全年办理婚姻登记1200对"])
    rows = book.create_sheet("绩效指标")
    rows.append(["项目编码", "一级指标", "二级指标", "三级指标", "指标值", "指标解释"])
    rows.append(["P-001", "产出指标", "数量指标", "婚姻登记办理对数", "≥1200对", "全年办理对数"])
    for level3 in ("殡葬减免人数", "减免及时率", "减免成本"):
        rows.append(["P-009", "产出指标", "数量指标", level3, "≥300人", "说明"])
    path = in_tmp / "export.xlsx"
    book.save(path)
    doc = read_document(path, parse_value)
    assert [(p.index, p.code, p.name) for p in doc.projects] == [(1, "P-001", "婚姻登记服务")]
    (note,) = [n for n in doc.notes if "P-009" in n.zh]
    assert "3行指标在项目表中没有对应项目，未审核" in note.zh and note.loc.ref == "绩效指标!A3"
