"""Layout profiles (``layouts/*.yaml``): loading and validation, label reading, the choice of a
profile, and the guards that turn a misreading into "not understood"."""

from __future__ import annotations

import pytest

from auditor.layouts import LayoutFileError, label_of, load_layouts
from auditor.model import Document, Indicator, IndicatorValue, Location, Project
from auditor.readers.blocks import BlockStream, Grid, GridCell
from auditor.readers.detect import NotUnderstood
from auditor.readers.layouts import check_understood, choose


@pytest.fixture(scope="module")
def layouts():
    return load_layouts()


def test_shipped_profiles_load_and_one_is_the_fallback(layouts):
    assert {p.id for p in layouts.profiles} >= {"corpus-report", "project-form", "flat-export"}
    assert layouts.fallback.id == "corpus-report" and layouts.fallback.kind == "flow"


@pytest.mark.parametrize("text,key,note,colon", [
    ("项目总金额（中期规划，万元）：", "项目总金额", "中期规划,万元", True),
    ("长期目标（跨度多年的项目需填）:", "长期目标", "跨度多年的项目需填", True),
    ("其中：财政 拨款", "其中财政拨款", "", False),
    ("本年金额(元)", "本年金额", "元", False),
])
def test_labels_are_read_without_spaces_colons_and_notes(text, key, note, colon):
    label = label_of(text)
    assert (label.key, label.note, label.colon) == (key, note, colon)


def test_declared_units_longest_first(layouts):
    form = layouts.get("project-form")
    assert form.declared_unit("本年度项目金额（万元）：") == "万元"
    assert form.declared_unit("本年金额（元）") == "元"
    assert form.declared_unit("项目总金额（中期规划）：") is None


def test_a_duplicate_layout_id_is_refused(tmp_path):
    text = (load_layouts().get("flat-export").path)
    (tmp_path / "copy.yaml").write_text(open(text, encoding="utf-8").read(), encoding="utf-8")
    with pytest.raises(LayoutFileError, match="flat-export"):
        load_layouts((tmp_path,))


def test_a_profile_with_a_bad_regular_expression_is_refused(tmp_path):
    profile = tmp_path / "x.yaml"
    profile.write_text("id: x\nkind: form\nname: {zh: 甲, en: x}\ndescription: d\ntemplate_rows: ['(']\n", encoding="utf-8")
    with pytest.raises(LayoutFileError, match="template_rows"):
        load_layouts((profile,))


def grid(rows: list[list[str]], name: str = "Sheet1") -> Grid:
    return Grid(name, "sheet", [[GridCell(t, Location(ref=f"{name}!{chr(65 + c)}{r + 1}"), c) for c, t in enumerate(row)]
                                for r, row in enumerate(rows)])


def test_text_without_tables_goes_to_the_flow_layout(layouts):
    assert choose(BlockStream(), "text", layouts)[0].id == "corpus-report"


def test_the_form_and_the_flat_export_are_told_apart(layouts):
    form = grid([["项目编码：", "P1", "项目名称：", "甲"], ["申请单位：", "某局"], ["一级指标", "二级指标", "三级指标", "目标值"],
                 ["产出", "数量", "次数", "≥3次"]])
    flat = grid([["项目编码", "一级指标", "二级指标", "三级指标", "指标值"], ["P1", "产出", "数量", "次数", "≥3次"]])
    assert choose(BlockStream(grids=[form]), "xlsx", layouts)[0].id == "project-form"
    assert choose(BlockStream(grids=[flat]), "xlsx", layouts)[0].id == "flat-export"
    assert choose(BlockStream(grids=[flat]), "docx", layouts)[0].id == "corpus-report"  # flat is for xlsx and csv


def row(level1: str, level2: str, level3: str, value: str) -> Indicator:
    return Indicator(level1, level2, level3, "", IndicatorValue(value, "text"), None, Location(ref="Sheet1!A5"))


@pytest.mark.parametrize("indicator,words", [
    (row("项目类型：", "", "03 专项资金项目", ""), "项目类型"),
    (row("产出", "数量", "本年度项目金额（万元）：", "10,000.00"), "本年度项目金额"),
    (row("一级指标", "二级指标", "三级指标", "目标值"), "表头行"),
])
def test_a_header_field_or_grid_header_read_as_an_indicator_is_not_understood(layouts, indicator, words):
    doc = Document(path="x.xlsx", source_format="xlsx")
    doc.projects.append(Project(index=1, heading="", indicators=[indicator]))
    with pytest.raises(NotUnderstood) as raised:
        check_understood(doc, "xlsx", layouts, True)
    assert words in raised.value.zh and raised.value.loc.ref == "Sheet1!A5"


def test_real_rows_pass_the_guards(layouts):
    doc = Document(path="x.xlsx", source_format="xlsx")
    doc.projects.append(Project(index=1, heading="", indicators=[row("产出指标", "数量指标", "培训人次：全年", "≥300人次")]))
    check_understood(doc, "xlsx", layouts, True)


def test_a_folder_of_drafts_includes_flat_exports(tmp_path):
    from auditor.inputs import collect_inputs

    for name in ("a.csv", "b.tsv", "c.txt", "notes.json"):
        (tmp_path / name).write_text("项目编码,一级指标\n", encoding="utf-8")
    files, problems = collect_inputs([str(tmp_path)])
    assert sorted(f.path.name for f in files) == ["a.csv", "b.tsv", "c.txt"] and not problems
