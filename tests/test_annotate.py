"""``budget-audit annotate``: a copy of a .docx/.xlsx draft with one comment per active finding at
the finding's cell or paragraph; the draft itself is never written."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pytest

from auditor.annotate import AnnotateOptions, annotate
from auditor.cli import main
from auditor.engine import Engine
from auditor.inputs import InputFile
from auditor.pipeline import EngineSpec, audit_file
from auditor.rules import load_rules
from tests.conftest import DRAFT_FILES, FORM_WORKBOOK, ROOT

FORM_DOCX = ROOT / "tests" / "fixtures" / "forms" / "shenzhen_2023_project_form.docx"
FORMATS_DOCX = ROOT / "tests" / "fixtures" / "formats" / "000.docx"
FORMATS_XLSX = ROOT / "tests" / "fixtures" / "formats" / "000.xlsx"
SHARED_WORKBOOK = Path("/work/shared/corpus-forms/shenzhen_2023_project_form_workbook.xlsx")
WORKBOOK = SHARED_WORKBOOK if SHARED_WORKBOOK.exists() else FORM_WORKBOOK  # the same bytes, kept in the repository
DRAFTS = [WORKBOOK, FORM_DOCX, FORMATS_DOCX, FORMATS_XLSX]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ENTRY_MARK = re.compile(r"(?:^|\n)【(?:错误|警告|提示)】([^：\n]+)：")  # each finding's entry opens with its severity and rule title
RULE_OF_TITLE = {rule.title["zh"]: rule.id for rule in load_rules().rules}


def rules_named(text: str) -> list[str]:
    """The rules whose entries a comment holds, by their titles."""
    return [RULE_OF_TITLE[title] for title in ENTRY_MARK.findall(text)]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def active_findings(path: Path, *options: str) -> list[dict]:
    code, out, _ = run("check", str(path), "--format", "json", *options)
    assert code in (0, 1)
    return [f for f in json.loads(out)["documents"][0]["findings"] if not f["waived"] and not f["baseline"]]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def annotated(draft: Path, tmp_path: Path, *options: str) -> Path:
    target = tmp_path / f"annotated{draft.suffix}"
    code, _, err = run("annotate", str(draft), "-o", str(target), *options)
    assert code == 0, err
    return target


# -- where a Word comment sits, worked out with python-docx's own view of the body ---------------
def docx_anchors(document) -> dict[str, object]:
    """Comment id → the ``w:tc`` of a top-level table or the body ``w:p`` its range starts in."""
    body = document.element.body
    anchors = {}
    for start in body.iter(W + "commentRangeStart"):
        element, place = start, None
        while element is not body:
            if element.tag in (W + "tc", W + "p"):
                place = element  # the outermost cell or paragraph wins
            element = element.getparent()
        anchors[start.get(W + "id")] = place
    return anchors


def docx_ref(document, element) -> str:
    """The ref of a top-level cell (``表格 T 第R行第C列``) or body paragraph (``段落 N``, paragraphs
    with text counted), from python-docx's tables and paragraphs."""
    if element.tag == W + "tc":
        row = element.getparent()
        table = row.getparent()
        t = [tbl._tbl for tbl in document.tables].index(table) + 1
        return f"表格 {t} 第{table.tr_lst.index(row) + 1}行第{row.tc_lst.index(element) + 1}列"
    texts = [p._p for p in document.paragraphs if p.text.strip()]
    return f"段落 {texts.index(element) + 1}"


def element_text(element) -> str:
    return "".join(t.text or "" for t in element.iter(W + "t"))


def all_cell_texts_docx(document) -> list[str]:
    return [element_text(tc) for tc in document.element.body.iter(W + "tc")]


def misfiled(rule: str, evidence: str, row: str) -> bool:
    """category-misfiled is placed at the 二级指标 cell it questions, its evidence the 三级指标
    named in the same row."""
    return rule == "category-misfiled" and evidence in row


def check_docx(target: Path, findings: list[dict]) -> None:
    document = docx.Document(str(target))
    comments = {str(c.comment_id): c for c in document.comments}
    assert len(comments) == len(findings)
    anchors = docx_anchors(document)
    assert set(anchors) == set(comments)
    placed = Counter()
    cells = all_cell_texts_docx(document)
    with_evidence = 0
    for cid, comment in comments.items():
        (rule,) = rules_named(comment.text)
        ref = docx_ref(document, anchors[cid])
        placed[(ref, rule)] += 1
        finding = next(f for f in findings if f["location"]["ref"] == ref and f["rule"] == rule)
        assert finding["message"] in comment.text
        evidence = finding["evidence"].strip()
        if anchors[cid].tag == W + "tc" and evidence and any(evidence in text for text in cells):
            with_evidence += 1
            row = element_text(anchors[cid].getparent())
            assert evidence in element_text(anchors[cid]) or misfiled(rule, evidence, row), (ref, rule, evidence)
    assert placed == Counter((f["location"]["ref"], f["rule"]) for f in findings)
    assert with_evidence > len(findings) // 3


# -- where an Excel comment sits ------------------------------------------------------------------
def xlsx_cell(workbook, ref: str):
    name, coordinate = ref.rsplit("!", 1)
    name = name[1:-1].replace("''", "'") if name.startswith("'") else name
    sheet = workbook[name]
    for rng in sheet.merged_cells.ranges:
        if coordinate in rng:
            return sheet.cell(rng.min_row, rng.min_col)
    return sheet[coordinate]


def cell_text(cell) -> str:
    return "" if cell.value is None else str(cell.value)


def check_xlsx(draft: Path, target: Path, findings: list[dict]) -> None:
    workbook = openpyxl.load_workbook(target)
    before = openpyxl.load_workbook(draft)
    entries = Counter()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment is not None:
                    entries[(sheet.title, cell.coordinate)] += len(rules_named(cell.comment.text))
    assert sum(entries.values()) == len(findings)
    values = [cell_text(c) for s in before.worksheets for row in s.iter_rows() for c in row]
    with_evidence = 0
    for finding in findings:
        cell = xlsx_cell(workbook, finding["location"]["ref"])
        assert cell.comment is not None, finding["location"]["ref"]
        assert finding["rule"] in rules_named(cell.comment.text) and finding["message"] in cell.comment.text
        old = xlsx_cell(before, finding["location"]["ref"]).comment
        if old is not None:  # the template's own note is kept, first
            assert cell.comment.text.startswith(old.text)
        fill = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
        assert cell.fill.fgColor.rgb[-6:] in [fill[f["severity"]] for f in findings if xlsx_cell(workbook, f["location"]["ref"]) is cell]
        evidence = finding["evidence"].strip()
        if evidence and any(evidence in v for v in values):
            with_evidence += 1
            row = "".join(cell_text(c) for c in cell.parent[cell.row])
            assert evidence in cell_text(cell) or misfiled(finding["rule"], evidence, row), (finding["location"]["ref"], evidence)
    assert with_evidence > len(findings) // 3


@pytest.mark.parametrize("draft", DRAFTS, ids=lambda p: p.name)
def test_one_comment_per_active_finding_at_its_place(draft: Path, tmp_path: Path) -> None:
    findings = active_findings(draft)
    assert findings and all(f["location"]["ref"] for f in findings)
    before = digest(draft)
    target = annotated(draft, tmp_path)
    assert digest(draft) == before
    if draft.suffix == ".docx":
        check_docx(target, findings)
    else:
        check_xlsx(draft, target, findings)


def test_the_workbook_keeps_its_content(tmp_path: Path) -> None:
    target = annotated(WORKBOOK, tmp_path)
    before, after = openpyxl.load_workbook(WORKBOOK), openpyxl.load_workbook(target)
    assert before.sheetnames == after.sheetnames
    for old, new in zip(before.worksheets, after.worksheets):
        assert sorted(map(str, old.merged_cells.ranges)) == sorted(map(str, new.merged_cells.ranges))
        assert (old.max_row, old.max_column) == (new.max_row, new.max_column)
        for old_row, new_row in zip(old.iter_rows(), new.iter_rows()):
            for a, b in zip(old_row, new_row):
                assert (a.value, a.number_format) == (b.value, b.number_format)
                assert [repr(style) for style in (a.font, a.border, a.alignment, a.protection)] == \
                       [repr(style) for style in (b.font, b.border, b.alignment, b.protection)]  # styles are proxies: no ==
                if b.comment is None or not rules_named(b.comment.text):
                    assert repr(a.fill) == repr(b.fill) and (a.comment is None) == (b.comment is None)


def test_formulas_are_kept(tmp_path: Path) -> None:
    draft = tmp_path / "formula.xlsx"
    shutil.copy(FORMATS_XLSX, draft)
    workbook = openpyxl.load_workbook(draft)
    sheet = workbook.worksheets[-1]
    sheet["Z1"], sheet["Z2"], sheet["Z3"] = 1, 2, "=SUM(Z1:Z2)"
    workbook.save(draft)
    target = annotated(draft, tmp_path)
    assert openpyxl.load_workbook(target).worksheets[-1]["Z3"].value == "=SUM(Z1:Z2)"


def test_author_initials_and_language(tmp_path: Path) -> None:
    options = ("--author", "某区财政局", "--initials", "CZ", "--lang", "en")
    document = docx.Document(str(annotated(FORMATS_DOCX, tmp_path, *options)))
    comments = list(document.comments)
    assert {(c.author, c.initials) for c in comments} == {("某区财政局", "CZ")}
    assert all(c.text.startswith("[") and "Suggestion: " in c.text and "建议" not in c.text for c in comments)
    workbook = openpyxl.load_workbook(annotated(FORMATS_XLSX, tmp_path, *options))
    authors = {c.comment.author for s in workbook.worksheets for row in s.iter_rows() for c in row if c.comment}
    assert authors == {"某区财政局"}


def test_defaults_and_chinese_text(tmp_path: Path) -> None:
    comments = list(docx.Document(str(annotated(FORMATS_DOCX, tmp_path))).comments)
    assert {(c.author, c.initials) for c in comments} == {("budget-audit", "BA")}
    first = comments[0].text.split("\n")
    assert re.match(r"^【(错误|警告|提示)】.+：", first[0]) and first[1].startswith("建议：")
    assert not re.search(r"[a-z]+-[a-z]+", comments[0].text)  # no rule id: the department reads the title


def test_a_waived_finding_is_not_annotated(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: section-duplicate\n    reason: 已核实\n", encoding="utf-8")
    every = active_findings(FORMATS_DOCX)
    waived = sum(1 for f in every if f["rule"] == "section-duplicate")
    assert waived
    target = annotated(FORMATS_DOCX, tmp_path, "--waivers", str(waivers), "--today", "2026-12-01")
    comments = list(docx.Document(str(target)).comments)
    assert len(comments) == len(every) - waived
    assert not any("section-duplicate" in c.text for c in comments)


def test_the_input_is_never_overwritten(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    shutil.copy(FORMATS_DOCX, draft)
    before = digest(draft)
    hard = tmp_path / "hard.docx"
    os.link(draft, hard)
    symbolic = tmp_path / "symbolic.docx"
    symbolic.symlink_to(draft)
    for target in (draft, tmp_path / "." / "draft.docx", hard, symbolic):
        code, _, err = run("annotate", str(draft), "-o", str(target))
        assert code == 2 and "never modifies" in err and "Traceback" not in err
    assert digest(draft) == before


@pytest.mark.parametrize("name", ["draft.txt", "draft.csv"])
def test_text_inputs_are_refused(tmp_path: Path, name: str) -> None:
    draft = tmp_path / name
    shutil.copy(DRAFT_FILES["000"], draft)
    code, _, err = run("annotate", str(draft), "-o", str(tmp_path / "out.docx"))
    assert code == 2 and ".docx" in err and ".xlsx" in err and str(draft) in err
    assert not (tmp_path / "out.docx").exists()


def test_damaged_draft_and_wrong_output_name(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(FORMATS_DOCX.read_bytes()[:3000])
    code, _, err = run("annotate", str(damaged), "-o", str(tmp_path / "out.docx"))
    assert code == 2 and str(damaged) in err and "Traceback" not in err
    memo = tmp_path / "memo.docx"  # a Word file, but not a draft: not audited, so not annotated
    document = docx.Document()
    document.add_paragraph("会议纪要")
    document.save(str(memo))
    code, _, err = run("annotate", str(memo), "-o", str(tmp_path / "memo-out.docx"))
    assert code == 2 and str(memo) in err and "not a draft" in err and not (tmp_path / "memo-out.docx").exists()
    code, _, err = run("annotate", str(FORMATS_DOCX), "-o", str(tmp_path / "out.xlsx"))
    assert code == 2 and ".docx" in err
    with pytest.raises(SystemExit) as exit_info:  # no -o: argparse's usage error
        run("annotate", str(FORMATS_DOCX))
    assert exit_info.value.code == 2


def audited(draft: Path) -> tuple[list, list]:
    """The draft's findings as the library gets them (``Finding`` objects), and the rules run."""
    spec = EngineSpec(keep_context=False)
    config, _, rules = spec.load()
    engine = Engine(rules)
    try:
        return list(audit_file(engine, InputFile(draft, str(draft)), layouts=spec.layouts(config)).findings), rules
    finally:
        engine.close()


def test_unplaced_and_whole_draft_findings_are_commented_at_the_start(tmp_path: Path) -> None:
    findings, rules = audited(FORMATS_DOCX)
    findings[0] = dataclasses.replace(findings[0], ref="表格 99 第1行第1列")
    findings[1] = dataclasses.replace(findings[1], ref=None)
    options = AnnotateOptions(titles={r.id: r.title for r in rules})
    target = tmp_path / "out.docx"
    written = annotate(FORMATS_DOCX, target, "docx", findings, options)
    assert written.comments == len(findings)
    assert [u.finding.ref for u in written.unplaced] == ["表格 99 第1行第1列"]
    document = docx.Document(str(target))
    comments = {str(c.comment_id): c.text for c in document.comments}
    start = [p._p for p in document.paragraphs if p.text.strip()][0]
    at_start = [cid for cid, place in docx_anchors(document).items() if place is start]
    assert sorted(comments[cid].split("\n")[0] for cid in at_start) == ["（位置“表格 99 第1行第1列”在文件中未找到）", "（针对整份草稿）"]
    xlsx_target = tmp_path / "out.xlsx"
    findings, _ = audited(FORMATS_XLSX)
    findings[0] = dataclasses.replace(findings[0], ref="没有这张表!A1")
    findings[1] = dataclasses.replace(findings[1], ref=None)
    written = annotate(FORMATS_XLSX, xlsx_target, "xlsx", findings, options)
    assert written.comments == len(findings) and len(written.unplaced) == 1
    first = openpyxl.load_workbook(xlsx_target).worksheets[0]["A1"].comment.text
    assert "没有这张表!A1" in first and "（针对整份草稿）" in first


def test_the_count_is_reported_on_stderr(tmp_path: Path) -> None:
    """Every ref of the run places, so no finding is reported as not found."""
    code, _, err = run("annotate", str(FORMATS_XLSX), "-o", str(tmp_path / "out.xlsx"))
    assert code == 0 and "26 comments at 26 places" in err and "not found" not in err


@pytest.mark.parametrize("draft", [FORMATS_DOCX, WORKBOOK], ids=lambda p: p.name)
def test_same_input_same_content(draft: Path, tmp_path: Path) -> None:
    """With --today the copy is the same bytes run after run: the comments and the workbook's
    modified date carry the review's date, the zip entries a fixed one."""
    first = annotated(draft, tmp_path / "a", "--today", "2026-12-01")
    second = annotated(draft, tmp_path / "b", "--today", "2026-12-01")
    assert first.read_bytes() == second.read_bytes()
    if draft.suffix == ".docx":
        assert {c.timestamp.isoformat() for c in docx.Document(str(first)).comments} == {"2026-12-01T00:00:00+00:00"}
    else:
        assert openpyxl.load_workbook(first).properties.modified.isoformat() == "2026-12-01T00:00:00"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_copies(tmp_path: Path) -> None:
    for draft in (FORMATS_DOCX, FORMATS_XLSX):
        target = annotated(draft, tmp_path / draft.suffix[1:])
        pdfs = tmp_path / f"pdf-{draft.suffix[1:]}"
        subprocess.run([shutil.which("soffice"), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                        "--outdir", str(pdfs), str(target)], check=True, capture_output=True, timeout=240)
        pdf = pdfs / (target.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 0


def test_a_damaged_draft_is_named_once_with_its_part(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.docx"
    with zipfile.ZipFile(FORMATS_DOCX) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[: len(data) // 2] if info.filename == "word/document.xml" else data)
    code, _, err = run("annotate", str(damaged), "-o", str(tmp_path / "copy.docx"))
    assert code == 2 and err.count("word/document.xml") == 1 and "XML" in err
