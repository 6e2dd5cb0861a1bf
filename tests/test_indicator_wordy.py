"""`indicator-wordy`: a 三级指标 written as a sentence, a question, or holding its own target —
judged by shape (clauses, a verb opening a statement, subject-verb-object, comparison words and
numbers with units in the name), never by length alone. Invented names, the real Shenzhen 申报表
workbook, and the corpus (pinned in tests/test_rules_corpus.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.readers import read_document
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

WORKBOOK = Path(__file__).parent / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"
RULE = load_rules().resolve("indicator-wordy")


def audit_names(names: list[str], value: str = "≥90%") -> list:
    rows = [{"level1": "产出指标", "level2": "质量指标", "level3": name, "value": value} for name in names]
    doc = document_from({"name": "社区综合服务项目", "year": 2024, "indicators": rows}, "project", parse_value)
    complete_document(doc)
    return Engine([RULE]).audit(doc).findings


# Long noun phrases, qualifiers inside a name (60岁以上, 达到…的比例), ratios defined with 占 and
# short vague goals are not wordy.
NAMES = [
    "农村生活垃圾分类收运处理覆盖率",
    "城镇老旧小区改造项目竣工验收合格率",
    "居民对社区卫生服务中心医疗服务的满意度",
    "群众对一社区一法律顾问工作的满意度",
    "60岁以上老年人健康管理服务率",
    "3岁以下婴幼儿家庭养育指导覆盖率",
    "年收入低于5000元困难家庭救助覆盖率",
    "水质达到III类标准的断面比例",
    "空气质量达到二级以上天数",
    "PM2.5年均浓度",
    "2024年度新增城镇就业人数",
    "12345热线工单按时办结率",
    "完成改造的城镇老旧小区居民户数占比",
    "改善空气质量数占原来空气质量数的比",
    "实际参加培训人数占应参加培训人数比率",
    "保障性住房建设完成率",
    "提升改造农村公路里程",
    "通过验收的高标准农田建设面积",
    "提高空气质量情况",
    "提供服务期限",
    "需保障保洁的工作站、党群服务中心数量；",
    "燃油费、车辆维修费、保养费、保险费的成本",
    "服务对象满意度（%）",
]


@pytest.mark.parametrize("name", NAMES)
def test_names_of_measures_pass(name):
    assert audit_names([name]) == []


@pytest.mark.parametrize(
    ("name", "case"),
    [
        ("确保全年完成敬老院探访不少于120人次", "target"),
        ("保洁、绿化、安保总成本不超过42.6万元", "target"),
        ("路灯完好率达到98%", "target"),
        ("道路清扫保洁面积12万平方米", "target"),
        ("处置时间2小时以内", "target"),
        ("不突破年度预算控制在批复数以内", "target"),
        ("达到消防验收标准", "target"),
        ("村民对河道保洁工作是否满意", "question"),
        ("有无安全责任事故", "question"),
        ("加强宣传引导，提高群众知晓率", "sentence"),
        ("完成河道清淤；确保汛期安全", "sentence"),
        ("通过开展技能培训提升农民就业能力", "sentence"),
        ("确保完成年度走访任务", "sentence"),
        ("切实做好辖区内防汛物资储备和调配工作", "sentence"),
        ("提高辖区老旧小区、城中村的消防安全水平", "sentence"),
        ("物业公司为入住企业提供保洁绿化和维修服务", "sentence"),
    ],
)
def test_sentences_questions_and_targets_in_names_fail(name, case):
    (finding,) = audit_names([name])
    assert finding.case == case and finding.evidence == name
    assert finding.field.endswith(".level3")
    assert finding.severity == ("warning" if case == "target" else "info")


def test_a_row_is_one_finding_in_the_first_shape_that_fits():
    # a target and a verb chain in one name: the target, once
    (finding,) = audit_names(["确保全年完成社区走访不少于200户"])
    assert finding.case == "target" and "目标值" in finding.message["zh"]


def test_sentences_of_one_project_are_one_finding_targets_one_per_row():
    found = audit_names(["吸引投资，促进经济发展", "统一规划，美化环境", "是否按时完成",
                         "巡查覆盖率达到95%", "安保总成本不超30万元"])
    by_case = {}
    for finding in found:
        by_case.setdefault(finding.case, []).append(finding)
    (sentences,) = by_case["sentence"]
    assert sentences.data["count"] == 2 and "有2个三级指标写成了句子" in sentences.message["zh"]
    assert len(by_case["question"]) == 1 and len(by_case["target"]) == 2


def test_rows_declared_not_to_apply_and_empty_names_are_left_alone():
    assert audit_names(["不适用", ""], value="不适用") == []


@pytest.fixture(scope="module")
def workbook():
    doc = read_document(WORKBOOK, parse_value)
    complete_document(doc)
    return Engine([RULE]).audit(doc)


def test_workbook(workbook):
    got = [(f.project.index, f.case, f.evidence, f.data.get("count", 1)) for f in workbook.findings]
    satisfied = "社区居民对党群服务中心工作人员及办公环境是否满意"
    # Read by hand: every one is a sentence, a question or a name carrying its target. Not
    # reported, though long: 指派执业律师驻点街道社区居委会的数量 and 入户宣传、公共区域宣传等覆盖的
    # 住宅区数量 (noun phrases naming a count), 燃油费、车辆维修费、保养费、保险费的成本 (a list of
    # what the cost covers), 社区工作站为居民提供服务的办公环境 (a noun phrase, vague, not a sentence).
    assert got == [
        (4, "sentence", "驻点街道社区法律顾问律师提供法律服务", 2),  # and 社区法律顾问律师为社区居民提供法律服务
        (6, "question", satisfied, 1),
        (7, "sentence", "提高工作站、党群服务中心的卫生程度", 1),
        (8, "target", "安保、厨师厨工、保洁、总成本不超69.95万元", 1),
        (8, "sentence", "保障党群服务中心的安全稳定程度", 1),
        (8, "question", satisfied, 1),
        (12, "question", satisfied, 1),
        (13, "question", "社区居民对社区工作站专职工作人员及社区工作站办公环境是否满意", 1),
        (14, "question", satisfied, 1),
        (16, "question", "整治队员对居住环境是否满意", 1),
        (17, "question", satisfied, 1),
        (19, "question", satisfied, 1),
        (20, "question", satisfied, 1),
        (20, "sentence", "保障党群服务中心的安全稳定程度", 1),
    ]
    (four,) = [f for f in workbook.findings if f.project.index == 4]
    assert [at.ref.split("!")[1] for at in four.data["ats"]] == ["C13", "C14"]
    outcome = workbook.outcomes["indicator-wordy"]
    assert outcome.not_checkable == 0 and outcome.checked > 0


def test_every_corpus_row_is_checked(drafts):
    engine = Engine([RULE])
    for key, doc in drafts.items():
        outcome = engine.audit(doc).outcomes["indicator-wordy"]
        assert outcome.checked > 0 and outcome.not_checkable == 0, key
