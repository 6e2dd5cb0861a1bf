"""``--format docx``: the 审核意见 a reviewer sends each unit, as a Word document — one opinion
per unit with its verdict table, the problems by review dimension, the inputs not audited, the
request to resubmit and the signature block."""

from __future__ import annotations

import datetime
import io
import json
import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from auditor.cli import main
from auditor.report import DIMENSIONS
from tests.conftest import ROOT

WORKBOOK = Path("/work/shared/corpus-forms/shenzhen_2023_project_form_workbook.xlsx")
TEXT = ROOT / "samples" / "000_462a8d09a638f69f.txt"
WORD = ROOT / "tests" / "fixtures" / "formats" / "000.docx"
OPINION = ["--issuer", "某区财政局", "--reviewer", "张三", "--deadline", "2026-12-20", "--today", "2026-12-03"]
LINE = re.compile(r"第\d+(?:、\d+)*行(?!第)")  # a text line, not a Word table's 第5行第2列
LINE_EN = re.compile(r"\blines? \d+")
NUMERALS = "一二三四五六七八九十"

needs_workbook = pytest.mark.skipif(not WORKBOOK.exists(), reason="the shared corpus workbook is not here")


def check(*args: str) -> None:
    err = io.StringIO()
    assert main(["check", *args, "-q", "--fail-on", "never"], out=io.StringIO(), err=err) in (0, 2), err.getvalue()


def broken_input(folder: Path) -> Path:
    path = folder / "broken.xlsx"
    path.write_bytes(b"not a workbook")
    return path


def units(path: Path) -> list[dict]:
    """The document split into its opinions: title, paragraphs (text, style) and table rows."""
    document = docx.Document(str(path))
    found: list[dict] = []
    tables = iter(document.tables)
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = docx.text.paragraph.Paragraph(child, document)
            if paragraph.style.name == "Opinion Title":
                found.append({"title": paragraph, "paragraphs": [], "rows": []})
            elif found:
                found[-1]["paragraphs"].append((paragraph.text, paragraph.style.name))
        elif child.tag == qn("w:tbl"):
            found[-1]["rows"] = [[cell.text for cell in row.cells] for row in next(tables).rows]
    return found


def text_of(unit: dict) -> str:
    return "\n".join([text for text, _ in unit["paragraphs"]] + ["\t".join(row) for row in unit["rows"]])


def project_rows(unit: dict) -> list[tuple[str, ...]]:
    """The verdict table's project rows: not the header, not a file's heading row."""
    return [tuple(row[:4]) for row in unit["rows"][1:] if len(set(row)) > 1]


def audited(report: dict) -> list[dict]:
    """The JSON report's audited drafts (inputs not audited are items of their own)."""
    return [doc for doc in report["documents"] if doc["error_kind"] is None]


def active_by_dimension(documents: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in documents:
        for finding in doc["findings"]:
            if not finding["waived"] and not finding["baseline"] and finding["severity"] != "info":  # notes are not sent back
                counts[finding["dimension"]] = counts.get(finding["dimension"], 0) + 1
    return {d: counts[d] for d in DIMENSIONS if d in counts}


@pytest.fixture(scope="module")
def run_zh(tmp_path_factory):
    """The workbook, the text draft and its Word form (one unit: the same department) and an
    unreadable file, with the JSON report of the same run beside the opinion."""
    folder = tmp_path_factory.mktemp("opinion")
    report, opinion = folder / "report.json", folder / "opinion.docx"
    check(str(WORKBOOK), str(TEXT), str(WORD), str(broken_input(folder)), "--format", "json", "-o", str(report),
          "--docx", str(opinion), *OPINION)
    return json.loads(report.read_text(encoding="utf-8")), opinion


@needs_workbook
def test_one_opinion_per_unit_addressed_to_it(run_zh):
    report, opinion = run_zh
    found = units(opinion)
    departments = list(dict.fromkeys(doc["department"] for doc in audited(report)))
    assert len(departments) == 2  # the workbook's unit, and the text draft's with its Word form
    assert [u["paragraphs"][0][0] for u in found] == [f"{d}：" for d in departments] + ["未注明单位："]
    assert [u["title"].text for u in found] == ["2023年度项目支出绩效目标审核意见", "2020年度项目支出绩效目标审核意见",
                                                "项目支出绩效目标审核意见"]
    assert [bool(u["title"].paragraph_format.page_break_before) for u in found] == [False, True, True]
    opening = found[0]["paragraphs"][1][0]
    assert opening.startswith(f"经审核，你单位报送的{audited(report)[0]['projects']}个项目中") and opening.endswith("审核意见如下：")


@needs_workbook
def test_verdict_table_has_each_projects_verdict(run_zh):
    report, opinion = run_zh
    found = units(opinion)
    assert found[0]["rows"][0] == ["序号", "项目编码", "项目名称", "审核结论", "主要问题/需修改的指标"]
    for unit, department in zip(found, dict.fromkeys(doc["department"] for doc in audited(report))):
        expected = [
            ("—" if p["index"] is None else str(p["index"]), p["code"] or "—", p["name"], p["label"])
            for doc in audited(report) if doc["department"] == department
            for p in doc["verdict"]["projects"]
        ]
        assert project_rows(unit) == expected
    workbook_rows = {row[2]: row for row in found[0]["rows"][1:]}
    for project in audited(report)[0]["verdict"]["projects"]:
        for indicator in project["indicators"]:  # the indicators that send a project back are named
            assert f"{indicator['level2']}/{indicator['level3']}" in workbook_rows[project["name"]][4]
    # two drafts of one unit: each under a row naming its file
    files = [row[0] for row in found[1]["rows"] if len(set(row)) == 1]
    assert [f.startswith("文件：") and Path(f).name for f in files] == [TEXT.name, WORD.name]


@needs_workbook
def test_dimension_headings_count_the_findings_and_name_each_problem_once(run_zh):
    report, opinion = run_zh
    found = units(opinion)
    for unit, department in zip(found, dict.fromkeys(doc["department"] for doc in audited(report))):
        counts = active_by_dimension([doc for doc in audited(report) if doc["department"] == department])
        headings = [text for text, style in unit["paragraphs"] if style == "Heading 1"]
        assert headings == [f"{NUMERALS[n]}、{d}（{c}条）" for n, (d, c) in enumerate(counts.items())]
        sections: list[list[str]] = []
        for text, style in unit["paragraphs"]:
            if style == "Heading 1":
                sections.append([])
            elif style == "Heading 2":
                sections[-1].append(text)
        for problems, total in zip(sections, counts.values()):
            titles = [re.sub(r"^（[一二三四五六七八九十]+）|（\d+条）$", "", p) for p in problems]
            assert len(set(titles)) == len(titles)  # each problem once per dimension
            assert sum(int(re.search(r"（(\d+)条）$", p).group(1)) for p in problems) == total
    assert "。；" not in text_of(found[0])  # several pieces of advice read as one text


@needs_workbook
def test_places_are_cells_for_forms_and_lines_only_for_the_text_draft(run_zh):
    report, opinion = run_zh
    workbook, linxi = units(opinion)[:2]
    assert not LINE.search(text_of(workbook))
    assert re.search(r"'1\.政府购买服务[^']*'!D13", text_of(workbook))
    assert "指标“质量/党群服务中心运营”" in text_of(workbook)  # the indicator row, 二级/三级
    places = [p for text, _ in linxi["paragraphs"] if text.startswith("涉及：") for p in text[3:].split("；")]
    by_file = {name: [p for p in places if p.startswith(f"{name}：")] for name in (TEXT.name, WORD.name)}
    assert by_file[TEXT.name] and by_file[WORD.name]
    assert all(LINE.search(p) for p in by_file[TEXT.name])
    assert not any(LINE.search(p) for p in by_file[WORD.name]) and any("表格 " in p for p in by_file[WORD.name])


@needs_workbook
def test_signature_date_and_deadline(run_zh):
    report, opinion = run_zh
    for unit in units(opinion):
        text = text_of(unit)
        assert "请你单位对照上述意见修改完善绩效目标，于2026年12月20日前重新报送。" in text
        assert [t for t, _ in unit["paragraphs"][-3:]] == ["审核单位：某区财政局", "审核人：张三", "2026年12月3日"]
    properties = docx.Document(str(opinion)).core_properties
    assert properties.created == properties.modified == datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)


@needs_workbook
def test_an_unreadable_input_is_listed_not_passed(run_zh):
    report, opinion = run_zh
    unknown = units(opinion)[2]
    (row,) = unknown["rows"][1:]
    assert row[2].endswith("broken.xlsx") and row[3] == "不通过" and "无法读取" in row[4]
    assert ("一、未能审核的文件（1个）", "Heading 1") in unknown["paragraphs"]
    assert unknown["paragraphs"][1][0] == "经审核，你单位报送的1个文件未能审核。审核意见如下："


def test_without_issuer_reviewer_or_deadline_nothing_is_invented(tmp_path):
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    for path in (first, second):
        check(str(WORD), "--format", "docx", "-o", str(path), "--today", "2026-12-03")
    assert first.read_bytes() == second.read_bytes()  # the same bytes for the same input
    (unit,) = units(first)
    text = text_of(unit)
    assert not LINE.search(text) and "表格 " in text  # a Word form's places are its tables' cells
    assert "请你单位对照上述意见修改完善绩效目标，修改后重新报送。" in text and "日前" not in text
    assert [t for t, _ in unit["paragraphs"][-3:]] == ["审核单位：＿＿＿＿＿＿＿＿", "审核人：＿＿＿＿＿＿＿＿", "2026年12月3日"]


def test_fonts_and_page(tmp_path):
    path = tmp_path / "opinion.docx"
    check(str(TEXT), "--format", "docx", "-o", str(path), "--today", "2026-12-03")
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

    def east_asian(style: str) -> str:
        return document.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert (east_asian("Normal"), east_asian("Heading 1"), east_asian("Opinion Title")) == ("仿宋", "黑体", "宋体")
    assert LINE.search(text_of(units(path)[0]))  # a text draft's places are its lines


@needs_workbook
def test_english_opinion(tmp_path):
    path = tmp_path / "opinion.docx"
    report = tmp_path / "report.json"
    check(str(WORKBOOK), str(broken_input(tmp_path)), "--format", "docx", "-o", str(path), "--json", str(report),
          "--lang", "en", *OPINION)
    data = json.loads(report.read_text(encoding="utf-8"))
    workbook, unknown = units(path)
    assert workbook["title"].text == "Review opinion on the 2023 project expenditure performance targets"
    assert workbook["paragraphs"][0][0] == f"To {audited(data)[0]['department']}:"
    assert workbook["rows"][0][:4] == ["No.", "Project code", "Project name", "Verdict"]
    assert project_rows(workbook) == [
        ("—" if p["index"] is None else str(p["index"]), p["code"] or "—", p["name"], p["label"])
        for p in audited(data)[0]["verdict"]["projects"]
    ]
    assert {p["label"] for p in audited(data)[0]["verdict"]["projects"]} <= {"pass", "pass after revision", "not passed"}
    counts = active_by_dimension(audited(data))
    labels = {"完整性": "completeness", "相关性": "relevance", "可测性": "measurability", "适当性": "appropriateness", "规范性": "form"}
    headings = [text for text, style in workbook["paragraphs"] if style == "Heading 1"]
    assert headings == [f"{n}. {labels[d]} ({c})" for n, (d, c) in enumerate(counts.items(), 1)]
    text = text_of(workbook)
    assert not LINE_EN.search(text) and not LINE.search(text)
    assert "resubmit them by 20 December 2026." in text
    assert [t for t, _ in workbook["paragraphs"][-3:]] == ["Reviewing body: 某区财政局", "Reviewer: 张三", "3 December 2026"]
    assert unknown["paragraphs"][0][0] == "To unit not stated (未注明单位):"
    assert unknown["rows"][1][3] == "not passed" and unknown["rows"][1][2].endswith("broken.xlsx")


def run_check(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *args, "-q", "--fail-on", "never"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """Two units and an unreadable input, written both as one file and as a folder (not there
    yet, two levels deep) of one file per unit; the JSON report and the run's output beside."""
    folder = tmp_path_factory.mktemp("opinion-dir")
    inputs = (str(WORKBOOK), str(TEXT), str(broken_input(folder)))
    single, report, target = folder / "opinion.docx", folder / "report.json", folder / "out" / "units"
    plain = run_check(*inputs, "--json", str(report), "--docx", str(single), *OPINION)
    with_dir = run_check(*inputs, "--json", str(report), "--docx", str(single), "--docx-dir", str(target), *OPINION)
    return json.loads(report.read_text(encoding="utf-8")), single, target, plain, with_dir


@needs_workbook
def test_docx_dir_writes_each_unit_its_own_opinion(run_dir):
    report, _, target, plain, with_dir = run_dir
    assert with_dir == plain  # the folder adds no output of its own, nor changes the exit code
    departments = list(dict.fromkeys(doc["department"] for doc in audited(report)))
    assert len(departments) == 2
    assert sorted(p.name for p in target.iterdir()) == sorted([f"{d}.docx" for d in departments] + ["未注明单位.docx"])
    for department in departments:
        (unit,) = units(target / f"{department}.docx")
        assert unit["paragraphs"][0][0] == f"{department}："
        own = [doc for doc in audited(report) if doc["department"] == department]
        assert project_rows(unit) == [
            ("—" if p["index"] is None else str(p["index"]), p["code"] or "—", p["name"], p["label"])
            for doc in own for p in doc["verdict"]["projects"]
        ]
        other = next(d for d in departments if d != department)
        assert other not in text_of(unit) and "broken.xlsx" not in text_of(unit)
    (unknown,) = units(target / "未注明单位.docx")
    assert unknown["paragraphs"][0][0] == "未注明单位：" and unknown["rows"][1][2].endswith("broken.xlsx")


@needs_workbook
def test_docx_dir_files_hold_the_single_files_opinions(run_dir, tmp_path):
    report, single, target, _, _ = run_dir
    names = list(dict.fromkeys(doc["department"] for doc in audited(report))) + ["未注明单位"]
    for name, unit in zip(names, units(single), strict=True):
        (alone,) = units(target / f"{name}.docx")
        assert alone["title"].text == unit["title"].text and not alone["title"].paragraph_format.page_break_before
        assert (alone["paragraphs"], alone["rows"]) == (unit["paragraphs"], unit["rows"])
    # a unit's file is, byte for byte, the single file of a run of that unit's drafts alone
    workbook_only = tmp_path / "workbook.docx"
    check(str(WORKBOOK), "--format", "docx", "-o", str(workbook_only), *OPINION)
    assert (target / f"{names[0]}.docx").read_bytes() == workbook_only.read_bytes()


def test_unit_file_names_are_portable_and_distinct():
    from auditor.writers.opinion_docx import unit_file_names

    units_ = ["某区财政局/教育局: 本级*", "某区财政局_教育局_ 本级_", "CON", "com1.备用", "学校. ", "学校", "学校 ", "ＡＢ", "ab", "AB",
              "?|<>", " . ", "中" * 120]
    names = unit_file_names(units_)
    assert names[:12] == ["某区财政局_教育局_ 本级_", "某区财政局_教育局_ 本级_-2", "CON_", "com1_.备用", "学校", "学校-2", "学校-3",
                          "ＡＢ", "ab", "AB-2", "____", "未注明单位"]
    assert len(names[12].encode("utf-8")) <= 200 and set(names[12]) == {"中"}
    for name in names:
        assert not set('\\/:*?"<>|') & set(name) and not name.endswith((".", " ")) and all(ord(c) >= 32 for c in name)


def test_docx_dir_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "opinions"
    target.write_text("a file", encoding="utf-8")
    code, _, err = run_check(str(TEXT), "--docx-dir", str(target), "--today", "2026-12-03")
    assert code == 2
    assert f"--docx-dir {target}" in err and "是文件而不是目录" in err and "is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "a file"
