"""A flat export split into two CSV files — the project table and the indicator table, as a
budget system writes the two sheets of its workbook when asked for CSV — is read as one draft.
Examples invented (a county agriculture bureau), saved in GBK as Excel on Chinese Windows does."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.readers import pair_csv_tables, read_document
from auditor.values import parse_value

PROJECTS = [
    ["项目编码", "项目名称", "申请单位", "项目总金额（万元）", "本年金额（万元）", "政策依据", "测算依据", "年度目标"],
    ["33060325NY0001", "水稻种植补贴", "某县农业农村局", "420", "420", "《某省稻谷补贴实施办法》",
     "全县水稻面积7万亩×60元/亩=420万元", "完成7万亩水稻种植补贴发放，发放准确率100%"],
    ["33060325NY0002", "农机购置补贴", "某县农业农村局", "90", "90", "根据工作需要", "", "推进农机化发展"],
]
INDICATORS = [
    ["项目编码", "一级指标", "二级指标", "三级指标", "指标值", "指标解释"],
    ["33060325NY0001", "产出指标", "数量指标", "补贴发放面积", "≥7万亩", "全年补贴发放的水稻种植面积"],
    ["33060325NY0001", "产出指标", "时效指标", "补贴发放完成时间", "2025年10月底前", "资金发放到户的时间"],
    ["33060325NY0002", "产出指标", "数量指标", "补贴机具数量", "≥300台", "享受补贴的农机具台数"],
    ["33060325NY0002", "效益指标", "社会效益指标", "农机化水平", "明显提升", "主要农作物耕种收综合机械化率"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    text = "\r\n".join(",".join(f'"{cell}"' for cell in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode("gbk"))
    return path


def export(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / "项目信息.csv", PROJECTS), write_csv(folder / "绩效指标.csv", INDICATORS)


def test_the_indicator_table_is_read_with_its_project_table(tmp_path):
    projects, indicators = export(tmp_path / "export")
    assert pair_csv_tables([projects, indicators]) == {indicators: (projects,)}
    doc = read_document(indicators, parse_value, companions=(projects,))
    assert [(p.code, p.name, p.budget.total.raw, len(p.indicators)) for p in doc.projects] == [
        ("33060325NY0001", "水稻种植补贴", "420", 2), ("33060325NY0002", "农机购置补贴", "90", 2),
    ]
    assert doc.projects[1].policy_basis.text == "根据工作需要"
    # a project field is located in the project table's file, an indicator in the draft's own
    assert doc.projects[1].loc_of("policy_basis").ref == "项目信息.csv!F3"
    assert doc.projects[1].loc_of("policy_basis").line is None
    assert doc.projects[0].indicators[0].loc.line == 2
    # read with its project table, the draft's own cells are named with their file too: the
    # department holds two files and must know which one a reference is in
    assert doc.projects[0].indicators[0].loc.ref == "绩效指标.csv!D2"
    assert any("项目信息.csv" in note.zh for note in doc.notes)


def test_a_run_over_the_folder_gives_one_draft(tmp_path, capsys):
    export(tmp_path / "export")
    out = tmp_path / "r.json"
    for jobs in ("1", "2"):
        assert main(["check", str(tmp_path / "export"), "--format", "json", "--output", str(out), "-q", "--fail-on", "never",
                     "--jobs", jobs]) == 0
        report = json.loads(out.read_text(encoding="utf-8"))
        (document,) = report["documents"]
        assert document["path"].endswith("绩效指标.csv")
        rules = {f["rule"] for f in document["findings"]}
        assert "project-empty" not in rules  # neither half read alone
        assert {"policy-basis", "calculation-basis", "value-not-measurable"} <= rules
        (policy,) = [f for f in document["findings"] if f["rule"] == "policy-basis"]
        assert policy["location"]["ref"] == "项目信息.csv!F3"


def test_tables_without_shared_keys_or_in_other_folders_are_not_paired(tmp_path):
    projects, _ = export(tmp_path / "a")
    _, indicators = export(tmp_path / "b")
    assert pair_csv_tables([projects, indicators]) == {}
    other = write_csv(tmp_path / "a" / "其他指标.csv", [INDICATORS[0], ["99999925XX0001", "产出指标", "数量指标", "x", "1个", "y"]])
    assert pair_csv_tables([projects, other]) == {}


def test_a_cell_is_named_by_the_row_excel_shows_not_the_text_line(tmp_path):
    rows = [list(row) for row in PROJECTS]
    rows[1][6] = "全县水稻面积7万亩×60元/亩\n=420万元"  # a line break inside a cell
    projects = write_csv(tmp_path / "项目信息.csv", rows)
    indicators = write_csv(tmp_path / "绩效指标.csv", INDICATORS)
    doc = read_document(indicators, parse_value, companions=(projects,))
    assert doc.projects[1].loc_of("policy_basis").ref == "项目信息.csv!F3"  # record 3, text line 4


def test_a_csv_drafts_places_in_a_message_are_its_cells(tmp_path):
    from auditor.messages import where
    from auditor.model import Location

    # a CSV cell: its text line and the row Excel shows differ when a cell above holds breaks
    assert where([Location(line=27, ref="E25"), Location(line=30, ref="E28")], "zh") == "E25、E28"
    assert where([Location(line=12), Location(line=15)], "zh") == "第12、15行"  # a text draft
