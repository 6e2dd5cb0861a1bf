"""The indicator vocabulary (rules/vocabulary.yaml): loading and refusing files, extending it
from the configuration, and the expression functions that read it. Examples are invented."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from auditor.domain import expression_functions, satisfaction_respondent
from auditor.fragments import document_from
from auditor.model import Project, TextItem
from auditor.rules import DEFAULT_RULES_DIR, load_rules, rule_files
from auditor.values import parse_value
from auditor.vocabulary import (
    VOCABULARY_PATH,
    Vocabulary,
    VocabularyFileError,
    indicator_name_key,
    load_vocabulary,
    read_vocabulary_file,
)


@pytest.fixture(scope="module")
def shipped() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def fn(shipped):
    return expression_functions(shipped)


def write(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def project(name: str, purpose: str | None = None) -> Project:
    p = Project(index=1, heading=f"1.{name}绩效目标表", name=name)
    if purpose is not None:
        p.purpose = TextItem(purpose)
    return p


# loading --------------------------------------------------------------------------------------


def test_the_shipped_vocabulary_loads_once_per_run(shipped):
    assert load_vocabulary() is shipped
    assert {"rate", "count", "people", "money", "duration", "date", "area", "length", "score"} <= set(shipped.families)
    assert [k.id for k in shipped.project_kinds] == ["personnel", "internal_support", "public_service"]
    assert shipped.default_kind == "public_service"
    assert len({e.id for e in shipped.entries}) == len(shipped.entries)


def test_the_vocabulary_file_is_not_read_as_rules():
    assert VOCABULARY_PATH not in rule_files([DEFAULT_RULES_DIR])


def test_a_vocabulary_file_that_validated_is_read_back_from_the_rule_cache(tmp_path, monkeypatch):
    import auditor.datafile

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, "entries:\n  - id: lamps\n    name: {zh: 路灯, en: street lamps}\n    match: 路灯数$\n    family: count\n")
    first = read_vocabulary_file(path)
    monkeypatch.setattr(auditor.datafile, "load_yaml", lambda *a, **k: pytest.fail("YAML parsed although cached"))
    assert read_vocabulary_file(path) == first


def test_a_schema_error_names_the_file_and_line_in_both_languages(tmp_path):
    path = write(tmp_path, "entries:\n  - id: road-length\n    name: {zh: 道路长度, en: road length}\n    match: 道路长度$\n    family: length\n    colour: red\n")
    with pytest.raises(VocabularyFileError) as caught:
        read_vocabulary_file(path)
    assert caught.value.line == 6
    assert "未知的键“colour”" in str(caught.value) and "unknown key 'colour'" in str(caught.value)


def test_a_bad_direction_is_refused(tmp_path):
    path = write(tmp_path, "entries:\n  - id: x\n    name: {zh: 某, en: x}\n    match: 某\n    direction: up\n")
    with pytest.raises(VocabularyFileError) as caught:
        read_vocabulary_file(path)
    assert caught.value.line == 5 and "higher" in str(caught.value)


def test_a_bad_regular_expression_is_located(tmp_path):
    path = write(tmp_path, "entries:\n  - id: x\n    name: {zh: 某, en: x}\n    match: '(未闭合'\n")
    with pytest.raises(VocabularyFileError) as caught:
        read_vocabulary_file(path)
    assert caught.value.line == 4 and "正则表达式无效" in str(caught.value) and "invalid regular expression" in str(caught.value)


def test_an_unknown_family_or_category_is_refused(tmp_path):
    path = write(tmp_path, "entries:\n  - id: x\n    name: {zh: 某, en: x}\n    match: 某\n    family: loudness\n")
    with pytest.raises(VocabularyFileError, match="unknown family 'loudness'"):
        load_vocabulary([path])
    path = write(tmp_path, "entries:\n  - id: x\n    name: {zh: 某, en: x}\n    match: 某\n    categories: [产出效果]\n")
    with pytest.raises(VocabularyFileError, match="unknown category"):
        load_vocabulary([path])


def test_yaml_that_is_not_yaml_is_refused(tmp_path):
    with pytest.raises(VocabularyFileError, match="YAML"):
        read_vocabulary_file(write(tmp_path, "entries: [\n"))


def test_an_extra_file_overrides_an_entry_and_adds_its_own_first(tmp_path, shipped):
    path = write(tmp_path, """
entries:
  - id: completion-rate
    name: {zh: 完成率, en: completion rate}
    match: '完成率$'
    family: rate
    categories: [质量]
  - id: ferry-crossings
    name: {zh: 渡运, en: ferry crossings}
    match: '渡运(量|数)$'
    family: times
    role: output
families:
  times:
    name: {zh: 次数, en: number of times}
    units: [次, 航次]
project_kinds:
  - id: internal_support
    name: {zh: 内部保障类, en: internal support}
    match: 机关食堂
""")
    extended = load_vocabulary([path])
    assert extended is not shipped and load_vocabulary([path]) is extended
    assert extended.entry("道路清扫完成率").categories == ("质量",)
    assert shipped.entry("道路清扫完成率").categories == ("数量", "质量", "时效")
    assert extended.entries[0].id == "ferry-crossings"  # new entries are tried first
    assert extended.unit_fits("汛期渡运量", "航次") and not shipped.unit_fits("巡河次数", "航次")
    assert extended.project_kind(["机关食堂运行"]) == "internal_support"
    assert extended.project_kind(["后勤服务外包"]) == "public_service"  # the kind was replaced


def test_the_configuration_names_extra_vocabulary_files(tmp_path):
    from auditor.config import ConfigError, load_config
    from auditor.engine import Engine
    from auditor.pipeline import EngineSpec

    write(tmp_path, "entries:\n  - id: completion-rate\n    name: {zh: 完成率, en: completion rate}\n    match: 完成率$\n    family: rate\n    categories: [质量]\n", "local.yaml")
    config = write(tmp_path, "vocabulary: [local.yaml]\nselect: [category-misfiled]\n", "budget-audit.yaml")
    assert load_config(config).vocabulary == ((tmp_path / "local.yaml").resolve(),)
    doc = document_from({"level2": "数量指标", "level3": "道路清扫完成率", "value": "≥95%"}, "indicator", parse_value)
    assert Engine(EngineSpec(config=config).build().rules).audit(doc).findings  # 质量 only, here
    assert not Engine([r for r in load_rules().rules if r.id == "category-misfiled"]).audit(doc).findings
    missing = write(tmp_path, "vocabulary: [nowhere.yaml]\n", "other.yaml")
    with pytest.raises(ConfigError, match="no such vocabulary file") as caught:
        load_config(missing)
    assert caught.value.line == 1


def test_check_refuses_a_broken_vocabulary_file_without_a_traceback(tmp_path):
    from auditor.cli import main

    bad = write(tmp_path, "families: [rate]\n", "bad.yaml")
    err = io.StringIO()
    code = main(["check", str(tmp_path), "--vocabulary", str(bad)], out=io.StringIO(), err=err)
    assert code == 2 and "bad.yaml:1" in err.getvalue() and "Traceback" not in err.getvalue()


def test_rules_built_with_different_vocabularies_judge_differently(tmp_path):
    from auditor.engine import Engine

    path = write(tmp_path, "entries:\n  - id: lamps\n    name: {zh: 路灯, en: street lamps}\n    match: 路灯数$\n    family: count\n    units: [盏]\n")
    doc = document_from({"level3": "新装路灯数", "value": "=30个"}, "indicator", parse_value)
    shipped_rules = [r for r in load_rules().rules if r.id == "unit-mismatch"]
    local_rules = [r for r in load_rules(vocabulary=load_vocabulary([path])).rules if r.id == "unit-mismatch"]
    assert Engine(shipped_rules).audit(doc).findings == []
    (finding,) = Engine(local_rules).audit(doc).findings
    assert "盏" in finding.message["zh"]


# names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [("1.工作人员满意度（%）", "工作人员满意度"), ("（二）受益人数(人)；", "受益人数"), ("  绿地 面积 ", "绿地面积")],
)
def test_names_are_matched_without_numbering_notes_and_spaces(written, key):
    assert indicator_name_key(written) == key


# the functions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level3", "family"),
    [
        ("垃圾分类知晓率", "rate"),
        ("新建公厕数量", "count"),
        ("参训人数", "people"),
        ("河道巡查次数", "times"),
        ("专项资金执行数", "money"),
        ("报修响应时长", "duration"),
        ("工程竣工时间", "date"),
        ("游客人数同比增长", "change"),
        ("新增绿地面积", "area"),
        ("慢行道长度", "length"),
        ("某某情况", None),
        (None, None),
    ],
)
def test_family(fn, level3, family):
    assert fn["family"](level3) == family


def test_unit_family(fn):
    assert [fn["unit_family"](u) for u in ("万元", "％", "人次", "次", "盏", "工作日", "亩", "组", None)] == [
        "money", "rate", "people", "times", "count", "duration", "area", None, None,
    ]


@pytest.mark.parametrize(
    ("level3", "unit", "fits"),
    [
        ("垃圾分类知晓率", "%", True),
        ("垃圾分类知晓率", "万元", False),
        ("新建公厕数量", "座", True),
        ("新建公厕数量", "组", True),  # any counting word
        ("新建公厕数量", "%", False),  # class 10: a count written with %
        ("帮扶困难家庭户数", "%", False),
        ("参训人数", "人次", True),
        ("参训人数", "次", False),
        ("河道巡查次数", "人次", True),
        ("河道巡查次数", "个", False),
        ("检测天数", "工作日", True),
        ("检测天数", "年", False),  # the entry narrows its family's units
        ("游客人数同比增长", "万人", True),  # a change is not judged on units
        ("居民满意度", "分", True),
        ("某某情况", "吨", True),  # an unknown name is not judged
    ],
)
def test_unit_fits(fn, level3, unit, fits):
    assert fn["unit_fits"](level3, unit) is fits


def test_expected_units_and_terms(fn):
    assert fn["expected_units"]("垃圾分类知晓率") == "%、百分点、‰"
    assert fn["expected_units"]("新建公厕数量").endswith("等计数单位")
    assert fn["expected_units"]("某某情况") is None
    assert fn["indicator_term"]("专项资金到位率", "zh") == "资金执行" and fn["indicator_term"]("专项资金到位率", "en") == "funds execution"
    assert fn["measure_term"]("聘用人员数", "zh") == "人数" and fn["measure_term"]("检测天数", "en") == "number of days"


def test_expected_and_framework_categories(fn):
    assert fn["expected_categories"]("道路清扫完成率") == ("数量", "质量", "时效")  # 共性指标框架: 实际完成率 under 数量
    assert fn["expected_categories"]("验收合格率") == ("质量", "经济效益", "社会效益", "生态效益", "可持续影响")  # a pass rate may be an outcome
    assert fn["expected_categories"]("维修响应及时性") == ("时效",)
    assert fn["expected_categories"]("成本节约率") == ("成本", "经济效益")
    assert fn["expected_categories"]("专项资金到位率") == ("成本",)  # not an output or outcome
    assert fn["expected_categories"]("群众满意度") is None
    assert [fn["framework_category"](h) for h in ("数量指标", "产出数量", "经济成本指标", "服务对象满意度指标", "效益指标", None)] == [
        "数量", "数量", "成本", "满意度", None, None,
    ]


def test_project_kind(fn):
    assert fn["project_kind"](project("2024年在职人员工资福利")) == "personnel"
    assert fn["project_kind"](project("社区工作站食堂运营")) == "internal_support"
    assert fn["project_kind"](project("机关综合经费", "用于机关办公用品购置和办公设备维护")) == "internal_support"
    assert fn["project_kind"](project("根治欠薪专项行动", "保障农民工工资按时足额支付")) == "public_service"
    assert fn["project_kind"](project("老旧小区改造")) == "public_service"
    assert fn["project_kind"](None) is None


def test_indicator_role_depends_on_the_project_kind(fn):
    role = fn["indicator_role"]
    assert role("专项资金执行数") == "input" and role("聘用人员数") == "input"
    assert role("享受助餐服务老人人数") == "output" and role("入户走访次数") == "output" and role("服务人次") == "output"
    assert role("聘用人员数", project("河道保洁")) == "input"
    assert role("聘用人员数", project("编外聘用人员经费")) == "output"  # the people it pays
    assert role("保障人数", project("机关大院物业管理服务费")) == "output"  # the staff it serves
    assert role("专项资金执行数", project("编外聘用人员经费")) == "input"  # money stays an input
    assert role("某某情况") is None


def test_direction(fn):
    assert fn["direction"]("垃圾分类知晓率") == "higher"
    assert fn["direction"]("单位面积养护成本") == "lower"
    assert fn["direction"]("专项资金执行数") == "exact"
    assert fn["direction"]("某某情况") is None


@pytest.mark.parametrize(
    ("text", "respondent"),
    [
        ("居民对中心工作人员服务的满意度", "居民"),
        ("工作人员满意度（%）", "工作人员"),
        ("服务对象满意度", "服务对象"),
        ("反映本单位职工对食堂伙食的满意程度", "本单位职工"),
        ("社区居民对站点办公环境是否满意", "社区居民"),
        ("针对性强", None),
        (None, None),
    ],
)
def test_satisfaction_respondent(text, respondent):
    assert satisfaction_respondent(text) == respondent


def test_names_staff(fn):
    assert fn["names_staff"]("本单位职工") and fn["names_staff"]("干部职工") and fn["names_staff"]("工作人员")
    assert not fn["names_staff"]("企业员工") and not fn["names_staff"]("园区群众及职工") and not fn["names_staff"]("居民")
    assert not fn["names_staff"](None)


def test_the_vocabulary_functions_are_documented(shipped):
    from auditor.domain import VOCABULARY_FUNCTION_DOCS, vocabulary_functions
    from auditor.ruledocs import reference_markdown

    documented = {signature.split("(")[0] for signature in VOCABULARY_FUNCTION_DOCS}
    assert documented == {*vocabulary_functions(shipped), "satisfaction_respondent"}
    text = reference_markdown(load_rules().rules)
    assert "`unit_fits(level3, unit)`" in text and "rules/vocabulary.yaml" in text


def test_held_out_names_get_their_terms(fn):
    """Names from blind held-out drafts that the vocabulary had read wrongly."""
    # supplies delivered in a flood are no funds execution; funds are
    assert fn["indicator_term"]("汛期应急物资保障到位率", "zh") != "资金执行"
    assert fn["indicator_term"]("资金到位率", "zh") == "资金执行"
    # people cared for are served, not staff put in
    assert fn["indicator_role"]("集中供养特困人员人数") == "output"
    assert fn["unit_fits"]("协助完成监督检查户次", "户次")
