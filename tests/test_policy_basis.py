"""``policy-basis``: the 政策依据 names what the project rests on (a title in 《》, a 文号, a 关于…的
通知, a regulation, a plan, the 三定 duties) — on invented projects, on the real Shenzhen 2023
申报表 workbook (every project gets a verdict, each read by hand) and on the corpus drafts, whose
template has no 政策依据 field (not checkable, never clean)."""

from __future__ import annotations


import pytest

from auditor.engine import Engine
from tests.conftest import assert_not_checkable_on_the_corpus
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import parse_value

RULESET = load_rules()
RULE = "policy-basis"


def audit(*projects: dict):
    doc = document_from({"projects": list(projects)}, "document", parse_value)
    return Engine([RULESET.resolve(RULE)]).audit(doc)


def cases(*texts: str | None) -> list[str | None]:
    """The case each text gives (None: clean), one project per text."""
    result = audit(*({"policy_basis": text} for text in texts))
    by_project = {f.project.index: f.case for f in result.findings if f.rule == RULE}
    return [by_project.get(i + 1) for i in range(len(texts))]


@pytest.mark.parametrize(
    "text",
    [
        "《某省农村公路条例》",
        "某财发[2021]9号",
        "某民规（2019）3号",
        "区政府关于加快推进老旧小区改造的实施意见",
        "某市城市更新“十四五”规划",
        "某市公共文化设施布局规划（2021-2035年）",
        "某区教育事业发展十四五规划",
        "本局三定方案规定的职责：负责全区文物保护",
        "区委区政府会议纪要精神",
        "中华人民共和国消防法第三十条",
        "某市社区工作者管理办法",
    ],
)
def test_a_named_basis_is_clean(text):
    assert cases(text) == [None]


@pytest.mark.parametrize(
    "text",
    ["根据工作需要", "上级要求", "按照有关规定执行", "为保障单位正常运转，依法履行职责", "维持办公楼日常运行所需的各项工作"],
)
def test_generic_words_name_no_basis(text):
    assert cases(text) == ["no_citation"]


def test_a_background_text_is_not_a_basis_unless_it_cites_one():
    background = "一、项目背景：\n1.本站是街道在社区的服务平台，在街道党工委领导下依法开展工作。"
    assert cases(background) == ["background"]
    assert cases("项目概况：本项目为辖区道路保洁") == ["background"]
    # a background that goes on to name its documents has a basis
    assert cases(background + "\n二、依据：《某市社区工作站管理办法》") == [None]


def test_empty_is_its_own_finding_and_absent_is_not_checkable():
    result = audit({"policy_basis": ""}, {"policy_basis": "  "}, {"name": "语料模板的项目"})
    found = [(f.project.index, f.case) for f in result.findings]
    assert found == [(1, "empty"), (2, "empty")]
    outcome = result.outcomes[RULE]
    assert (outcome.checked, outcome.findings, outcome.not_checkable) == (2, 2, 1)
    assert outcome.reasons == {"project.policy_basis": 1}


def test_one_finding_per_project():
    result = audit({"policy_basis": "一、项目背景：根据工作需要，按照上级要求开展"})
    assert [f.case for f in result.findings] == ["background"]


@pytest.fixture(scope="module")
def workbook_audit(form_workbook):
    return Engine([RULESET.resolve(RULE)]).audit(form_workbook)


def test_workbook_every_project_gets_a_verdict(workbook_audit):
    # read by hand: 1, 2, 4 and 5 cite documents in 《》, 文号 or 关于…的通知 (clean); 6 gives a
    # line of work content; 3, 7–20 give the same 项目背景 paragraphs (14, 15, 17, 18 followed by
    # 项目内容) and no document
    findings = {f.project.index: f.case for f in workbook_audit.findings}
    assert findings == {6: "no_citation", **{i: "background" for i in (3, *range(7, 21))}}
    outcome = workbook_audit.outcomes[RULE]
    assert (outcome.checked, outcome.not_checkable) == (20, 0)
    clean = set(range(1, 21)) - set(findings)
    assert clean == {1, 2, 4, 5}
    for finding in workbook_audit.findings:  # at the 政策依据 cell of the project's sheet
        assert finding.field == "policy_basis" and finding.ref.endswith("'!B7"), finding.ref


def test_corpus_drafts_have_no_policy_basis_field(audits, drafts):
    assert_not_checkable_on_the_corpus(RULE, audits, drafts)
