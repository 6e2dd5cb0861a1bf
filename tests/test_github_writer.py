"""``--format github`` within what GitHub shows: the first annotations of each kind per step, most
severe first, one summary notice with the counts shown and not shown, and the Markdown step
summary (``$GITHUB_STEP_SUMMARY``) with every draft's counts and the findings, bounded."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.report import InputError, SummaryBuilder, is_active
from auditor.writers import render
from auditor.writers.github import (
    ANNOTATION_LIMITS,
    SUMMARY_BYTES,
    SUMMARY_CELL,
    SUMMARY_DRAFTS,
    SUMMARY_ROWS,
    GithubWriter,
    markdown_cell,
)
from tests.conftest import ROOT
from tests.test_machine_formats import run_info

KIND = re.compile(r"::(error|warning|notice) ")
SUMMARY_LINE = "::notice title=budget-audit::"


@pytest.fixture(scope="module")
def results(audits):
    """The five audited corpus drafts in input order (504 active findings)."""
    return [audits[key] for key in sorted(audits)]


@pytest.fixture
def no_step_summary(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def active(results, severity):
    return [(r, f) for r in results for f in r.findings if is_active(f) and f.severity == severity]


def kinds(text: str) -> list[str]:
    return [KIND.match(line).group(1) for line in text.splitlines()]


def table_rows(markdown: str, header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``header``, split on the
    unescaped ``|``."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    assert re.fullmatch(r"\| ---(:)? (\| ---(:)? )+\|", lines[start + 1].replace("---:", "---"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line)
        assert cells[0] == "" and cells[-1] == "", line
        rows.append([cell.strip() for cell in cells[1:-1]])
    return rows


# annotations ------------------------------------------------------------------------------


def test_annotations_are_the_most_severe_first_within_the_per_step_limits(results, no_step_summary):
    text = render("github", results, run_info())
    assert sum(len(active(results, s)) for s in ("error", "warning", "info")) == 504  # a big run
    found = kinds(text)
    assert found == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 9 + ["notice"]
    assert all(found.count(kind) <= limit for kind, limit in ANNOTATION_LIMITS.items())
    writer = GithubWriter(io.StringIO(), run_info())
    lines = text.splitlines(keepends=True)
    for severity, shown in (("error", lines[:10]), ("warning", lines[10:20]), ("info", lines[20:29])):
        expected = [writer.annotation(f, r.path.replace(str(ROOT) + "/", "")) for r, f in active(results, severity)]
        assert shown == expected[: len(shown)]  # the findings' order within a severity
    assert lines[-1].startswith(SUMMARY_LINE)


def test_the_summary_notice_counts_the_annotations_shown_and_not_shown(results, no_step_summary):
    text = render("github", results, run_info())
    errors, warnings, infos = (len(active(results, s)) for s in ("error", "warning", "info"))
    hidden = (errors - 10, warnings - 10, infos - 9)
    last = text.splitlines()[-1]
    assert last.startswith(SUMMARY_LINE + "budget-audit：5份文本，77个项目，问题504条")
    assert (
        f"；GitHub 每个步骤每类注释只显示前10条：已显示注释29条，未显示{sum(hidden)}条"
        f"（错误{hidden[0]}、警告{hidden[1]}、提示{hidden[2]}），全部问题见 --json、--html 或 --sarif 报告"
    ) in last
    english = render("github", results, run_info("en")).splitlines()[-1]
    assert f"29 shown, {sum(hidden)} not shown ({hidden[0]} errors, {hidden[1]} warnings, {hidden[2]} notices)" in english
    small = render("github", [replace(results[4], findings=results[4].findings[:3])], run_info())
    assert len(small.splitlines()) == 4
    assert small.splitlines()[-1].endswith("；注释已全部显示（3条），全部问题见 --json、--html 或 --sarif 报告")


def test_inputs_not_audited_come_first_and_waiver_notices_after_the_warnings(results, no_step_summary):
    errors = [InputError(f"drafts/broken{i}.docx", "无法读取: damaged", None) for i in range(12)]
    notices = [{"zh": f"豁免{i}已过期", "en": f"waiver {i} expired"} for i in range(3)]
    text = render("github", [results[0]], run_info(), errors, notices)
    lines = text.splitlines()
    assert [line.split(",")[0] for line in lines[:10]] == [f"::error file=drafts/broken{i}.docx" for i in range(10)]
    assert kinds(text).count("warning") == 10
    assert not any("豁免" in line for line in lines)  # results[0] has 10 warning findings: they come first
    few = render("github", [replace(results[0], findings=results[0].findings[:2])], run_info(), errors[:1], notices)
    assert [line for line in few.splitlines() if "豁免" in line] == [f"::warning title=budget-audit 豁免提示::豁免{i}已过期" for i in range(3)]
    all_errors = len(active([results[0]], "error")) + 12
    assert f"错误{all_errors - 10}、" in lines[-1]


# the step summary -------------------------------------------------------------------------


def test_the_step_summary_gets_every_drafts_counts_and_a_bounded_table_of_findings(results, tmp_path, monkeypatch):
    target = tmp_path / "step_summary.md"
    target.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    text = render("github", results, run_info())
    markdown = target.read_text(encoding="utf-8")
    assert markdown.startswith("# earlier step\n## budget-audit 审核结果\n")  # appended, not replaced
    assert len(markdown.encode("utf-8")) < 1024 * 1024
    counts = table_rows(markdown, "文本")
    assert counts == [
        [r.path.replace(str(ROOT) + "/", "").replace("_", "\\_"), verdict_cell(run_info().verdict(r)),
         *(str(len(active([r], s))) for s in ("error", "warning", "info"))]
        for r in results
    ]
    rows = table_rows(markdown, "级别")
    assert len(rows) == SUMMARY_ROWS == 500
    assert "\n另有4条问题未列出，见 --json、--html 或 --sarif 报告。\n" in markdown
    severities = [row[0] for row in rows]
    assert severities == sorted(severities, key=["错误", "警告", "提示"].index)  # most severe first
    first_error = active(results, "error")[0][1]
    assert rows[0] == ["错误", "indicator-missing", "samples/000\\_462a8d09a638f69f.txt:90:2", first_error.text("zh")]
    assert text.splitlines()[-1].endswith("全部问题见本次运行的摘要页（步骤摘要）")
    english = tmp_path / "en.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(english))
    render("github", results, run_info("en"))
    assert table_rows(english.read_text(encoding="utf-8"), "Severity")[0][:2] == ["error", "indicator-missing"]


def test_the_step_summary_stays_bounded_for_a_large_run_with_hostile_text(results, tmp_path, monkeypatch):
    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    hostile = replace(results[1].findings[0], severity="error", message={"zh": "| a |\n<script>" + "长" * 5000, "en": "x"})
    drafts = [replace(results[1], path=f"drafts/{i:03}.txt", findings=[hostile, *results[1].findings]) for i in range(SUMMARY_DRAFTS + 40)]
    out = io.StringIO()
    writer = GithubWriter(out, run_info())
    summary = SummaryBuilder(writer.run)
    for draft in drafts:
        writer.document(draft)
        summary.add(draft)
    writer.finish(summary.summary(), [])
    markdown = target.read_text(encoding="utf-8")
    assert len(markdown.encode("utf-8")) <= SUMMARY_BYTES
    assert len(table_rows(markdown, "文本")) == SUMMARY_DRAFTS
    assert "\n另有40份文本未列出。\n" in markdown
    rows = table_rows(markdown, "级别")
    assert 0 < len(rows) <= SUMMARY_ROWS
    total = len(drafts) * (len([f for f in results[1].findings if is_active(f)]) + 1)
    assert f"\n另有{total - len(rows)}条问题未列出" in markdown
    assert rows[0][3].startswith("\\| a \\|<br>&lt;script&gt;长") and rows[0][3].endswith("长…")
    assert "<script>" not in markdown
    assert len(kinds(out.getvalue())) == 30  # the annotations stay within GitHub's limits whatever the size


def test_markdown_cells_stay_one_cell_on_one_line():
    assert markdown_cell("a|b\nc_d *e* [f](g) <b>&") == "a\\|b<br>c\\_d \\*e\\* \\[f\\](g) &lt;b&gt;&amp;"
    assert len(markdown_cell("x" * 1000)) == SUMMARY_CELL
    assert "\r" not in markdown_cell("a\r\nb\x0bc\x01") and markdown_cell("a\r\nb\x0bc\x01") == "a<br>b<br>c"


def test_nothing_is_written_to_a_step_summary_when_the_variable_is_unset(results, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for value in (None, ""):
        if value is None:
            monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
        else:
            monkeypatch.setenv("GITHUB_STEP_SUMMARY", value)
        text = render("github", results, run_info())
        assert list(tmp_path.iterdir()) == []
        assert text.splitlines()[-1].endswith("全部问题见 --json、--html 或 --sarif 报告")


def test_a_step_summary_that_cannot_be_written_is_said_in_the_notice(results, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a folder
    last = render("github", results, run_info()).splitlines()[-1]
    assert "，步骤摘要未能写入（" in last and last.endswith("），全部问题见 --json、--html 或 --sarif 报告")


def test_the_cli_appends_the_step_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "samples", "--format", "github"], out=out, err=err) == 1
    assert len(out.getvalue().splitlines()) == 30
    # 004: every project goes back for revision, none is rejected
    assert "| samples/004\\_2f558b6c4fb9792b.txt | 修改后通过 (0/9/0) | 29 | 14 | 14 |" in Path(target).read_text(encoding="utf-8")


def verdict_cell(verdict) -> str:
    """The step summary's verdict cell: the draft's verdict and its projects' counts."""
    return f"{verdict.label('zh')} ({verdict.counts['pass']}/{verdict.counts['revise']}/{verdict.counts['reject']})"
