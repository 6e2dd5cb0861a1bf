"""``calculation-basis``: the 测算依据 shows how this year's amount was reached and comes to it —
on invented projects of other regions, on the real Shenzhen 2023 申报表 workbook (every project
gets a verdict, each read by hand) and on the corpus drafts, whose template has no 测算依据
field (not checkable, never clean)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from auditor.calculation import Words, read_breakdown, unsummed_total
from auditor.engine import Engine
from tests.conftest import assert_not_checkable_on_the_corpus
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

RULESET = load_rules()
RULE = "calculation-basis"


def words() -> Words:
    params = RULESET.resolve(RULE).params
    return Words(
        totals=re.compile(params["total_words"]),
        norms=re.compile(params["norm_words"]),
        tiers=re.compile(params["tier_words"]),
        context=re.compile(params["context_words"]),
        priced=re.compile(params["price_words"]),
    )


def audit(*projects: dict):
    doc = document_from({"projects": list(projects)}, "document", parse_value)
    complete_document(doc)
    return Engine([RULESET.resolve(RULE)]).audit(doc)


def case(budget, text: str | None) -> str | None:
    """The case a project with this budget and 测算依据 gives (None: clean)."""
    result = audit({"budget": budget, "calculation_basis": text})
    found = [f.case for f in result.findings]
    assert len(found) <= 1, found
    return found[0] if found else None


# --- reading a 测算依据 -------------------------------------------------------------------------


def test_products_are_worked_out_with_their_one_money_factor():
    b = read_breakdown("城市低保1850人×每人每月平均补差760元×12月=1687.2万元", words())
    (product,) = b.products
    assert product.yuan == Decimal(1850 * 760 * 12)
    assert product.gives is not None and product.gives.text == "1687.2万元"
    b = read_breakdown("保安3名，3人*4500元/人/月*12个月（16.2万元）", words())
    assert [p.yuan for p in b.products] == [Decimal(162000)]
    # bare numbers to an amount of money are in its unit; to anything else, not money
    assert [p.yuan for p in read_breakdown("20×4.8=96万元", words()).products] == [Decimal(960000)]
    assert read_breakdown("20人×12个月=240人月", words()).products == ()


def test_figures_are_sorted_by_what_they_are():
    b = read_breakdown("全年举办讲座24场，每场讲师费、场地及资料费约0.75万元，合计18万元。", words())
    assert [m.text for m in b.rates] == ["0.75万元"] and [m.text for m in b.totals] == ["18万元"]
    b = read_breakdown("在编62人，人均绩效奖励标准3.0万元/年测算，计186万元；另预留0.4万元，合计186.4万元。", words())
    assert [m.text for m in b.rates] == ["3.0万元"]
    assert [m.text for m in b.items] == ["186万元", "0.4万元"] and [m.text for m in b.totals] == ["186.4万元"]
    b = read_breakdown("按服务面积分为三档，第一档核定20万元/年，每增加一档增加5万元/年。租赁费12万元。", words())
    assert [m.text for m in b.norms] == ["20万元", "5万元"] and [m.text for m in b.items] == ["12万元"]
    b = read_breakdown("年均10万元，三年共30万元；上年结转2万元", words())
    assert [m.text for m in b.context] == ["30万元", "2万元"]
    b = read_breakdown("合计约4265万元，按4260万元安排", words())
    assert [m.text for m in b.approximate] == ["4265万元"] and [m.text for m in b.items] == ["4260万元"]
    # a bare 万 is money before a joining word, never before a measure word
    b = read_breakdown("宿舍租金7.14万及煤气费4.26万，服务3万人", words())
    assert [m.text for m in b.items] == ["7.14万", "4.26万"]


def test_a_total_must_be_what_its_parts_come_to():
    def unsummed(text):
        found = unsummed_total(read_breakdown(text, words()), Decimal("0.001"))
        return (found.total.text, found.sum) if found else None

    assert unsummed("维修210万元、加固265万元、检测95万元，合计560万元") == ("560万元", Decimal(5_700_000))
    assert unsummed("维修210万元、加固265万元、检测85万元，合计560万元") is None
    # a running total: 合计A，另B，共A+B
    assert unsummed("41人×4.84万元=198.44万元，合计198.44万元，另预留0.16万元，共198.6万元") is None
    # a total written first lists only some parts after 其中: they may not exceed it
    assert unsummed("经费总额100万元，其中设备60万元") is None
    assert unsummed("经费总额100万元，其中设备60万元、安装50万元") == ("100万元", Decimal(1_100_000))


# --- the rule on invented drafts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "text"),
    [
        (25.32, "保安3人×4500元/人/月×12个月=16.2万元；保洁2人×3800元/人/月×12个月=9.12万元，合计25.32万元"),
        (6.5, "电脑10台×6000元=6万元，打印机2台×2500元=0.5万元"),
        (102, "按每生每年1200元标准，惠及在校生850人，共102万元"),
        (4260, "城市低保1850人×每人每月平均补差760元×12月=1687.2万元；农村低保4620人×每人每月平均补差465元×12月="
               "2577.96万元，合计约4265万元，按4260万元安排。"),
        (36, "平台运维服务费按2024年合同价36万元/年续签，含巡检、故障处理、数据备份"),
        (198.6, "离退休人员41人，按人均每年4.84万元测算，合计198.44万元，另预留待遇调整差额0.16万元，共198.6万元。"),
        (6, "购置办公桌椅32套，每套1500元，计48000元；文件柜10组，每组1200元，计12000元"),
        (64.47, "厨工外包合同价62.0203万元；绿化养护2.4万元"),  # within the rounding of 2.4
        # a per cent factor; the result restated in 万元
        (1023.66, "按常住人口72.6万人、人均补助标准94元、区级承担15%测算：72.6万人×94元/人×15%=10236600元，折合1023.66万元。"),
        # one amount restated in another unit is one amount; a three years' contract total is context
        (43.68, "依据公开招标确定的服务合同，年度服务费用为436,800元，即43.68万元；三年合同总价131.04万元。"),
        (32.7, "运维服务费按合同约定28.5万元/年；专线费用每月3500元，全年3500×12=42000元，即4.2万元；合计32.7万元。"),
        # the multi-year total beside the year's amount is not the year's items' total
        (180, "补助标准每人每年20元，2025年预计签约9万人，需180万元（9万人×20元）。项目周期3年，按每年180万元安排，中期规划总额540万元。"),
        # bare numbers whose product is the amount in 元; products that are terms of a sum
        (1677, "城市低保对象2150人，月人均补差650元，2150×650×12=16770000元，即1677万元。"),
        (1677, "城市低保对象2150人，月人均补差650元：2150×650×12=1677万元。"),
        (920, "新建分站2个，每个320万元；改造分站2个，每个140万元；2×320+2×140=920万元。"),
        # graded norms, each applied by a product
        (440.4, "困难残疾人生活补贴每人每月80元；重度残疾人护理补贴一级每人每月100元、二级每人每月80元。其中：困难残疾人2100人×80元"
                "×12个月=201.6万元；一级950人×100元×12个月=114万元；二级1300人×80元×12个月=124.8万元。合计440.4万元。"),
        # a unit price and the same amount for one unit are two roles, not a restatement
        (278, "DR1台，单价128万元，计128万元；生化分析仪1台，46万元；超声诊断仪2台×52万元=104万元；合计278万元。"),
        # the year's amount stated, the three years' total beside it
        (10, "每年抽检80批次，检测费约1000元/批次，计8万元；执法办案及宣传2万元；年均10万元，三年共30万元"),
    ],
)
def test_a_basis_that_shows_its_working_and_comes_to_the_amount_is_clean(budget, text):
    assert case(budget, text) is None


@pytest.mark.parametrize(
    ("budget", "text", "expected"),
    [
        (12, "", "empty"),
        (12, "无", "empty"),
        (8, "根据实际需要测算", "no_amount"),
        (30.05, "每年需支付费用共计30.05万元", "total_only"),
        (30.05, "按服务合同每年支付共计30.05万元", None),  # a contract's price is a basis
        (1018.55, "以中标价629万元测算，覆盖13个社区", "single"),
        (36.95, "按服务面积分为四档，第一档核定20万元/年，每增加一档增加5万元/年。", "norms"),
        (25.2, "保洁员6人×3000元/人/月×12个月=25.2万元", "product"),
        # a miscomputed product whose true value the 合计 has: one finding, the product's
        (468.5, "CT1台，预算380万元；超声诊断仪2台×单价36.5万元=63万元；生化分析仪1台，15.5万元。以上合计468.5万元。", "product"),
        # bare numbers multiplied to an amount: in its unit (38×3.6 is 136.8)
        (146.8, "全区38个行政村，每村每年保洁服务经费3.6万元，38×3.6=146.8万元。", "product"),
        # an amount restated in another unit with the wrong figure
        (72.26, "防疫员补助56人×800元/月×12个月=537,600元，折合537.6万元；疫苗区级配套18.5万元。合计72.26万元。", "conversion"),
        # unit prices with no quantity to apply them to, even beside a total
        (560, "签约服务费补助标准：一般人群每人每年10元，重点人群（65岁及以上老年人、0-6岁儿童）每人每年30元。合计560万元。", "rates"),
        (51, "一星级站点每年补贴3万元、二星级站点每年补贴5万元、三星级站点每年补贴8万元，辖区共有站点9个。", "norms"),
        (260, "委托专业机构服务8个街道：8个街道×12个月×2.5万元=260万元。", "product"),
        # graded norms quoted for an amount with no head count: the rest of the working does not excuse it
        (185, "体检2.5万人×50元/人=125万元；失能老人上门服务按护理等级分为一级、二级、三级，补助标准分别为每人每月300元、200元、"
              "100元，共计60万元。合计185万元。", "norms"),
        (180.5, "设计费12万元、监理费8.5万元、施工费160万元，合计178.5万元", "total"),
        (12, "培训场地租赁3万元；讲师费4.8万元；资料印刷1.2万元", "sum"),
        (16.04, "物业管理费7.84万元；维修费2.06万元；办公费6.14元", "unit"),
    ],
)
def test_defects(budget, text, expected):
    assert case(budget, text) == expected


def test_product_and_sum_messages_name_the_figures():
    (finding,) = audit({"budget": 25.2, "calculation_basis": "保洁员6人×3000元/人/月×12个月=25.2万元"}).findings
    assert "21.60万元" in finding.message["zh"] and "25.2万元" in finding.message["zh"]
    (finding,) = audit({"budget": 12, "calculation_basis": "场地租赁3万元；讲师费4.8万元；印刷1.2万元"}).findings
    assert "合计9.00万元" in finding.message["zh"] and "12" in finding.message["zh"]
    assert "add up to 9.00万元" in finding.message["en"]


def test_without_a_budget_only_what_needs_none_is_judged():
    result = audit(
        {"budget": 0, "calculation_basis": "场地租赁3万元；讲师费4.8万元"},  # a breakdown: the sum needs the budget
        {"budget": 0, "calculation_basis": "根据相关文件核算"},  # no working: judged without it
        {"budget": 0, "calculation_basis": "全年需支付10万元"},
        {"name": "语料模板的项目"},  # no 测算依据 field
    )
    assert {f.project.index: f.case for f in result.findings} == {2: "no_amount", 3: "one_amount"}
    outcome = result.outcomes[RULE]
    assert outcome.not_checkable == 2
    assert outcome.reasons == {"budget.total": 1, "project.calculation_basis": 1}


# --- the real workbook and the corpus --------------------------------------------------------


@pytest.fixture(scope="module")
def workbook_audit(form_workbook):
    return Engine([RULESET.resolve(RULE)]).audit(form_workbook)


def test_workbook_every_project_gets_a_verdict(workbook_audit):
    # read by hand (the budgets are in 元 under a 万元 label; budget-unit says so, and sums are
    # compared in 元):
    #  1 中标价629万元 against 1018.55万元;  2 and 3 name no figure at all;  4 57.12+57.996+30.888
    #  is 146.004, written 合计143.004万元/年;  6 only restates 30.05万元;  10 200人×700元×12个月
    #  is 168万元, written 199.92万元 (the rest agree);  14 five items come to 34.9339万元, not
    #  16.2339万元;  15 quotes the tiers of a norm, never which applies;  17 6.93+9.5+0.2 = 16.63,
    #  not 18.12.  Clean: 5, 9, 12, 13, 16, 19 add up exactly; 7, 8, 11, 18, 20 within rounding
    #  (at most 0.08%, e.g. 70.252212 for 70.26).
    findings = {f.project.index: f.case for f in workbook_audit.findings}
    assert findings == {
        1: "single", 2: "no_amount", 3: "no_amount", 4: "total", 6: "total_only",
        10: "product", 14: "sum", 15: "norms", 17: "sum",
    }
    outcome = workbook_audit.outcomes[RULE]
    assert (outcome.checked, outcome.not_checkable) == (20, 0)
    for finding in workbook_audit.findings:  # at the 测算依据 cell of the project's sheet
        assert finding.field == "calculation_basis" and finding.ref.endswith("'!B8"), finding.ref
    (first,) = [f for f in workbook_audit.findings if f.project.index == 1]
    assert "1,018.55万元" in first.message["zh"]  # the budget read in 元, shown in 万元


def test_corpus_drafts_have_no_calculation_basis_field(audits, drafts):
    assert_not_checkable_on_the_corpus(RULE, audits, drafts)


@pytest.mark.parametrize("budget, text", [
    # a running total (累计) after each item is the total so far, not another quantity
    (8.4, "①投影仪2台，每台1.2万元，计2.4万元；②移动展板20块，每块0.15万元，计3万元，累计5.4万元；③档案柜5组，报价3万元，累计8.4万元。"),
    (26, "第一批采购18万元，第二批采购8万元，累计26万元"),
    # 档案 (records) is not a tier (档), even after a numbered item ③ that NFKC reads as 3
    (4.5, "③档案整理外包服务，合同价4.5万元"),
])
def test_running_totals_and_records_are_read_as_written(budget, text):
    assert case(budget, text) is None


def test_money_paid_before_is_still_context_not_a_running_total():
    b = read_breakdown("累计已拨付60万元，本年安排保洁服务费40万元，合计40万元", words())
    assert [m.text for m in b.context] == ["60万元"]
    b = read_breakdown("一期20万元，二期15万元，累计35万元", words())
    assert [m.text for m in b.totals] == ["35万元"] and not b.context


@pytest.mark.parametrize("budget, text", [
    (45, "水田耕地地力补贴每公顷1500元，全镇水田300公顷，计45万元"),
    (9.6, "农田机井维护每眼每年0.8万元，共12眼，计9.6万元"),
])
def test_rates_applied_to_areas_and_wells_are_worked(budget, text):
    assert case(budget, text) is None
