"""``--format table`` on real audits of the corpus drafts: columns start at the same display cell
whatever the Chinese in them (measured with wcwidth), no line is wider than the terminal, every
message and suggestion is there whole (wrapped, never cut), and a terminal too narrow for a table
gets one finding per block."""

from __future__ import annotations

import io

import pytest
from wcwidth import wcswidth

from auditor import __version__
from auditor.cli import main
from auditor.opinion import group_by_dimension
from auditor.report import RuleInfo, RunInfo
from auditor.rules import load_rules
from auditor.writers import render
from auditor.writers.table import DEFAULT_WIDTH, TableWriter, display_width, findings_text, output_width, wrap
from tests.conftest import DRAFT_FILES, ROOT


def run_info(lang: str = "zh", group_by: str = "project") -> RunInfo:
    infos = tuple(
        RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
        for r in load_rules().rules
    )
    return RunInfo(rules=infos, lang=lang, version=__version__, base=ROOT, group_by=group_by)


@pytest.fixture(scope="module")
def results(audits):
    return [audits[key] for key in sorted(audits)]


def table(results, width: int, lang: str = "zh", group_by: str = "project") -> str:
    """The table report of ``results`` written for a terminal ``width`` cells wide."""
    out = io.StringIO()
    writer = TableWriter(out, run_info(lang, group_by), width=width)
    for result in results:
        writer.document(result)
    writer.finish({"documents": len(results), "projects": 0, "findings": 0, "not_understood": 0, "unreadable": 0,
                   "waived": 0, "baseline": 0, "by_severity": {"error": 0, "warning": 0, "info": 0},
                   "by_dimension": {}, "rules": {}}, [])
    return out.getvalue()


def squash(text: str) -> str:
    return "".join(text.split())


def cells(line: str) -> dict[int, str]:
    """The characters of ``line`` by the display cell each starts at."""
    found, col = {}, 0
    for char in line:
        found[col] = char
        col += max(wcswidth(char), 0)
    return found


def cut(line: str, start: int, end: int | None) -> str:
    """The characters of ``line`` starting at display cells ``start`` up to ``end``."""
    return "".join(c for col, c in cells(line).items() if col >= start and (end is None or col < end))


def column_starts(dashes: str) -> list[tuple[int, int | None]]:
    """The (start, end) display cells of each column, read from the rule of dashes under the
    header (the dashes are one cell each, so characters and cells agree)."""
    spans, col = [], 0
    for run in dashes.split("  "):
        spans.append((col, col + len(run)))
        col += len(run) + 2
    return spans


LABELS = {"问题：": 0, "problem: ": 0, "建议：": 1, "suggestion: ": 1}


def is_rule(line: str) -> bool:
    """The rule of dashes under a table's header."""
    return line.startswith("--") and set(line) <= {"-", " "}


def findings_read_back(text: str) -> list[tuple[str, str]]:
    """(问题, 建议) of every finding of a table report, in order, each joined back from the lines it
    was wrapped on: column slices in a table, labelled lines in the narrow block layout."""
    lines = text.split("\n")
    found: list[list[str]] = []
    spans = None  # in a table: the columns' display cells
    current = None  # in the block layout: the index (0 problem, 1 suggestion) being read
    for i, line in enumerate(lines):
        if is_rule(line):
            spans = column_starts(line)
            continue
        if i + 1 < len(lines) and is_rule(lines[i + 1]):
            continue  # a header line
        if not line.strip() or not line[0].isspace() and not line[0].isdigit():
            spans = current = None  # a blank line, a draft's head, a group's title, the summary
            continue
        if spans is not None:
            if cut(line, *spans[2]).strip():  # the rule column is filled on a finding's first line only
                found.append(["", ""])
            found[-1][0] += cut(line, *spans[-2])
            found[-1][1] += cut(line, spans[-1][0], None)
            continue
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        label = next((label for label in LABELS if stripped.startswith(label)), None)
        if indent == 4 and label:
            current = LABELS[label]
            if current == 0:
                found.append(["", ""])
            found[-1][current] += stripped[len(label):]
        elif indent >= 6 and current is not None:
            found[-1][current] += stripped
        else:
            current = None
    return [(a, b) for a, b in found]


# Alignment ---------------------------------------------------------------------------------


def test_display_width_counts_chinese_as_two_cells():
    assert display_width("问题a") == 5
    assert display_width("“意见”") == wcswidth("“意见”")
    assert display_width("a\x01b") == 2  # a control character wcwidth cannot measure counts as none


def test_chinese_table_columns_start_at_the_same_display_cell():
    headers = ["行", "级别", "规则", "维度", "问题", "建议"]
    rows = [
        ["34", "提示", "repeated-word", "规范性", "“意见意见”中词语“意见”重复", "删除重复的“意见”。"],
        ["157", "警告 (已豁免)", "typo", "可测性", "“场馆使用率补低于80%”中的“补低于”应为“不低于”" * 3, "将“补低于”改为“不低于”。"],
        ["", "错误", "indicator-placeholder", "相关性", "a mixed 中英 message with words", "写明完成时限（如“2022年12月底前”）" * 2],
    ]
    text = findings_text(headers, rows, 120)
    lines = text.split("\n")
    starts = [start for start, _ in column_starts(lines[1])]
    assert [cells(lines[0]).get(s) for s in starts] == [h[0] for h in headers]
    row_lines = [line for line in lines[2:] if cut(line, starts[2], starts[3]).strip()]
    assert len(row_lines) == len(rows)
    for line, row in zip(row_lines, rows):
        # every non-empty cell begins exactly at its column's start cell
        assert [cells(line).get(s) for s, cell in zip(starts, row) if cell] == [cell[0] for cell in row if cell]
    for line in lines:
        for start in starts[1:]:
            assert cut(line, start - 2, start).strip() == "", line  # the gap before each column is blank
            assert start in cells(line) or display_width(line) <= start, line  # no wide character straddles it


@pytest.mark.parametrize("group_by", ["project", "dimension"])
def test_corpus_table_columns_align_in_display_cells(results, group_by):
    text = table(results, 160, group_by=group_by)
    lines = text.split("\n")
    tables = [i for i, line in enumerate(lines) if line.startswith("---")]
    assert tables
    for at in tables:
        starts = [start for start, _ in column_starts(lines[at])]
        assert [cells(lines[at - 1]).get(s) for s in starts] == ["行", "级", "规", "维" if group_by == "project" else "项", "问", "建"]
        body = []
        for line in lines[at + 1:]:
            if not line.startswith(tuple("0123456789 ")):
                break
            body.append(line)
        assert body
        for line in body:
            for start in starts[1:]:
                assert cut(line, start - 2, start).strip() == "", line
                assert start in cells(line) or display_width(line) <= start, line
            if cut(line, starts[2], starts[3]).strip():  # a finding's first line: severity, rule and dimension in place
                assert all(cells(line).get(s, " ") != " " for s in starts[1:3]), line


# Width -------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("group_by", ["project", "dimension"])
def test_no_line_is_wider_than_the_terminal(results, width, lang, group_by):
    text = table(results, width, lang, group_by)
    assert max(display_width(line) for line in text.split("\n")) <= width
    assert max(display_width(line) for line in text.split("\n")) > width - 10  # the room is used


def test_columns_sets_the_width_of_a_rendered_report(results, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    text = render("table", results, run_info())
    assert max(display_width(line) for line in text.split("\n")) <= 90


def test_output_width_comes_from_columns_or_a_default():
    assert output_width(io.StringIO(), {"COLUMNS": "132"}) == 132
    assert output_width(io.StringIO(), {}) == DEFAULT_WIDTH  # not a terminal: a fixed width
    assert output_width(io.StringIO(), {"COLUMNS": "wide"}) == DEFAULT_WIDTH


def test_the_cli_fits_its_table_to_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    main(["check", str(DRAFT_FILES["004"]), "--format", "table", "-q"], out=out, err=io.StringIO())
    text = out.getvalue()
    assert "…" not in text.replace("…）", "").replace("1.…", "")
    assert max(display_width(line) for line in text.split("\n")) <= 80


# Whole messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_message_and_suggestion_is_there_whole(results, width, lang):
    text = table(results, width, lang)
    expected = [(squash(f.text(lang)), squash(f.advice(lang))) for r in results for f in r.findings]
    read = [(squash(a), squash(b)) for a, b in findings_read_back(text)]
    assert len(read) == len(expected)
    assert read == expected


def test_every_message_is_whole_by_dimension(results):
    text = table(results, 120, group_by="dimension")
    expected = [
        (squash(f.text("zh")), squash(f.advice("zh")))
        for r in results
        for found in group_by_dimension(r.findings, active_only=False).values()
        for f in found
    ]
    assert [(squash(a), squash(b)) for a, b in findings_read_back(text)] == expected


def test_wrap_breaks_by_display_width_and_keeps_every_character():
    text = "指标“可持续性”（指标值“可持续性”）在4个项目的绩效目标表中重复出现，see docs/rules/boilerplate-indicator.md please"
    lines = wrap(text, 20)
    assert all(display_width(line) <= 20 for line in lines)
    assert squash("".join(lines)) == squash(text)
    assert not any(line[0] in "，。、）”" for line in lines)  # no line starts with closing punctuation
    assert not any(line[-1] in "（“" for line in lines)  # none ends with opening punctuation
    assert any(line.endswith("，see") for line in lines) and lines[-1] == "please"  # ASCII words are not split
    assert "docs/rules/boilerpla" in lines  # unless one is wider than a line
    long = wrap("x" * 50, 20)
    assert long == ["x" * 20, "x" * 20, "x" * 10]  # a word wider than a line is cut into pieces that fit


# The narrow layout -------------------------------------------------------------------------


def test_a_narrow_terminal_gets_one_finding_per_block(results):
    text = table([results[4]], 60)
    assert "---" not in text  # no table
    assert "  行 34 · 提示 · repeated-word · 规范性\n    问题：“意见意见”中词语“意见”重复\n    建议：删除重复的“意见”。\n" in text
    lines = text.split("\n")
    problem = next(i for i, line in enumerate(lines) if line.startswith("    问题：指标“可持续性”"))
    continuation = lines[problem + 1]
    assert continuation.startswith(" " * display_width("    问题：")) and continuation.strip()
    assert max(display_width(line) for line in lines) <= 60
    assert len(findings_read_back(text)) == len(results[4].findings)


def test_a_wide_terminal_gets_a_table(results):
    text = table([results[4]], 160)
    assert "\n行   级别  规则" in text
    assert "  行 34 · " not in text


def test_the_block_layout_names_a_project_number(results):
    text = table([results[4]], 60, group_by="dimension")
    assert any(line.startswith("  行 ") and " · 项目 " in line for line in text.split("\n"))
    text = table([results[4]], 60, lang="en")
    assert "    problem: " in text and "    suggestion: " in text


def test_a_long_head_is_wrapped_without_blank_lines(results):
    for width in (60, 80, 100, 120):
        text = table([results[4]], width, lang="en")
        lines = text.split("\n")
        assert all(line.strip() or not lines[i - 1].startswith("file") for i, line in enumerate(lines) if i), width
        assert squash(lines[0] + lines[1]).startswith(squash(f"file: {results[4].path}"))
