"""The 申报表 as a Word document: the .docx reader's table grids and the form layout on them.

``tests/fixtures/forms/shenzhen_2023_project_form.docx`` is the real Shenzhen 2023 workbook's 20
projects written as Word tables by ``tools/make_form_fixtures.py`` (a title paragraph, one table
per project with merged value cells and a vertically merged 一级指标, page breaks between). Read
with the ``project-form`` layout, it must give what the workbook gives, with Word cell locations.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.readers import ReadError, read_document
from auditor.readers.docx import lex_docx
from auditor.readers.xlsx import lex_xlsx
from auditor.values import parse_value
from tests.conftest import ROOT

FORMS = ROOT / "tests" / "fixtures" / "forms"
DOCX = FORMS / "shenzhen_2023_project_form.docx"
XLSX = FORMS / "shenzhen_2023_project_form_workbook.xlsx"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
WORD_CELL = re.compile(r"^表格 (\d+) 第(\d+)行第(\d+)列$")


@pytest.fixture(scope="module")
def word():
    return read_document(DOCX, parse_value)


@pytest.fixture(scope="module")
def workbook():
    return read_document(XLSX, parse_value)


def amount(a) -> tuple | None:
    return None if a is None else (a.raw, a.value, a.unit)


def text(item) -> str | None:
    return None if item is None else item.text


def project_facts(p) -> dict:
    return {
        "code": p.code, "name": p.name, "applicant": p.applicant, "parent_unit": p.parent_unit,
        "total": amount(p.budget.total), "total_all_years": amount(p.budget.total_all_years),
        "fiscal": amount(p.budget.fiscal), "other": amount(p.budget.other),
        "policy_basis": text(p.policy_basis), "calculation_basis": text(p.calculation_basis),
        "annual_goal": text(p.annual_goal), "long_term_goal": text(p.long_term_goal),
        "duration_years": p.duration_years, "project_type": p.project_type, "is_new": p.is_new,
        "allocation": p.allocation,
    }


def indicator_facts(i) -> tuple:
    return (i.level1, i.level2, i.level3, i.description, i.value.raw, i.value.kind, i.basis)


def test_word_form_reads_with_the_form_layout(word):
    assert word.source_format == "docx" and word.layout == "project-form"
    assert len(word.projects) == 20
    assert sum(len(p.indicators) for p in word.projects) == 233
    assert word.notes == []  # every cell of every table was understood
    first = word.projects[0]
    assert first.code == "440306231390302000056"
    assert first.name == "政府购买服务（专业技术服务类+党群服务中心社工）"
    assert amount(first.budget.total) == ("10,185,500.00", parse_value("10185500").number, "万元")
    assert first.duration_years == 3 and first.project_type == "03 专项资金项目"


def test_same_projects_as_the_workbook(word, workbook):
    assert len(workbook.projects) == 20  # the reference itself is read, not both empty
    assert [project_facts(p) for p in word.projects] == [project_facts(p) for p in workbook.projects]
    assert (word.department, word.year) == (workbook.department, workbook.year)


def test_same_indicators_as_the_workbook(word, workbook):
    words = [[indicator_facts(i) for i in p.indicators] for p in word.projects]
    books = [[indicator_facts(i) for i in p.indicators] for p in workbook.projects]
    assert sum(map(len, books)) == 233
    assert words == books
    assert all(i.basis is None for p in word.projects for i in p.indicators)  # no 指标值确定依据 column
    assert {i.level1 for p in word.projects for i in p.indicators} == {"产出", "效益", "满意度"}


def test_locations_are_word_table_cells(word):
    for n, project in enumerate(word.projects, start=1):
        places = [project.loc, *project.fields.values()]
        places += [loc for i in project.indicators for loc in (i.loc, *i.cells.values())]
        for loc in places:
            match = WORD_CELL.match(loc.ref or "")
            assert match and loc.line is None, loc
            assert int(match.group(1)) == n  # one table per project, in order
    first = word.projects[0]
    assert first.fields["code"].ref == "表格 1 第1行第2列"
    assert first.fields["name"].ref == "表格 1 第1行第4列"  # the second pair on the row
    assert first.budget.total.loc.ref == "表格 1 第5行第4列"
    assert first.policy_basis.loc.ref == "表格 1 第6行第2列"
    grid_header = first.fields["indicators"].ref
    assert grid_header == "表格 1 第10行第1列"
    assert first.indicators[0].cells["level3"].ref == "表格 1 第11行第3列"
    assert first.indicators[1].cells["level1"].ref == "表格 1 第12行第1列"  # under the merged 产出
    assert first.indicators[1].filled == ("level1",)


def _cells(grid_rows) -> list[list[tuple]]:
    return [[(c.text, c.col, c.span, c.continued) for c in row] for row in grid_rows]


def test_docx_grids_match_the_sheets():
    """Each Word table's Grid has the cells, columns, spans and vertical merges of its sheet (the
    sheet's title row is the Word title paragraph; its 备注 row spans the Word table)."""
    tables = lex_docx(DOCX).grids
    sheets = lex_xlsx(XLSX).grids
    assert [g.name for g in tables] == [f"表格 {n}" for n in range(1, 21)]
    assert {g.kind for g in tables} == {"table"}
    for table, sheet in zip(tables, sheets, strict=True):
        assert _cells(table.rows[:-1]) == _cells(sheet.rows[1:-1]), table.name
        (remark,) = table.rows[-1]
        assert remark.text.startswith("备注：") and (remark.col, remark.span) == (0, 5)
    first = _cells(tables[0].rows)
    assert first[0] == [("项目编码：", 0, 1, False), ("440306231390302000056", 1, 2, False),
                        ("项目名称：", 3, 1, False), ("政府购买服务（专业技术服务类+党群服务中心社工）", 4, 1, False)]
    assert first[11][0] == ("", 0, 1, True)  # 产出 merged down
    assert tables[0].rows[11][0].loc.ref == "表格 1 第12行第1列"


def test_fixture_is_a_real_word_form():
    xml = zipfile.ZipFile(DOCX).read("word/document.xml").decode()
    assert xml.count("<w:tbl>") == 20
    assert xml.count('w:vMerge w:val="restart"') >= 60 and "<w:vMerge/>" in xml
    assert 'w:gridSpan w:val="2"' in xml and 'w:gridSpan w:val="4"' in xml
    assert xml.count('w:type="page"') == 19


def test_gridbefore_and_hmerge_place_cells(tmp_path):
    """``w:gridBefore`` shifts a row's first cell; a Word 97 ``hMerge`` continuation widens the
    cell it continues (and adds no cell of its own, as in the row stream)."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for c, cell in enumerate(table.rows[0].cells):
        cell.text = f"a{c}"
    row = table.rows[1]._tr
    tcs = row.findall(qn("w:tc"))
    row.remove(tcs[0])
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    row.get_or_add_trPr().append(before)
    for tc, value in ((tcs[1], "restart"), (tcs[2], "continue")):
        merge = OxmlElement("w:hMerge")
        merge.set(qn("w:val"), value)
        tc.get_or_add_tcPr().append(merge)
    tcs[1].find(qn("w:p")).append(_run("b1"))
    tcs[3].find(qn("w:p")).append(_run("b3"))
    path = tmp_path / "placed.docx"
    document.save(path)
    stream = lex_docx(path)
    (grid,) = stream.grids
    assert _cells(grid.rows) == [
        [("a0", 0, 1, False), ("a1", 1, 1, False), ("a2", 2, 1, False), ("a3", 3, 1, False)],
        [("b1", 1, 2, False), ("b3", 3, 1, False)],
    ]
    assert [c.loc.ref for c in grid.rows[1]] == ["表格 1 第2行第1列", "表格 1 第2行第2列"]
    assert [c.text for c in stream.blocks[-1].cells] == ["b1", "b3"]  # the row stream agrees


def _run(value: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run, t = OxmlElement("w:r"), OxmlElement("w:t")
    t.text = value
    run.append(t)
    assert run.tag == qn("w:r")
    return run


@pytest.mark.parametrize("path", sorted(FORMATS.glob("00*.docx")), ids=lambda p: p.name)
def test_corpus_docx_stays_a_corpus_report(path):
    """The corpus' Word tables are grids now too: no form or flat profile may claim them."""
    assert lex_docx(path).grids  # there are grids to claim …
    assert read_document(path, parse_value).layout == "corpus-report"  # … and none is claimed


def _without_grid_header(tmp_path: Path, table_number: int) -> Path:
    import docx

    document = docx.Document(str(DOCX))
    table = document.tables[table_number - 1]
    header = next(row for row in table.rows if row.cells[0].text.strip() == "一级指标")
    header._tr.getparent().remove(header._tr)
    path = tmp_path / "no_grid_header.docx"
    document.save(str(path))
    return path


def test_table_without_grid_header_is_not_understood(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no budget-audit.yaml of the checkout
    path = _without_grid_header(tmp_path, 7)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(path)], out=out, err=err)
    assert code == 2
    message = err.getvalue()
    assert "layout not understood" in message and "未能识别版式" in message
    assert "表格 7" in message and "表格 1 " not in message
    with pytest.raises(ReadError) as raised:
        read_document(path, parse_value)
    assert raised.value.loc.ref == "表格 7 第10行第1列"  # the first indicator row, now headerless


def _split_table(tmp_path: Path, table_number: int, at_text: str, repeat_header: bool) -> Path:
    """The form with one Word table broken in two before the row whose first cells hold
    ``at_text`` (as a page break in Word leaves it), the grid header repeated or not."""
    import copy

    import docx

    document = docx.Document(str(DOCX))
    table = document.tables[table_number - 1]
    rows = list(table.rows)
    at = next(i for i, row in enumerate(rows) if any(cell.text.strip() == at_text for cell in row.cells))
    header = next(row for row in rows if row.cells[0].text.strip() == "一级指标")
    second = copy.deepcopy(table._tbl)
    for tr in list(second.iterchildren(tag=second.tr_lst[0].tag)):
        second.remove(tr)
    if repeat_header:
        second.append(copy.deepcopy(header._tr))
    for row in rows[at:]:
        second.append(row._tr)  # moved out of the first table
    table._tbl.addnext(second)
    path = tmp_path / "split.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize("repeat_header", [False, True])
def test_a_form_broken_over_two_word_tables_reads_whole(tmp_path, word, repeat_header):
    path = _split_table(tmp_path, 1, "生态效益", repeat_header)
    doc = read_document(path, parse_value)
    assert len(doc.projects) == 20
    assert [indicator_facts(i) for p in doc.projects for i in p.indicators] == [
        indicator_facts(i) for p in word.projects for i in p.indicators]
    assert not [n for n in doc.notes if "not read" in n.message]


def test_word_tables_are_named_by_their_captions(word):
    assert word.title == "二级项目支出绩效目标申报表"
    assert all(p.heading == "二级项目支出绩效目标申报表" for p in word.projects)


def _without_colons(tmp_path: Path) -> Path:
    """The Word form with its labels typed without colons (项目编码 for 项目编码：)."""
    import docx

    document = docx.Document(str(DOCX))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if len(cell.text) > 40 or not re.search(r"[：:]\s*$", cell.text):
                    continue  # a value, not a label
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.text = re.sub(r"[：:]\s*$", "", run.text)
    path = tmp_path / "bare.docx"
    document.save(str(path))
    return path


def test_word_form_typed_without_colons_is_still_the_form(tmp_path, workbook):
    doc = read_document(_without_colons(tmp_path), parse_value)
    assert doc.layout == "project-form" and doc.notes == []
    assert [project_facts(p) for p in doc.projects] == [project_facts(p) for p in workbook.projects]


@pytest.mark.parametrize(
    ("code", "year"),
    [("440306231390302000056", 2023), ("13020922P004N0F10002E", 2022), ("3505032025WJ001", 2025), ("项目A", None)],
)
def test_the_year_a_project_code_carries(code, year):
    from auditor.readers.assemble import code_year

    assert code_year(code) == year


def test_a_word_forms_title_above_its_unit_line_gives_the_year(tmp_path):
    """The paragraphs before the first table: the form's title (with its year), then a
    填报单位 line just above the table. The title gives the year, not the project codes."""
    import docx

    document = docx.Document(str(DOCX))
    first = document.tables[0]._tbl
    for text in ("2025年度项目支出绩效目标申报表", "填报单位（盖章）：某街道办事处　　金额单位：万元"):
        paragraph = document.add_paragraph(text)._p
        first.addprevious(paragraph)
    path = tmp_path / "titled.docx"
    document.save(str(path))
    doc = read_document(path, parse_value)
    assert (doc.year, doc.year_source, doc.title) == (2025, "title", "2025年度项目支出绩效目标申报表")
