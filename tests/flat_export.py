"""Write a ``Document`` (read from a corpus draft) as a flat export, as budget systems produce it.

A flat export is one row per indicator (``layouts/flat-export.yaml``): a project sheet (one row
per project: 项目编码, 项目名称, 申请单位, 一级预算单位, amounts, 资金用途, the goals as one
年度目标 cell numbered ``1.…\\n2.…``) joined on 项目编码 to an indicator sheet (项目编码, 一级/二级/
三级指标, 指标值, 指标解释, 指标值确定依据), or one joined table with all of these columns.

``VARIANTS`` names the shapes the tests read back, each with its own column headers (synonyms
from the profile, as different systems name them):

* ``separate`` — .xlsx, a project sheet and an indicator sheet whose 项目编码 is one merged cell
  down a project's indicator rows; amounts in 元 (``本年金额（元）``).
* ``joined`` — .xlsx, one joined sheet under a title row; amounts in 万元 (``预算数（万元）``).
* ``mixed`` — .xlsx, a joined copy first, then the project and indicator sheets, an empty
  审核意见 sheet and a 填报说明 sheet holding only a title; amounts in 元.
* ``csv-bom`` — the joined table as .csv in UTF-8 with a BOM (as Excel saves it), under a title
  line and a ``单位：万元`` line; the amount headers declare no unit.
* ``csv-gbk`` — the joined table as .csv in GBK, 项目编码 written only on a project's first row;
  amounts in 元.

Amounts in 元 are the draft's 万元 figures × 10000 (``50.00`` → ``500000.00``). In .xlsx amounts
are numbers with a number format, every other cell is text (a 指标值 such as ``=24人`` stays text,
not a formula). A project without indicators (one in 002) has one row in a joined table, its
indicator cells blank, as a left join gives it, and no row in an indicator sheet. Amount columns
are written only when the draft has a 预算数, and 资金用途 only when it has one; 003 has neither.

Projects without a 项目编码 (draft 003) get a synthetic one in the export, ``NOCODE-001`` …
(``export_code``), and projects without a 项目名称 (003 again) the name their heading gives
(``Project.display_name``), since an export always carries both.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from auditor.model import Amount, Document, Project

YUAN_PER_WAN = Decimal(10000)


@dataclass(frozen=True)
class Variant:
    """One shape of flat export: format, sheets, column headers, money unit, how keys are written."""

    name: str
    suffix: str  # .xlsx / .csv
    sheets: tuple[str, ...]  # "projects", "indicators", "joined", "empty", "title-only" (xlsx only)
    unit: str  # money unit of the amounts: 万元 or 元
    headers: dict[str, str]  # model field → column header
    amount_unit_in_header: bool = True  # else a 单位：… line above the header declares it
    title: bool = False  # a title row above the header
    merged_key: bool = False  # 项目编码 merged down a project's indicator rows (indicator sheet)
    key_on_first_row_only: bool = False  # 项目编码 blank on a project's later rows (joined table)
    encoding: str = "utf-8-sig"  # .csv only
    drop: tuple[str, ...] = ()  # fields left out (the negative tests drop "code")

    @property
    def is_csv(self) -> bool:
        return self.suffix == ".csv"

    def with_(self, **changes) -> Variant:
        return replace(self, **changes)


PROJECT_FIELDS = ("code", "name", "applicant", "parent_unit", "budget.total", "budget.fiscal", "budget.other",
                  "purpose", "annual_goal")
INDICATOR_FIELDS = ("level1", "level2", "level3", "description", "value", "basis")
AMOUNTS = ("budget.total", "budget.fiscal", "budget.other")

VARIANTS: dict[str, Variant] = {
    "separate": Variant(
        "separate", ".xlsx", ("projects", "indicators"), "元", merged_key=True,
        headers={"code": "项目编码", "name": "项目名称", "applicant": "申请单位", "parent_unit": "一级预算单位",
                 "budget.total": "本年金额（元）", "budget.fiscal": "财政拨款（元）", "budget.other": "其他资金（元）",
                 "purpose": "资金用途", "annual_goal": "年度目标",
                 "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "value": "指标值",
                 "description": "指标解释", "basis": "指标值确定依据"},
    ),
    "joined": Variant(
        "joined", ".xlsx", ("joined",), "万元", title=True,
        headers={"code": "项目代码", "name": "项目名称", "applicant": "单位名称", "parent_unit": "主管部门",
                 "budget.total": "预算数（万元）", "budget.fiscal": "财政资金（万元）", "budget.other": "其他资金（万元）",
                 "purpose": "资金用途", "annual_goal": "绩效目标",
                 "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "value": "目标值",
                 "description": "绩效指标描述", "basis": "指标值设定依据"},
    ),
    "mixed": Variant(
        "mixed", ".xlsx", ("joined", "projects", "indicators", "empty", "title-only"), "元",
        headers={"code": "项目编码", "name": "项目名称", "applicant": "申报单位", "parent_unit": "预算部门",
                 "budget.total": "本年度项目金额（元）", "budget.fiscal": "其中财政拨款（元）", "budget.other": "其他资金（元）",
                 "purpose": "资金用途", "annual_goal": "年度绩效目标",
                 "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "value": "绩效指标值",
                 "description": "指标描述", "basis": "指标值确定依据"},
    ),
    "csv-bom": Variant(
        "csv-bom", ".csv", ("joined",), "万元", amount_unit_in_header=False, title=True,
        headers={"code": "项目编码", "name": "项目名称", "applicant": "项目单位", "parent_unit": "主管单位",
                 "budget.total": "预算金额", "budget.fiscal": "财政资金", "budget.other": "其他资金",
                 "purpose": "资金用途", "annual_goal": "年度目标",
                 "level1": "一级指标", "level2": "二级指标", "level3": "指标名称", "value": "指标值",
                 "description": "指标说明", "basis": "确定依据"},
    ),
    "csv-gbk": Variant(
        "csv-gbk", ".csv", ("joined",), "元", key_on_first_row_only=True, encoding="gbk",
        headers={"code": "项目编码", "name": "项目名称", "applicant": "实施单位", "parent_unit": "一级预算单位",
                 "budget.total": "年度资金总额（元）", "budget.fiscal": "财政资金（元）", "budget.other": "其他资金（元）",
                 "purpose": "资金用途", "annual_goal": "绩效目标",
                 "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "value": "目标值",
                 "description": "绩效指标描述", "basis": "指标值确定依据"},
    ),
}

SHEET_NAMES = {"projects": "项目信息", "indicators": "绩效指标", "joined": "绩效目标明细", "empty": "审核意见",
               "title-only": "填报说明"}


def export_code(project: Project) -> str:
    """The project's 项目编码, or the synthetic one the export gives a project without one."""
    return project.code or f"NOCODE-{project.index:03d}"


def export_name(project: Project) -> str:
    return project.name or project.display_name


def amount_text(amount: Amount | None, unit: str) -> str:
    """An amount as the export writes it in ``unit`` (the draft's figures are in 万元)."""
    if amount is None or amount.value is None:
        return amount.raw if amount is not None else ""
    return str(amount.value * YUAN_PER_WAN) if unit == "元" else amount.raw


def goals_text(project: Project) -> str:
    return "\n".join(f"{n}.{goal.text}" for n, goal in enumerate(project.goals, start=1))


def _has_budget(doc: Document) -> bool:
    return any(p.budget is not None for p in doc.projects)


def _fields(doc: Document, variant: Variant, names: tuple[str, ...]) -> list[str]:
    return [name for name in names
            if name not in variant.drop and (name not in AMOUNTS or _has_budget(doc))
            and (name != "purpose" or any(p.purpose for p in doc.projects))]


def _project_values(doc: Document, project: Project, variant: Variant) -> dict[str, str]:
    budget = project.budget
    return {
        "code": export_code(project),
        "name": export_name(project),
        "applicant": doc.department or "",
        "parent_unit": doc.department or "",
        "budget.total": amount_text(budget.total if budget else None, variant.unit),
        "budget.fiscal": amount_text(budget.fiscal if budget else None, variant.unit),
        "budget.other": amount_text(budget.other if budget else None, variant.unit),
        "purpose": project.purpose.text if project.purpose else "",
        "annual_goal": goals_text(project),
    }


def _indicator_rows(project: Project) -> list[dict[str, str]]:
    return [
        {"level1": i.level1, "level2": i.level2, "level3": i.level3, "description": i.description or "",
         "value": i.value.raw, "basis": i.basis or ""}
        for i in project.indicators
    ]


def _header(variant: Variant, names: list[str]) -> list[str]:
    return [variant.headers[name] for name in names]


def tables(doc: Document, variant: Variant) -> dict[str, tuple[list[str], list[list[str]], list[str]]]:
    """Each content table of the export: (header, rows, the field each column holds)."""
    project_cols = _fields(doc, variant, PROJECT_FIELDS)
    indicator_cols = _fields(doc, variant, INDICATOR_FIELDS)
    key = ["code"] if "code" not in variant.drop else []
    out: dict[str, tuple[list[str], list[list[str]], list[str]]] = {}
    projects = [[values[name] for name in project_cols]
                for p in doc.projects for values in [_project_values(doc, p, variant)]]
    out["projects"] = (_header(variant, project_cols), projects, project_cols)
    indicators = [[export_code(p)] * len(key) + [row[name] for name in indicator_cols]
                  for p in doc.projects for row in _indicator_rows(p)]
    out["indicators"] = (_header(variant, key + indicator_cols), indicators, key + indicator_cols)
    joined_cols = project_cols + indicator_cols
    joined = []
    for p in doc.projects:
        values = _project_values(doc, p, variant)
        for n, row in enumerate(_indicator_rows(p) or [dict.fromkeys(INDICATOR_FIELDS, "")]):
            cells = [values[name] for name in project_cols] + [row[name] for name in indicator_cols]
            if n and variant.key_on_first_row_only and "code" in project_cols:
                cells[project_cols.index("code")] = ""
            joined.append(cells)
    out["joined"] = (_header(variant, joined_cols), joined, joined_cols)
    return out


def _preamble(doc: Document, variant: Variant) -> list[str]:
    lines = []
    if variant.title:
        lines.append(f"{doc.department or ''}{doc.year or ''}年项目支出绩效目标明细表")
    if not variant.amount_unit_in_header and _has_budget(doc):
        lines.append(f"单位：{variant.unit}")
    return lines


def write_flat_export(doc: Document, directory: Path, variant: Variant | str, stem: str = "flat") -> Path:
    """Write the draft as ``variant`` into ``directory``; returns the file's path."""
    variant = VARIANTS[variant] if isinstance(variant, str) else variant
    path = Path(directory) / f"{stem}-{variant.name}{variant.suffix}"
    content = tables(doc, variant)
    if variant.is_csv:
        header, rows, _ = content["joined"]
        with path.open("w", encoding=variant.encoding, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            for line in _preamble(doc, variant):
                writer.writerow([line] + [""] * (len(header) - 1))
            writer.writerow(header)
            writer.writerows(rows)
        return path
    _write_xlsx(doc, variant, content, path)
    return path


def _write_xlsx(doc: Document, variant: Variant, content, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind in variant.sheets:
        sheet = workbook.create_sheet(SHEET_NAMES[kind])
        if kind == "empty":
            continue
        if kind == "title-only":
            sheet["A1"] = "填报说明：本表由预算管理一体化系统导出，一行一个绩效指标"
            continue
        header, rows, names = content[kind]
        at = 1
        for line in _preamble(doc, variant) if kind != "indicators" else []:
            sheet.cell(at, 1, line)
            at += 1
        for c, text in enumerate(header, start=1):
            sheet.cell(at, c, text)
        first = at + 1
        for r, row in enumerate(rows, start=first):
            for c, (name, text) in enumerate(zip(names, row), start=1):
                _put(sheet.cell(r, c), name, text)
        if kind == "indicators" and variant.merged_key and names[:1] == ["code"]:
            _merge_keys(sheet, rows, first)
    workbook.save(path)


def _put(cell, name: str, text: str) -> None:
    """A cell as an export writes it: amounts as numbers with a number format, the rest as text."""
    if not text:
        return
    if name in AMOUNTS:
        try:
            cell.value = float(Decimal(text))
            cell.number_format = "#,##0.00"
            return
        except ArithmeticError:
            pass
    cell.value = text
    cell.data_type = "s"  # "=24人" is a 指标值, not a formula


def _merge_keys(sheet, rows: list[list[str]], first: int) -> None:
    start = 0
    for n in range(1, len(rows) + 1):
        if n == len(rows) or rows[n][0] != rows[start][0]:
            if n - start > 1:
                sheet.merge_cells(start_row=first + start, start_column=1, end_row=first + n - 1, end_column=1)
            start = n
