"""The .docx, .xlsx, PDF and legacy-encoding readers against the text exports.

The key check: for each corpus draft, the model read from its .docx and .xlsx fixture (built by
``tools/make_fixtures.py``) equals the model read from the text export — locations aside — and so
do the findings. The PDFs (printed from the .docx by LibreOffice) reach the same projects and
budgets. Then the hand-shaped edge cases, text encodings, dispatch by content and folder input.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.inputs import collect_inputs
from auditor.messages import render
from auditor.model import Document, Location
from auditor.readers import ReadError, read_document
from auditor.values import parse_value
from tests.conftest import DRAFT_FILES, ROOT

FORMATS = ROOT / "tests" / "fixtures" / "formats"
KEYS = sorted(DRAFT_FILES)
# fields that differ by format by design: where things are, and what the reader noted
POSITIONAL = {"path", "source_format", "loc", "cells", "fields", "goals_loc", "year_loc"}


def canon(value, drop: set[str] = POSITIONAL):
    """A model as plain data with every ``Location`` (line, column or ref) left out."""
    if isinstance(value, Location):
        return None
    if dataclasses.is_dataclass(value):
        return {f.name: canon(getattr(value, f.name), drop) for f in dataclasses.fields(value) if f.name not in drop}
    if isinstance(value, (list, tuple)):
        return [canon(v, drop) for v in value]
    if isinstance(value, dict):
        return {k: canon(v, drop) for k, v in value.items()}
    return value


def model_of(doc: Document, keep_toc_field: bool = True) -> dict:
    """Projects (all fields, parsed values), sections, department table, toc, year, department,
    and the readers' note messages — without locations."""
    drop = POSITIONAL | {"notes"} | (set() if keep_toc_field else {"toc_field"})
    data = canon(doc, drop)
    data["notes"] = [note.message for note in doc.notes]
    return data


def without_places(message) -> tuple:
    """A finding's messages with the places they quote ({at}, {ats}: lines in a text export,
    cell references elsewhere) replaced by a token, so formats compare equal."""
    data = {
        key: "<at>" if isinstance(value, Location) or (isinstance(value, list) and value and isinstance(value[0], Location))
        else value
        for key, value in message.data.items()
        if key not in ("line", "lines", "first_line")
    }
    return tuple(sorted((lang, render(template, data, lang)) for lang, template in message.templates.items()))


def findings_of(result) -> list[tuple]:
    """Findings by (rule, project index, field, evidence, message), locations ignored."""
    rows = []
    for finding in result.findings:
        rows.append((finding.rule, finding.project.index if finding.project else None, finding.field,
                     finding.evidence, without_places(finding.message), finding.severity))
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def engine():
    from auditor.engine import Engine
    from auditor.rules import load_rules

    return Engine.from_ruleset(load_rules())


def read(path: Path) -> Document:
    return read_document(path, parse_value)


# -- equality with the text export -----------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_docx_model_equals_text_model(drafts, key):
    doc = read(FORMATS / f"{key}.docx")
    assert doc.source_format == "docx"
    assert model_of(doc) == model_of(drafts[key])  # TC fields included: they are real fields


@pytest.mark.parametrize("key", KEYS)
def test_xlsx_model_equals_text_model(drafts, key):
    doc = read(FORMATS / f"{key}.xlsx")
    assert doc.source_format == "xlsx"
    # a spreadsheet has no Word TC fields: everything else must match
    assert model_of(doc, keep_toc_field=False) == model_of(drafts[key], keep_toc_field=False)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("key", KEYS)
def test_findings_equal_text_findings(drafts, audits, engine, key, fmt):
    doc = read(FORMATS / f"{key}.{fmt}")
    expected = findings_of(audits[key])
    if fmt == "xlsx":  # a sheet has no Word TC fields, so nothing for toc-mismatch to compare
        expected = [f for f in expected if f[0] != "toc-mismatch"]
    assert findings_of(engine.audit(doc)) == expected


def _projects_and_budgets(doc: Document) -> list[tuple]:
    def amounts(p):
        b = p.budget
        return (b.total.raw, b.fiscal.raw, b.other.raw) if b else None

    return [("".join(p.heading.split()), p.code, p.name, p.money_unit, amounts(p)) for p in doc.projects]


@pytest.mark.parametrize("key", KEYS)
def test_pdf_reaches_the_same_projects_and_budgets(drafts, key):
    doc = read(FORMATS / f"{key}.pdf")
    text = drafts[key]
    assert doc.source_format == "pdf"
    assert _projects_and_budgets(doc) == _projects_and_budgets(text)
    assert (doc.department, doc.department_code, doc.year) == (text.department, text.department_code, text.year)
    assert [len(p.indicators) for p in doc.projects] == [len(p.indicators) for p in text.projects]
    assert [s.kind for s in doc.sections] == [s.kind for s in text.sections]


def test_pdf_spending_plans_and_indicators(drafts):
    """Beyond the bar: schedules and indicator values also come through, except where a merged
    label cell is split by a page break (001 project 4: its 资金支出计划 label lands on the next
    page, so that schedule is not recognised)."""
    for key in KEYS:
        doc = read(FORMATS / f"{key}.pdf")
        for pdf_p, text_p in zip(doc.projects, drafts[key].projects):
            if (key, text_p.index) == ("001", 4):
                continue
            plan = lambda p: [(pt.label, pt.raw) for pt in p.spending_plan.points] if p.spending_plan else None  # noqa: E731
            assert plan(pdf_p) == plan(text_p), (key, text_p.index)
            assert [i.level3 for i in pdf_p.indicators] == [i.level3 for i in text_p.indicators], (key, text_p.index)


# -- locations --------------------------------------------------------------------------------
def test_locations_name_paragraphs_cells_and_pages():
    docx = read(FORMATS / "000.docx")
    project = docx.projects[0]
    assert project.loc.ref.startswith("段落 ") and project.loc.line is None
    assert project.loc_of("code").ref == "表格 1 第2行第2列"
    assert project.indicators[0].loc_of("value").ref == "表格 1 第9行第5列"
    assert str(project.loc_of("code")) == "表格 1 第2行第2列"
    xlsx = read(FORMATS / "000.xlsx")
    assert xlsx.projects[0].loc_of("code").ref == "项目1!B3"
    assert xlsx.projects[0].loc.ref == "项目1!A1"
    assert xlsx.sections[0].loc.ref.startswith("第一部分!A")
    pdf = read(FORMATS / "000.pdf")
    assert pdf.projects[0].loc.ref.startswith("第") and pdf.projects[0].loc.ref.endswith("页")
    assert pdf.projects[0].loc_of("code").ref.endswith("表格 1 第2行第2列")


def test_xlsx_several_projects_per_sheet():
    doc = read(FORMATS / "003.xlsx")
    sheets = {p.loc.ref.split("!")[0] for p in doc.projects}
    assert sheets == {"'项目1-10'", "'项目11-20'", "'项目21-30'", "'项目31-34'"}


def test_xlsx_numbers_show_as_their_format(drafts):
    doc = read(FORMATS / "001.xlsx")
    assert doc.projects[0].spending_plan.points[0].raw == "25.00%"  # 0.25 formatted 0.00%
    assert doc.projects[6].budget.total.raw == "1862.00"
    from auditor.readers.xlsx import format_number

    assert format_number(1862.0, "#,##0.00") == "1,862.00"
    assert format_number(0.255, "0.0%") == "25.5%"
    assert format_number(21.9, "0.00") == "21.90"
    assert format_number(3.0, "General") == "3"
    assert format_number(0.1, "General") == "0.1"


# -- hand-shaped edge cases -------------------------------------------------------------------
def _edge_checks(doc: Document) -> None:
    (project,) = doc.projects
    assert project.code == "100-0001-TEST" and project.name == "边界测试项目"
    assert str(project.budget.total.value) == "12.50"
    assert project.purpose.text == "用于边界测试"
    assert [pt.raw for pt in project.spending_plan.points] == ["10.00", "40.00", "80.00", "100.00"]
    assert [g.text for g in project.goals] == ["完成测试", "覆盖合并单元格"]
    assert [(i.level1, i.level2) for i in project.indicators] == [
        ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
        ("效益指标", "社会效益指标"), ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标"),
    ]
    assert [i.filled for i in project.indicators] == [(), ("level1",), ("level1",), (), ("level1",), ()]


@pytest.mark.parametrize("name", ["edge_merged.docx", "edge_merged.xlsx"])
def test_merged_cells_across_rows(name):
    doc = read(FORMATS / name)
    _edge_checks(doc)


def test_docx_merges_are_real_vmerge_and_gridspan():
    import zipfile

    xml = zipfile.ZipFile(FORMATS / "edge_merged.docx").read("word/document.xml").decode()
    assert 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml and "w:gridSpan" in xml


def test_legacy_doc_through_libreoffice(monkeypatch):
    from auditor.readers import legacy

    if legacy.find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    doc = read(FORMATS / "edge_merged.doc")
    assert doc.source_format == "doc"
    _edge_checks(doc)
    assert doc.notes[0].message.startswith("Word 97 .doc converted")


def test_legacy_doc_without_libreoffice_says_what_to_install(monkeypatch):
    from auditor.readers import legacy

    monkeypatch.setattr(legacy, "find_soffice", lambda: None)
    with pytest.raises(ReadError) as error:
        read(FORMATS / "edge_merged.doc")
    assert "LibreOffice" in error.value.message and "soffice" in error.value.message


def test_table_split_over_two_pages():
    docx = read(FORMATS / "edge_split_table.docx")
    assert len(docx.projects) == 1 and len(docx.projects[0].indicators) == 24
    pdf = read(FORMATS / "edge_split_table.pdf")
    pages = {i.loc.ref.split(" ")[0] for i in pdf.projects[0].indicators}
    assert len(pages) == 2  # the table really runs over a page break …
    assert len(pdf.projects) == 1 and len(pdf.projects[0].indicators) == 24  # … and reads as one
    assert [i.level3 for i in pdf.projects[0].indicators] == [i.level3 for i in docx.projects[0].indicators]
    two = read(FORMATS / "edge_two_tables.docx")  # continued in a second table after a page break
    assert len(two.projects) == 1 and len(two.projects[0].indicators) == 12


def test_empty_table_is_not_a_clean_draft():
    """A document whose only table is empty holds nothing to audit: it must not pass every rule
    and be reported as free of problems."""
    with pytest.raises(ReadError, match="未找到绩效目标内容.*no performance-target content"):
        read(FORMATS / "edge_empty_table.docx")


def test_text_without_a_draft_in_it_is_an_input_error(tmp_path):
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("这是一份会议纪要。\n今天讨论了天气。\n\n\t签到\n\t张三\n", encoding="utf-8")
    with pytest.raises(ReadError, match="未找到绩效目标内容") as raised:
        read(minutes)
    assert raised.value.path == str(minutes)


def test_nested_table_is_flattened_and_noted():
    doc = read(FORMATS / "edge_nested_table.docx")
    (project,) = doc.projects
    assert "子目标 完成时间" in project.goals[-1].text and "完成验收 12月底" in project.goals[-1].text
    assert [n.message for n in doc.notes] == ["nested table flattened into the cell text"]
    assert doc.notes[0].loc.ref == "表格 1 第7行第2列"
    assert len(project.indicators) == 6


# -- text encodings -------------------------------------------------------------------------------
def test_gbk_file_reads_like_its_utf8_original(drafts):
    doc = read(FORMATS / "004_gbk.txt")
    assert canon(doc, POSITIONAL | {"notes"}) == canon(drafts["004"], POSITIONAL | {"notes"})
    assert [n.message for n in doc.notes] == ["text decoded as gb18030"]
    assert doc.projects[5].loc.line == drafts["004"].projects[5].loc.line  # lines still count


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""), ("gb18030", b""),
])
def test_encodings_and_crlf(drafts, tmp_path, encoding, bom):
    text = DRAFT_FILES["000"].read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / f"draft-{encoding}.txt"
    path.write_bytes(bom + text.encode(encoding))
    doc = read(path)
    assert canon(doc, POSITIONAL | {"notes"}) == canon(drafts["000"], POSITIONAL | {"notes"})


# -- dispatch by content ------------------------------------------------------------------------
def test_content_wins_over_the_name(tmp_path, drafts):
    docx_as_txt = tmp_path / "draft.txt"
    shutil.copyfile(FORMATS / "004.docx", docx_as_txt)
    doc = read(docx_as_txt)
    assert doc.source_format == "docx" and len(doc.projects) == 9
    assert doc.notes[0].message == "file is named .txt but holds a docx document; read by its content"
    text_as_docx = tmp_path / "draft.docx"
    shutil.copyfile(DRAFT_FILES["004"], text_as_docx)
    doc = read(text_as_docx)
    assert doc.source_format == "text" and len(doc.projects) == 9
    assert doc.notes[0].message == "file is named .docx but holds plain text; read as text"
    xlsx_as_pdf = tmp_path / "draft.pdf"
    shutil.copyfile(FORMATS / "004.xlsx", xlsx_as_pdf)
    assert read(xlsx_as_pdf).source_format == "xlsx"


def test_folders_pick_up_every_draft_format(tmp_path):
    for name in ("a.txt", "b.DOCX", "c.xlsx", "d.pdf", "e.doc", "~$b.docx", ".hidden.docx", "notes.md", "f.xls"):
        (tmp_path / name).write_bytes(b"x")
    files, problems = collect_inputs([str(tmp_path)])
    assert [f.path.name for f in files] == ["a.txt", "b.DOCX", "c.xlsx", "d.pdf", "e.doc"]
    assert problems == []


def test_check_reports_a_folder_of_mixed_formats(tmp_path):
    from auditor.cli import main

    folder = tmp_path / "草稿 混合"
    folder.mkdir()
    shutil.copyfile(DRAFT_FILES["000"], folder / "000.txt")
    for name in ("001.docx", "002.xlsx", "004.pdf", "edge_merged.docx"):
        shutil.copyfile(FORMATS / name, folder / name)
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(folder), "--format", "json", "--fail-on", "never"], out, err)
    assert code == 0, err.getvalue()
    report = json.loads(out.getvalue())
    names = [Path(d["path"]).name for d in report["documents"]]
    assert names == ["000.txt", "001.docx", "002.xlsx", "004.pdf", "edge_merged.docx"]
    assert all(d["findings"] for d in report["documents"][:4])


def test_heavy_libraries_load_only_when_a_format_needs_them():
    probe = ("import sys, auditor.cli, auditor.readers; "
             "print(','.join(m for m in ('docx', 'openpyxl', 'pdfplumber', 'charset_normalizer', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
