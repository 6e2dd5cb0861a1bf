"""Findings in the shape of a 审核意见: grouped by review dimension in the table, JSON and Excel
reports (``--group-by dimension``), with per-dimension counts in every summary."""

from __future__ import annotations

import io
import json
from dataclasses import replace

from auditor.cli import main
from auditor.opinion import PLACES, group_by_dimension, review_opinion
from auditor.report import DIMENSIONS, RuleInfo, RunInfo
from auditor.rules import load_rules
from tests.conftest import DRAFT_FILES, ROOT


def run_info(lang: str = "zh") -> RunInfo:
    infos = tuple(
        RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
        for r in load_rules().rules
    )
    return RunInfo(rules=infos, lang=lang)


def check(*args: str) -> str:
    out = io.StringIO()
    main(["check", *args, "-q", "--fail-on", "never"], out=out, err=io.StringIO())
    return out.getvalue()


def test_opinion_of_000_by_dimension(audits):
    opinion = review_opinion(audits["000"].findings, run_info())
    # what is sent back: info-level notes (value-syntax's missing operators, indicator-wordy) are not
    assert [(part.dimension, part.count) for part in opinion] == [("完整性", 6), ("相关性", 1), ("可测性", 13), ("规范性", 4)]
    assert all(item.severity != "info" for part in opinion for item in part.items)
    missing = opinion[0].items[0]
    assert (missing.rule, missing.title, missing.severity, missing.count) == ("indicator-missing", "缺少必设指标类别", "error", 6)
    # at the 产出指标 cell (line 90) under which 数量指标 should be added, not the table header (83)
    assert missing.places[0] == "项目1“光明养猪场基础设施建设”（第90行）" and missing.more_places == 0
    # six projects miss the same category: one piece of advice for all, naming no project
    assert missing.suggestion.startswith("补设“数量指标”")
    measurable = [(i.rule, i.count) for i in opinion[2].items]
    # errors first, then by count; one heading per rule: value-syntax's two cases, whose advice
    # differs, are one problem carrying both pieces of advice
    assert measurable == [("indicator-placeholder", 7), ("unit-mismatch", 1), ("value-syntax", 3), ("value-not-measurable", 1),
                          ("percent-range", 1)]
    syntax = next(i for i in opinion[2].items if i.rule == "value-syntax")
    advice = {f.advice("zh") for f in audits["000"].findings if f.rule == "value-syntax"}
    # the grading case's advice carries each row's own example (完成率 ≥90%, 吸引外来客商次数 ≥90次,
    # 外来企业意向投资数 ≥X万元): three pieces of one shape, given once; no_operator's note (info) is
    # not sent back
    grading = [piece for piece in advice if piece.startswith("将评分标准移出指标值栏")]
    assert len(advice) == 4 and len(grading) == 3
    assert sum(piece in syntax.suggestion for piece in grading) == 1
    assert next(piece for piece in advice if piece not in grading) not in syntax.suggestion
    assert any("“≥X万元”" in piece for piece in advice) and not any("次/日" in piece for piece in advice)
    for part in opinion:
        assert len({i.title for i in part.items}) == len(part.items)  # a heading once per dimension
    form = [(i.rule, i.count) for i in opinion[3].items]
    assert form == [("goal-duplicate", 2), ("section-duplicate", 2)]  # goal-duplicate's cases share their advice
    assert opinion[3].items[1].places == ("部门整体（第34、38行）",)


def test_opinion_counts_every_finding_sent_back_once(audits):
    for result in audits.values():
        opinion = review_opinion(result.findings, run_info())
        sent_back = [f for f in result.findings if f.severity != "info"]  # the default policy: warning and above
        assert sum(item.count for part in opinion for item in part.items) == len(sent_back)
        assert [DIMENSIONS.index(p.dimension) for p in opinion] == sorted(DIMENSIONS.index(p.dimension) for p in opinion)


def test_waived_and_baseline_findings_are_not_in_the_opinion(audits):
    findings = list(audits["000"].findings)
    findings[0] = replace(findings[0], waived="已确认")
    findings[1] = replace(findings[1], baseline=True)
    opinion = review_opinion(findings, run_info())
    assert findings[0].severity != "info" and findings[1].severity != "info"
    assert sum(item.count for part in opinion for item in part.items) == len([f for f in findings if f.severity != "info"]) - 2
    assert sum(len(v) for v in group_by_dimension(findings, active_only=False).values()) == len(findings)


def test_english_opinion(audits):
    opinion = review_opinion(audits["000"].findings, run_info("en"))
    assert opinion[0].label == "completeness"
    assert opinion[0].items[0].places[0] == "project 1 “光明养猪场基础设施建设” (line 90)"


def test_table_grouped_by_dimension(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = check(str(DRAFT_FILES["000"].relative_to(ROOT)), "--group-by", "dimension")
    blocks = [line for line in text.splitlines() if line.startswith("[")]
    assert blocks == ["[完整性 6条]", "[相关性 1条]", "[可测性 14条]", "[规范性 5条]"]
    assert "按维度：完整性 6  相关性 1  可测性 14  规范性 5" in text
    by_project = check(str(DRAFT_FILES["000"].relative_to(ROOT)))
    assert "[项目 1  441-0601-YBN-2CCC 光明养猪场基础设施建设]" in by_project and "[完整性" not in by_project


def test_table_in_english_grouped_by_dimension(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = check(str(DRAFT_FILES["000"].relative_to(ROOT)), "--group-by", "dimension", "--lang", "en")
    assert "[completeness 6 findings]" in text and "by dimension: completeness 6" in text


def test_json_counts_by_dimension_and_carries_the_opinion(monkeypatch):
    monkeypatch.chdir(ROOT)
    plain = json.loads(check("samples", "--format", "json"))
    grouped = json.loads(check("samples", "--format", "json", "--group-by", "dimension"))
    for doc, same in zip(plain["documents"], grouped["documents"]):
        assert sum(doc["by_dimension"].values()) == len(doc["findings"])
        assert "opinion" not in doc and same["findings"] == doc["findings"]
        assert sum(p["findings"] for p in same["opinion"]) == len([f for f in doc["findings"] if f["severity"] != "info"])
    first = grouped["documents"][0]["opinion"][0]
    assert first["dimension"] == "完整性" and first["problems"][0]["rule"] == "indicator-missing"
    assert set(first["problems"][0]) == {"rule", "title", "severity", "findings", "places", "more_places", "example", "suggestion"}
    assert grouped["summary"]["by_dimension"] == plain["summary"]["by_dimension"]
    assert plain["summary"]["rules"]["budget-sum"]["not_checkable"] == 34  # 003 has no 预算数


def test_group_by_from_the_configuration(tmp_path, monkeypatch):
    (tmp_path / "budget-audit.yaml").write_text("group_by: dimension\n", encoding="utf-8")
    (tmp_path / "draft.txt").write_bytes(DRAFT_FILES["000"].read_bytes())
    monkeypatch.chdir(tmp_path)
    assert "[完整性 6条]" in check("draft.txt")
    assert "[完整性" not in check("draft.txt", "--group-by", "project")
    (tmp_path / "budget-audit.yaml").write_text("group_by: rule\n", encoding="utf-8")
    err = io.StringIO()
    assert main(["check", "draft.txt", "-q"], out=io.StringIO(), err=err) == 2
    assert "group_by" in err.getvalue()


def test_places_name_the_indicator_row_and_the_cell(audits, line_of):
    """A department finds a problem by project, indicator row (二级/三级) and the cell of its
    file; a text line only where the input has no cells."""
    finding = next(f for f in audits["000"].findings if f.rule == "category-misfiled")
    assert finding.indicator == ("时效指标", "工程资金拨付到位率") and "时效指标" in line_of("000", finding.line)
    item = next(i for part in review_opinion([finding], run_info()) for i in part.items)
    assert item.places == (f"项目2“{finding.project.name}”指标“时效指标/工程资金拨付到位率”（第{finding.line}行）",)
    english = next(i for part in review_opinion([finding], run_info("en")) for i in part.items)
    assert english.places == (f"project 2 “{finding.project.name}”, indicator “时效指标/工程资金拨付到位率” (line {finding.line})",)
    # a CSV cell has a text line and the cell Excel shows: the cell is named
    in_csv = replace(finding, ref="绩效指标.csv!E25")
    item = next(i for part in review_opinion([in_csv], run_info()) for i in part.items)
    assert item.places[0].endswith("（“绩效指标.csv”E25）") and "行" not in item.places[0].split("”")[-1]


def test_places_of_one_indicator_row_are_one_place_and_bounded(audits):
    findings = [f for f in audits["000"].findings if f.rule == "indicator-placeholder"]
    rows = {(f.project.index, f.indicator) for f in findings}
    item = review_opinion(findings, run_info())[0].items[0]
    assert len(item.places) + item.more_places == len(rows) and len(item.places) == min(PLACES, len(rows))
    assert all("指标“" in place for place in item.places)


def test_places_of_several_files_name_the_file(audits):
    findings = [f for key in ("000", "001") for f in audits[key].findings if f.rule == "goal-duplicate"]
    assert {f.path for f in findings} == {str(DRAFT_FILES["000"]), str(DRAFT_FILES["001"])}
    places = [p for part in review_opinion(findings, run_info()) for i in part.items for p in i.places]
    assert {p.split("：")[0] for p in places} == {DRAFT_FILES["000"].name, DRAFT_FILES["001"].name}
    alone = [p for part in review_opinion(findings[:1], run_info()) for i in part.items for p in i.places]
    assert alone[0].startswith("项目")


def test_the_workbooks_calculation_advice_is_given_once_not_per_budget(capsys):
    import json

    from auditor.cli import main
    from tests.conftest import FORM_WORKBOOK

    main(["check", str(FORM_WORKBOOK), "--format", "json", "--group-by", "dimension", "--quiet"])
    opinion = json.loads(capsys.readouterr().out)["documents"][0]["opinion"]
    problem = next(p for part in opinion for p in part["problems"] if p["rule"] == "calculation-basis")
    assert problem["findings"] == 9  # nine projects' 测算依据, each naming its own budget in its advice
    assert problem["suggestion"].count("写明本年度金额的测算过程") == 1


def test_advice_with_one_opening_is_one_piece_of_advice():
    from auditor.opinion import advice_opening, same_advice

    with_budget = "写明测算过程，各项合计应等于本年度预算1,018.55万元（表中填10,185,500.00），并注明标准。"
    without = "写明测算过程，各项合计应等于本年度预算，并注明标准。"
    assert advice_opening(with_budget) == "写明测算过程，各项合计应等于本年度预算"
    assert same_advice(with_budget, without)
    assert not same_advice(without, "补写计量单位，如“95%”")
    assert not same_advice("“成本指标”是必设类别", "“时效指标”应写明时限")  # no opening to compare: the texts
    assert same_advice("改为可衡量的目标值，如“党群服务中心运营”写“≥90%”", "改为可衡量的目标值，如“老年人幸福感”写“≥95%”")


def test_advice_of_a_problem_in_several_projects_names_the_project_it_was_written_for(capsys):
    import json

    from auditor.cli import main
    from tests.conftest import FORM_WORKBOOK

    main(["check", str(FORM_WORKBOOK), "--format", "json", "--group-by", "dimension", "--quiet"])
    opinion = json.loads(capsys.readouterr().out)["documents"][0]["opinion"]
    problem = next(p for part in opinion for p in part["problems"] if p["rule"] == "calculation-basis")
    # 1,018.55万元 is project 1's budget: a department reading project 7's advice must not take it as its own
    assert problem["suggestion"].startswith("（如项目1）写明本年度金额的测算过程") and "1,018.55万元" in problem["suggestion"]


def test_with_revise_from_never_the_opinion_holds_every_finding(audits):
    from auditor.verdicts import VerdictPolicy

    run = replace(run_info(), verdict_policy=VerdictPolicy(revise_from="never"))
    opinion = review_opinion(audits["000"].findings, run)
    assert sum(item.count for part in opinion for item in part.items) == len(audits["000"].findings)


def test_cells_read_as_a_department_names_them():
    from auditor.opinion import readable_ref

    assert readable_ref("'3.背街小巷路面修缮工程'!A12", "zh") == "“3.背街小巷路面修缮工程”表A12"
    assert readable_ref("绩效指标!$E$28", "en") == "sheet “绩效指标” E28"
    assert readable_ref("'it''s'!B2", "zh") == "“it's”表B2"
    assert readable_ref("项目信息.csv!G3", "zh") == "“项目信息.csv”G3"
    assert readable_ref("表格 3 第5行第2列", "zh") == "表格 3 第5行第2列"
