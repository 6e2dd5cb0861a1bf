"""The ``budget-audit`` command line: wires inputs, readers, value parsing and output together."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from typing import TextIO

from auditor import __version__
from auditor.export import document_dict, number
from auditor.inputs import collect_inputs
from auditor.model import Document, IndicatorValue, Project
from auditor.readers import ReadError, read_document

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2

TEXTS = {
    "zh": {
        "file": "文件",
        "department": "部门",
        "year": "年度",
        "projects": "项目数",
        "indicators": "指标数",
        "index": "序号",
        "code": "项目编码",
        "name": "项目名称",
        "budget": "预算数",
        "plan_end": "支出计划(12月底)",
        "goals": "绩效目标",
        "value": "指标值",
        "kind": "类型",
        "op": "符号",
        "number": "数值",
        "unit": "单位",
        "tail": "尾部文字",
        "count": "次数",
        "error": "错误",
        "notes": "读取提示",
    },
    "en": {
        "file": "file",
        "department": "department",
        "year": "year",
        "projects": "projects",
        "indicators": "indicators",
        "index": "#",
        "code": "code",
        "name": "name",
        "budget": "budget",
        "plan_end": "plan (Dec)",
        "goals": "goals",
        "value": "value",
        "kind": "kind",
        "op": "op",
        "number": "number",
        "unit": "unit",
        "tail": "tail",
        "count": "count",
        "error": "error",
        "notes": "reader notes",
    },
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budget-audit",
        description="部门预算绩效目标文本质量审核 / audit budget performance target drafts",
    )
    parser.add_argument("--version", action="version", version=f"budget-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    parse = sub.add_parser("parse", help="读取文本并输出文档模型 / print the document model")
    parse.add_argument("paths", nargs="+", metavar="PATH", help="草稿文件或目录 / draft files or folders")
    parse.add_argument("--format", choices=("json", "table"), default="table")
    parse.add_argument("--lang", choices=("zh", "en"), default="zh")
    parse.set_defaults(run=run_parse)

    values = sub.add_parser("values", help="列出所有指标值及其解析结果 / every distinct 指标值 and its parse")
    values.add_argument("paths", nargs="+", metavar="PATH")
    values.add_argument("--lang", choices=("zh", "en"), default="zh")
    values.set_defaults(run=run_values)
    return parser


def read_all(paths: list[str], err: TextIO, lang: str) -> tuple[list[Document], int]:
    """Read every input; report the unreadable ones on ``err`` and go on. Returns the documents
    and the number of inputs that could not be read."""
    from auditor.values import parse_value

    files, problems = collect_inputs(paths)
    failures = len(problems)
    label = TEXTS[lang]["error"]
    for problem in problems:
        print(f"{label}: {problem.shown}: {problem.message}", file=err)
    documents = []
    for item in files:
        try:
            documents.append(read_document(item.path, parse_value, display_path=item.shown))
        except ReadError as error:
            failures += 1
            print(f"{label}: {error}", file=err)
    return documents, failures


def run_parse(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    documents, failures = read_all(args.paths, err, args.lang)
    if args.format == "json":
        json.dump([document_dict(d) for d in documents], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(documents_table(documents, args.lang))
    return EXIT_INPUT if failures else EXIT_OK


def documents_table(documents: list[Document], lang: str) -> str:
    from tabulate import tabulate

    t = TEXTS[lang]
    parts = []
    summary = [
        [d.path, d.department or "", d.year or "", len(d.projects), sum(len(p.indicators) for p in d.projects)]
        for d in documents
    ]
    parts.append(tabulate(summary, headers=[t["file"], t["department"], t["year"], t["projects"], t["indicators"]], disable_numparse=True))
    for doc in documents:
        rows = [project_row(p) for p in doc.projects]
        headers = [t["index"], t["code"], t["name"], t["budget"], t["plan_end"], t["goals"], t["indicators"]]
        parts.append(f"{doc.path}  {doc.department or ''} {doc.year or ''}\n" + tabulate(rows, headers=headers, disable_numparse=True))
        if doc.notes:
            notes = "\n".join(f"  {n.loc}: {n.message}" for n in doc.notes)
            parts.append(f"{t['notes']}:\n{notes}")
    return "\n\n".join(parts) + "\n"


def project_row(project: Project) -> list[object]:
    plan = project.spending_plan
    end = plan.points[-1].raw if plan and plan.points else ""
    budget = project.budget.total.raw if project.budget else ""
    return [
        project.index,
        project.code or "",
        shorten(project.display_name, 28),
        budget,
        end,
        len(project.goals),
        len(project.indicators),
    ]


def shorten(text: str, width: int) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def run_values(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from tabulate import tabulate

    documents, failures = read_all(args.paths, err, args.lang)
    counts = Counter(v.raw for v in iter_values(documents))
    parsed = {v.raw: v for v in iter_values(documents)}
    t = TEXTS[args.lang]
    rows = [
        [shorten(raw, 40), v.kind, v.op or "", fmt_number(v), v.unit or "", shorten(v.tail or "", 24), counts[raw]]
        for raw, v in sorted(parsed.items(), key=lambda kv: (kv[1].kind, kv[0]))
    ]
    headers = [t["value"], t["kind"], t["op"], t["number"], t["unit"], t["tail"], t["count"]]
    out.write(tabulate(rows, headers=headers, disable_numparse=True) + "\n")
    return EXIT_INPUT if failures else EXIT_OK



def fmt_number(value: IndicatorValue) -> str:
    n = number(value.number)
    return "" if n is None else str(n)


def iter_values(documents: list[Document]) -> Iterator[IndicatorValue]:
    for doc in documents:
        for indicator in doc.department_indicators:
            yield indicator.value
        for project in doc.projects:
            for indicator in project.indicators:
                yield indicator.value


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, out, err)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return 130


if __name__ == "__main__":
    sys.exit(main())
