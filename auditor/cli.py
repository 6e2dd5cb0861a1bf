"""The ``budget-audit`` command line: wires inputs, readers, value parsing and output together."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from auditor import __version__
from auditor.export import document_dict, number
from auditor.inputs import InputFile, InputProblem, collect_inputs, with_companions
from auditor.model import PROJECT_TEXT_FIELDS, Amount, Document, IndicatorValue, Project
from auditor.readers import ReadError, pair_csv_tables, read_document
from auditor.resources import missing_resources
from auditor.writers import FOLDER_WRITERS, STREAM_ONLY, WRITERS

if TYPE_CHECKING:
    import datetime

    from auditor.annotate import Annotated
    from auditor.baseline import Baseline
    from auditor.config import Config
    from auditor.findings import DocumentResult, Finding
    from auditor.layouts import LayoutSet
    from auditor.pipeline import EngineSpec
    from auditor.report import InputError, RuleInfo
    from auditor.rules import Rule, RuleSet
    from auditor.waivers import WaiverSet

FORMATS = tuple(WRITERS)
FILE_FORMATS = tuple(f for f in WRITERS if f not in STREAM_ONLY)  # also writable to a file beside --format
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2  # usage, input, configuration, an incomplete installation, an internal error
EXIT_CODES = """退出码 / exit codes:
  0  没有达到失败级别（--fail-on）的问题 / no finding at or above --fail-on
  1  有达到失败级别的问题 / findings at or above --fail-on
  2  用法、输入、配置错误，安装不完整或内部错误 / usage, input or configuration error,
     incomplete installation, or internal error"""

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
        "lead": "所测对象",
        "per": "周期",
        "counted": "计数对象",
        "unit_from": "单位来源",
        "tail": "尾部文字",
        "count": "次数",
        "error": "错误",
        "notes": "读取提示",
        "layout": "版式",
        "layout_id": "版式",
        "layout_kind": "类型",
        "layout_name": "名称",
        "formats": "格式",
        "duration": "实施期限(年)",
        "project_type": "项目类型",
        "texts": "其他字段",
        "policy_basis": "政策依据",
        "calculation_basis": "测算依据",
        "annual_goal": "年度目标",
        "long_term_goal": "长期目标",
        "total_all_years": "项目总金额",
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
        "lead": "lead",
        "per": "per",
        "counted": "counted",
        "unit_from": "unit from",
        "tail": "tail",
        "count": "count",
        "error": "error",
        "notes": "reader notes",
        "layout": "layout",
        "layout_id": "layout",
        "layout_kind": "kind",
        "layout_name": "name",
        "formats": "formats",
        "duration": "years",
        "project_type": "type",
        "texts": "other fields",
        "policy_basis": "policy basis",
        "calculation_basis": "calculation basis",
        "annual_goal": "annual goal",
        "long_term_goal": "long-term goal",
        "total_all_years": "multi-year amount",
    },
}


LAYOUTS_HELP = "追加表格版式文件或目录（YAML）/ extra layout profiles (YAML files or folders)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budget-audit",
        description="部门预算绩效目标文本质量审核 / audit budget performance target drafts",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"budget-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    parse = sub.add_parser("parse", help="读取文本并输出文档模型 / print the document model")
    parse.add_argument("paths", nargs="+", metavar="PATH", help="草稿文件或目录 / draft files or folders")
    parse.add_argument("--format", choices=("json", "table"), default="table")
    parse.add_argument("--lang", choices=("zh", "en"), default="zh")
    parse.add_argument("--layouts", action="append", default=[], metavar="PATH", help=LAYOUTS_HELP)
    parse.set_defaults(run=run_parse)

    values = sub.add_parser("values", help="列出所有指标值及其解析结果 / every distinct 指标值 and its parse")
    values.add_argument("paths", nargs="+", metavar="PATH")
    values.add_argument("--lang", choices=("zh", "en"), default="zh")
    values.add_argument("--layouts", action="append", default=[], metavar="PATH", help=LAYOUTS_HELP)
    values.set_defaults(run=run_values)

    layouts = sub.add_parser("layouts", help="列出可识别的表格版式 / list the layouts drafts are read with")
    layouts.add_argument("--layouts", action="append", default=[], metavar="PATH", help=LAYOUTS_HELP)
    layouts.add_argument("--lang", choices=("zh", "en"), default="zh")
    layouts.set_defaults(run=run_layouts)

    check = sub.add_parser("check", help="审核文本并列出问题 / audit drafts and report findings", epilog=EXIT_CODES,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="+", metavar="PATH", help="草稿文件或目录 / draft files or folders")
    check.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    check.add_argument("--output", "-o", metavar="FILE", help="写入文件而非标准输出 / write to FILE")
    for fmt in FILE_FORMATS:
        check.add_argument(f"--{fmt}", metavar="FILE", help=f"另写一份 {fmt} 报告 / also write a {fmt} report to FILE")
    for fmt in FOLDER_WRITERS:
        check.add_argument(f"--{fmt}-dir", metavar="DIR", help=f"每个单位一份 {fmt}，写入 DIR/<单位>.{fmt}（目录不存在则创建）/ "
                                                               f"also write one {fmt} per unit, DIR/<unit>.{fmt} (DIR created if missing)")
    check.add_argument("--lang", choices=("zh", "en"), default=None)
    check.add_argument("--group-by", choices=("project", "dimension"), default=None,
                       help="表格、JSON和Excel按项目（默认）或按审核维度排列问题 / order findings by project (default) or by review dimension")
    check.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default=None,
                       help="达到此级别的问题使退出码为1（默认 error）/ exit 1 on findings at or above")
    add_audit_options(check, today="判断豁免是否过期、审核意见落款所用的日期 / date for waiver expiry and the opinion's date (reproducible runs)")
    check.add_argument("--write-baseline", metavar="FILE", help="把当前问题写成基线 / write the current findings as a baseline")
    check.add_argument("--issuer", metavar="NAME", help="审核意见的审核单位（如 XX区财政局）/ the reviewing body signing the opinion")
    check.add_argument("--reviewer", metavar="NAME", help="审核意见的审核人 / the reviewer signing the opinion")
    check.add_argument("--deadline", metavar="YYYY-MM-DD|DAYS",
                       help="修改稿报送期限：日期，或落款日期后的天数 / when revised drafts are due: a date, or days after the opinion's date")
    check.add_argument("--jobs", "-j", type=positive_int, default=0, metavar="N",
                       help="并行进程数（默认为可用CPU核数，不超过容器的CPU配额）/ worker processes (default: the cores this process may use, within a container's CPU quota)")
    check.add_argument("--quiet", "-q", action="store_true", help="不显示进度条 / no progress bar")
    check.set_defaults(run=run_check)

    annotate = sub.add_parser("annotate", help="审核一份 .docx/.xlsx 草稿，另存一份带批注的副本 / audit one .docx/.xlsx draft and "
                              "write a copy with a comment per finding", epilog=ANNOTATE_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    annotate.add_argument("path", metavar="FILE", help="Word .docx 或 Excel .xlsx 草稿（不会被修改）/ the draft (never modified)")
    annotate.add_argument("--output", "-o", metavar="OUT", required=True, help="带批注的副本 / the annotated copy")
    annotate.add_argument("--author", default="budget-audit", help="批注作者 / comment author (default: budget-audit)")
    annotate.add_argument("--initials", default="BA", help="批注作者缩写（Word）/ author initials (Word; default: BA)")
    annotate.add_argument("--lang", choices=("zh", "en"), default=None)
    add_audit_options(annotate, today="判断豁免是否过期的日期，也是批注日期 / date for waiver expiry and the comments' date (reproducible runs)")
    annotate.set_defaults(run=run_annotate)

    rules = sub.add_parser("rules", help="规则：列出、查看、测试、生成文档 / list, show, test, document the rules")
    rules.add_argument("--rules", action="append", default=[], metavar="PATH", help="追加规则文件或目录 / extra rule files")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    listing = rules_sub.add_parser("list", help="列出规则 / list the rules")
    listing.add_argument("--lang", choices=("zh", "en"), default="zh")
    listing.set_defaults(run=run_rules_list)
    show = rules_sub.add_parser("show", help="查看一条规则 / show one rule")
    show.add_argument("id")
    show.add_argument("--lang", choices=("zh", "en"), default="zh")
    show.set_defaults(run=run_rules_show)
    test = rules_sub.add_parser("test", help="运行规则示例 / run every rule's examples")
    test.set_defaults(run=run_rules_test)
    docs = rules_sub.add_parser("docs", help="生成规则参考文档（Markdown）/ write the rule reference")
    docs.add_argument("--output", "-o", metavar="FILE")
    docs.set_defaults(run=run_rules_docs)
    return parser


def add_audit_options(parser: argparse.ArgumentParser, today: str) -> None:
    """The options that set up an audit (rules, layouts, vocabulary, configuration, waivers,
    baseline, date), the same for ``check`` and ``annotate``."""
    parser.add_argument("--select", action="append", default=[], metavar="IDS", help="只运行这些规则（逗号分隔）/ run only these rules")
    parser.add_argument("--ignore", action="append", default=[], metavar="IDS", help="不运行这些规则 / skip these rules")
    parser.add_argument("--rules", action="append", default=[], metavar="PATH", help="追加规则文件或目录 / extra rule files or folders")
    parser.add_argument("--layouts", action="append", default=[], metavar="PATH", help=LAYOUTS_HELP)
    parser.add_argument("--vocabulary", action="append", default=[], metavar="FILE",
                        help="追加指标词表文件（YAML，见 rules/vocabulary.yaml）/ extra indicator vocabulary files")
    parser.add_argument("--config", metavar="FILE", help="配置文件（默认查找 budget-audit.yaml）/ config file")
    parser.add_argument("--waivers", metavar="FILE", help="豁免清单 / waiver file")
    parser.add_argument("--baseline", metavar="FILE", help="只对基线之外的新问题报错 / fail only on findings not in this baseline")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help=today)


def read_all(paths: list[str], err: TextIO, lang: str, layout_paths: list[str] = ()) -> tuple[list[Document], int] | None:
    """Read every input; report the unreadable ones on ``err`` and go on. Returns the documents
    and the number of inputs that could not be read (None when the layouts cannot be loaded)."""
    from auditor.report import InputError

    layouts = load_layout_set(layout_paths, err, lang)
    if layouts is None:
        return None
    documents, failures = [], 0
    for item in iter_documents(paths, layouts):
        if isinstance(item, InputError):
            failures += 1
            print_input_error(item, TEXTS[lang]["error"], err)
        else:
            documents.append(item)
    return documents, failures


def load_layout_set(paths: list[str] | tuple[str, ...], err: TextIO, lang: str) -> LayoutSet | None:
    """The shipped layout profiles and the user's; None (after saying why on ``err``) when one
    cannot be used."""
    from auditor.layouts import LayoutFileError, load_layouts

    try:
        return load_layouts(tuple(Path(p).resolve() for p in paths))
    except LayoutFileError as error:
        print(f"{TEXTS[lang]['error']}: {error}", file=err)
        return None


def run_layouts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from tabulate import tabulate

    from auditor.writers import relative_path

    layouts = load_layout_set(args.layouts, err, args.lang)
    if layouts is None:
        return EXIT_INPUT
    t = TEXTS[args.lang]
    rows = [[p.id, p.kind, p.name[args.lang], ", ".join(sorted(p.formats)) or "*", relative_path(p.path, Path.cwd())]
            for p in layouts.profiles]
    out.write(tabulate(rows, headers=[t["layout_id"], t["layout_kind"], t["layout_name"], t["formats"], t["file"]], disable_numparse=True) + "\n")
    return EXIT_OK


def run_parse(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    read = read_all(args.paths, err, args.lang, args.layouts)
    if read is None:
        return EXIT_INPUT
    documents, failures = read
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
        form_fields = any(p.fields.keys() & FORM_FIELDS for p in doc.projects)
        rows = [project_row(p, form_fields, t) for p in doc.projects]
        headers = [t["index"], t["code"], t["name"], t["budget"], t["plan_end"], t["goals"], t["indicators"]]
        if form_fields:
            headers += [t["total_all_years"], t["duration"], t["project_type"], t["texts"]]
        layout = f"  {t['layout']}: {doc.layout}" if doc.layout else ""
        parts.append(f"{doc.path}  {doc.department or ''} {doc.year or ''}{layout}\n" + tabulate(rows, headers=headers, disable_numparse=True))
        if doc.notes:
            notes = "\n".join(f"  {n.loc}: {n.text(lang)}" for n in doc.notes)
            parts.append(f"{t['notes']}:\n{notes}")
    return "\n\n".join(parts) + "\n"


FORM_FIELDS = frozenset({"budget.total_all_years", "duration_years", "project_type", "policy_basis", "calculation_basis",
                         "annual_goal", "long_term_goal"})


def project_row(project: Project, form_fields: bool = False, t: dict[str, str] | None = None) -> list[object]:
    plan = project.spending_plan
    end = plan.points[-1].raw if plan and plan.points else ""
    budget = project.budget
    row: list[object] = [
        project.index,
        project.code or "",
        shorten(project.display_name, 28),
        _amount_text(budget.total) if budget else "",
        end,
        len(project.goals),
        len(project.indicators),
    ]
    if form_fields and t is not None:
        texts = " ".join(t[name] for name in PROJECT_TEXT_FIELDS if getattr(project, name) is not None and getattr(project, name).text)
        row += [
            _amount_text(budget.total_all_years) if budget and budget.total_all_years else "",
            "" if project.duration_years is None else project.duration_years,
            project.project_type or "",
            texts,
        ]
    return row


def _amount_text(amount: Amount) -> str:
    """An amount as written, with the unit its label declares (``10,185,500.00 万元``)."""
    return f"{amount.raw} {amount.unit}" if amount.unit and amount.raw else amount.raw


def shorten(text: str, width: int) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def run_values(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from tabulate import tabulate

    read = read_all(args.paths, err, args.lang, args.layouts)
    if read is None:
        return EXIT_INPUT
    documents, failures = read
    counts = Counter(v.raw for v in iter_values(documents))
    parsed = {v.raw: v for v in iter_values(documents)}
    t = TEXTS[args.lang]
    rows = [
        [shorten(raw, 40), v.kind, v.op_raw or v.op or "", fmt_number(v), v.unit or "", v.unit_from or "", v.per or "",
         shorten(v.lead or "", 16), v.counted or "", shorten(v.tail or "", 24), counts[raw]]
        for raw, v in sorted(parsed.items(), key=lambda kv: (kv[1].kind, kv[0]))
    ]
    headers = [t["value"], t["kind"], t["op"], t["number"], t["unit"], t["unit_from"], t["per"], t["lead"], t["counted"],
               t["tail"], t["count"]]
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


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def split_ids(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@dataclass
class AuditSetup:
    """What an audit run is set up with, from the command line and the configuration: shared by
    ``check`` and ``annotate`` so both audit a draft alike."""

    spec: EngineSpec
    config: Config
    ruleset: RuleSet
    rules: list[Rule]
    layouts: LayoutSet
    lang: str
    today: datetime.date
    waivers_path: Path | None
    baseline_path: Path | None
    waivers: WaiverSet | None = None
    baseline: Baseline | None = None

    @property
    def label(self) -> str:
        return TEXTS[self.lang]["error"]

    def settle(self, result: DocumentResult) -> DocumentResult:
        """A draft's result with the waivers and the baseline applied."""
        if self.waivers is not None:
            self.waivers.apply(result)
        if self.baseline is not None:
            (result,) = self.baseline.split([result])
        return result

    def rule_infos(self) -> tuple[RuleInfo, ...]:
        from auditor.report import RuleInfo

        return tuple(RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
                     for r in self.rules)


def audit_setup(args: argparse.Namespace, err: TextIO, keep_context: bool, use_baseline: bool = True) -> AuditSetup | None:
    """Configuration, rules, layouts, vocabulary, the date, waivers and baseline as the options
    ask; None (after saying why on ``err``, located) when one of them cannot be used."""
    import datetime

    from auditor.config import ConfigError
    from auditor.datafile import LocatedError
    from auditor.layouts import LayoutFileError
    from auditor.pipeline import EngineSpec
    from auditor.rules import RuleFileError
    from auditor.vocabulary import VocabularyFileError

    spec = EngineSpec(
        config=Path(args.config) if args.config else None,
        extra_rules=tuple(Path(p) for p in args.rules),
        extra_layouts=tuple(Path(p).resolve() for p in args.layouts),
        extra_vocabulary=tuple(Path(p).resolve() for p in args.vocabulary),
        select=tuple(split_ids(args.select)),
        ignore=tuple(split_ids(args.ignore)),
        keep_context=keep_context,
    )
    try:
        config, ruleset, rules = spec.load()
        layouts = spec.layouts(config)
    except (ConfigError, RuleFileError, LayoutFileError, VocabularyFileError) as error:
        print(f"{TEXTS['zh']['error']}: {error}", file=err)
        return None
    lang = args.lang or config.lang or "zh"
    label = TEXTS[lang]["error"]
    try:
        today = datetime.date.fromisoformat(args.today) if args.today else datetime.date.today()
    except ValueError:
        print(f"{label}: --today {args.today!r}: YYYY-MM-DD", file=err)
        return None
    setup = AuditSetup(spec, config, ruleset, rules, layouts, lang, today,
                       Path(args.waivers) if args.waivers else config.waivers,
                       Path(args.baseline) if args.baseline else config.baseline)
    try:
        if setup.waivers_path is not None:
            from auditor.waivers import WaiverSet, load_waivers

            resolve = lambda name: (ruleset.resolve(name).id if ruleset.resolve(name) else name)  # noqa: E731
            loaded = load_waivers(setup.waivers_path)
            unknown = [w for w in loaded if ruleset.resolve(w.rule) is None]
            if unknown:  # like `select`: a waiver for no rule waives nothing, and says a name wrong
                for waiver in unknown:
                    where = f"{waiver.source}:{waiver.line}" if waiver.line else str(waiver.source)
                    print(f"{label}: {where}: 未知规则 {waiver.rule!r}，见 budget-audit rules list / unknown rule id "
                          f"{waiver.rule!r}; see `budget-audit rules list`", file=err)
                return None
            setup.waivers = WaiverSet(loaded, today, resolve)
        if setup.baseline_path is not None and use_baseline:
            from auditor.baseline import load_baseline

            setup.baseline = load_baseline(setup.baseline_path)
    except LocatedError as error:  # a waiver or baseline file that cannot be used
        print(f"{label}: {error}", file=err)
        return None
    return setup


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from contextlib import ExitStack

    from auditor.atomic import atomic_output
    from auditor.config import verdict_settings
    from auditor.datafile import LocatedError
    from auditor.engine import Engine
    from auditor.pipeline import audit_files, default_jobs, tune_gc
    from auditor.report import InputError, RunInfo, SummaryBuilder, counts_toward_failure
    from auditor.verdicts import VerdictPolicy
    from auditor.writers import writer_class

    setup = audit_setup(args, err, keep_context=args.format == "html" or bool(getattr(args, "html", None)),
                        use_baseline=not args.write_baseline)
    if setup is None:
        return EXIT_INPUT
    spec, config, ruleset, rules, layouts = setup.spec, setup.config, setup.ruleset, setup.rules, setup.layouts
    lang, label, today, waivers = setup.lang, setup.label, setup.today, setup.waivers
    fail_on = args.fail_on or config.fail_on or "error"
    outputs = [(args.format, args.output), *((fmt, getattr(args, fmt)) for fmt in FILE_FORMATS if getattr(args, fmt, None))]
    for fmt, path in outputs:
        if writer_class(fmt).binary and not path:
            print(f"{label}: --format {fmt} 需要 --output 文件 / needs --output FILE", file=err)
            return EXIT_INPUT
    try:
        opinion = opinion_settings(config.opinion, args, today)
    except ValueError as error:
        print(f"{label}: {error}", file=err)
        return EXIT_INPUT
    folders = [(fmt, Path(getattr(args, f"{fmt}_dir"))) for fmt in FOLDER_WRITERS if getattr(args, f"{fmt}_dir", None)]
    for fmt, folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            print(f"{label}: --{fmt}-dir {folder}: 是文件而不是目录 / is a file, not a folder", file=err)
            return EXIT_INPUT
        except OSError as error:
            print(f"{label}: --{fmt}-dir {folder}: 无法创建目录（{error.strerror or error}）/ cannot be created "
                  f"({error.strerror or error})", file=err)
            return EXIT_INPUT

    infos = setup.rule_infos()
    group_by = args.group_by or config.group_by or "project"
    policy = VerdictPolicy.from_config(verdict_settings(ruleset, config))
    configuration = {**effective_configuration(config, spec, fail_on, lang, setup.waivers_path, setup.baseline_path), "verdict": policy.as_dict(),
                     "opinion": {k: v for k, v in opinion.items() if k != "date"}}
    run = RunInfo(rules=infos, lang=lang, fail_on=fail_on, version=__version__, group_by=group_by, configuration=configuration,
                  verdict_policy=policy, opinion=opinion)
    engine = Engine(rules)
    tune_gc()
    files, problems = input_files(args.paths, layouts)
    jobs = args.jobs if args.jobs else default_jobs()
    summary = SummaryBuilder(run)
    recorder = None
    if args.write_baseline:
        from auditor.baseline import BaselineRecorder

        recorder = BaselineRecorder()
    unreadable = failing = 0
    with ExitStack() as stack:
        stack.callback(engine.close)
        writers = []
        for fmt, path in outputs:
            cls = writer_class(fmt)
            stream = stack.enter_context(atomic_output(Path(path), binary=cls.binary)) if path else out
            writers.append(cls(stream, run))
        writers.extend(writer_class(fmt, folder=True)(folder, run) for fmt, folder in folders)
        progress = progress_bar(len(files), err, quiet=args.quiet)
        for item in audit_files(files, problems, engine, spec, jobs, progress.update if progress else None, layouts):
            if isinstance(item, InputError):
                unreadable += 1
                print_input_error(item, label, err)
                summary.add_unreadable(item)
                for writer in writers:
                    writer.unreadable(item)
                continue
            result = setup.settle(item)
            if recorder is not None:
                recorder.add(result)
            failing += sum(1 for f in result.findings if counts_toward_failure(f, fail_on))
            summary.add(result)
            for writer in writers:
                writer.document(result)
        if progress:
            progress.close()
        notices = [n.message for n in waivers.notices()] if waivers is not None else []
        for writer in writers:
            writer.finish(summary.summary(), notices)
    if recorder is not None:
        try:
            count = recorder.write(Path(args.write_baseline))
        except LocatedError as error:
            print(f"{label}: {error}", file=err)
            return EXIT_INPUT
        print(f"基线已写入 / baseline written: {args.write_baseline} ({count})", file=err)
    if unreadable:
        return EXIT_INPUT
    return EXIT_FINDINGS if failing else EXIT_OK


ANNOTATE_EPILOG = """退出码 / exit codes:
  0  已写入带批注的副本（每个未豁免、不在基线中的问题一条批注）/ the annotated copy was written
     (one comment per finding not waived and not in the baseline)
  2  用法、输入、配置错误（只接受 .docx、.xlsx），或输出就是输入 / usage, input or configuration
     error (.docx and .xlsx only), or OUT is the input"""
ANNOTATED_SUFFIXES = {"docx": (".docx",), "xlsx": (".xlsx", ".xlsm")}
NOT_ANNOTATED = {"pdf": ("PDF 文件", "a PDF"), "doc": ("Word 97（.doc）文件", "a Word 97 .doc"),
                 "text": ("文本文件（.txt、.csv）", "a text file (.txt, .csv)")}


def print_input_error(error: InputError, label: str, err: TextIO) -> None:
    """``错误: path:line: message`` for an input not audited (the message names a cell or part
    itself where the reader knew one)."""
    where = f":{error.line}" if error.line else ""
    print(f"{label}: {error.path}{where}: {error.message}", file=err)


def run_annotate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Audit one draft as ``check`` does and write a copy of it with one comment per active
    finding; the draft itself is only read."""
    from auditor.annotate import AnnotateError
    from auditor.engine import Engine
    from auditor.inputs import InputFile
    from auditor.pipeline import audit_file
    from auditor.report import InputError, is_active

    source, target = Path(args.path), Path(args.output)
    kind = annotate_target_problem(source, target, err, TEXTS[args.lang or "zh"]["error"])
    if kind is None:
        return EXIT_INPUT
    setup = audit_setup(args, err, keep_context=False)
    if setup is None:
        return EXIT_INPUT
    label = setup.label
    engine = Engine(setup.rules)
    try:
        outcome = audit_file(engine, InputFile(source, args.path), layouts=setup.layouts)
    finally:
        engine.close()
    if isinstance(outcome, InputError):
        print_input_error(outcome, label, err)
        return EXIT_INPUT
    findings = [f for f in setup.settle(outcome).findings if is_active(f)]
    try:
        written = write_annotated(source, target, kind, findings, setup, args)
    except AnnotateError as error:
        print(f"{label}: {args.path}: {error}", file=err)
        return EXIT_INPUT
    except OSError as error:
        print(f"{label}: {target}: 无法写入（{error.strerror or error}）/ cannot be written ({error.strerror or error})", file=err)
        return EXIT_INPUT
    for unplaced in written.unplaced:
        print(f"{args.path}: {unplaced.finding.ref}: {unplaced.reason_zh}，规则 {unplaced.finding.rule} 的批注放在文档开头 / "
              f"{unplaced.reason_en}: the comment of rule {unplaced.finding.rule} is at the start of the document", file=err)
    print(f"已写入 {target}：{written.comments} 条批注，{written.places} 处 / written {target}: "
          f"{written.comments} comments at {written.places} places", file=err)
    return EXIT_OK


def annotate_target_problem(source: Path, target: Path, err: TextIO, label: str) -> str | None:
    """The draft's format ("docx" or "xlsx", from its content), or None after saying on ``err``
    why the draft cannot be annotated into ``target``."""
    from auditor.readers.detect import FormatError, sniff

    def refuse(path: Path, message: str) -> None:
        print(f"{label}: {path}: {message}", file=err)

    if not source.exists():
        return refuse(source, "文件不存在 / no such file")
    try:
        kind = sniff(source).format
    except (FormatError, OSError) as error:
        return refuse(source, getattr(error, "message", None) or f"无法读取 / cannot be read ({error})")
    if kind not in ANNOTATED_SUFFIXES:
        zh, en = NOT_ANNOTATED[kind]
        return refuse(source, f"annotate 只能批注 Word .docx 和 Excel .xlsx 文件，这是{zh}（.doc、.pdf、.txt、.csv 不支持，"
                              f"请另存为 .docx 或 .xlsx）/ annotate writes comments into .docx and .xlsx files only; this is "
                              f"{en} (.doc, .pdf, .txt, .csv are not taken: save it as .docx or .xlsx)")
    if same_file(source, target):
        return refuse(target, "输出文件就是输入的草稿；annotate 从不修改原稿，请用 -o 指定另一个文件 / OUT is the input draft: "
                              "annotate never modifies it; name another file with -o")
    if target.is_dir():
        return refuse(target, "是目录，请给出文件名 / is a folder: name a file")
    suffixes = ANNOTATED_SUFFIXES[kind]
    expected = source.suffix.lower() if source.suffix.lower() in suffixes else suffixes[0]
    if target.suffix.lower() != expected:
        return refuse(target, f"输出文件应以 {expected} 结尾（与草稿同一格式）/ OUT should end in {expected}, the draft's format")
    return kind


def same_file(source: Path, target: Path) -> bool:
    """Whether writing ``target`` would write the draft: the same path, a link to it, a hard link."""
    import os

    if source.resolve() == target.resolve():
        return True
    try:
        return target.exists() and os.path.samefile(source, target)
    except OSError:
        return False


def write_annotated(source: Path, target: Path, kind: str, findings: list[Finding], setup: AuditSetup, args: argparse.Namespace) -> Annotated:
    """The copy with comments, dated ``--today`` (midnight UTC) when given, for reproducible runs."""
    import datetime

    from auditor.annotate import AnnotateOptions, annotate

    date = datetime.datetime.combine(setup.today, datetime.time(), tzinfo=datetime.timezone.utc) if args.today else None
    options = AnnotateOptions(author=args.author, initials=args.initials, lang=setup.lang, date=date,
                              titles={rule.id: rule.title for rule in setup.rules})
    return annotate(source, target, kind, findings, options)


def opinion_settings(configured: dict[str, Any] | Any, args: argparse.Namespace, today: Any) -> dict[str, str]:
    """Issuer, reviewer, date and deadline of the 审核意见 (dates as YYYY-MM-DD): the command
    line over the configuration; a deadline given in days counts from the opinion's date."""
    import datetime

    settings = {"date": today.isoformat()}
    for key in ("issuer", "reviewer"):
        value = getattr(args, key, None) or configured.get(key)
        if value:
            settings[key] = str(value).strip()
    deadline = getattr(args, "deadline", None) or configured.get("deadline")
    if deadline is not None:
        text = str(deadline).strip()
        if text.isdigit():
            settings["deadline"] = (today + datetime.timedelta(days=int(text))).isoformat()
        else:
            try:
                settings["deadline"] = datetime.date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueError(f"--deadline {text!r}: 应为 YYYY-MM-DD 或天数 / a date YYYY-MM-DD or a number of days") from None
    return settings


def progress_bar(total: int, err: TextIO, quiet: bool):  # noqa: ANN201 - tqdm or None
    """A progress bar on stderr for runs long enough to want one: shown after two seconds, never
    when stderr is not a terminal or with ``--quiet``."""
    if quiet or total < 2 or not getattr(err, "isatty", lambda: False)():
        return None
    from tqdm import tqdm

    return tqdm(total=total, file=err, delay=2.0, unit="份", desc="审核 / auditing", leave=False)


def input_files(paths: list[str], layouts: LayoutSet | None) -> tuple[list[InputFile], list[InputProblem]]:
    """The drafts named on the command line, a flat export split into CSV files (a project table
    and an indicator table) made one draft."""
    files, problems = collect_inputs(paths)
    return with_companions(files, pair_csv_tables([item.path for item in files], layouts)), problems


def iter_documents(paths: list[str], layouts: LayoutSet | None = None) -> Iterator[Document | InputError]:
    """The drafts of the run in input order, read one at a time; an input that cannot be read
    comes as an ``InputError`` in its place."""
    from auditor.report import InputError
    from auditor.values import complete_document, parse_value

    files, problems = input_files(paths, layouts)
    for problem in problems:
        yield InputError(problem.shown, problem.message)
    for item in files:
        try:
            doc = read_document(item.path, parse_value, display_path=item.shown, layouts=layouts, companions=item.companions)
        except ReadError as error:
            yield InputError(error.path, error.message, error.loc.line if error.loc else None, error.kind, error.loc.ref if error.loc else None)
            continue
        complete_document(doc)
        yield doc


def load_ruleset(args: argparse.Namespace, err: TextIO) -> RuleSet | None:
    from auditor.rules import RuleFileError, load_rules

    try:
        return load_rules(extra=[Path(p) for p in args.rules])
    except RuleFileError as error:
        print(f"{TEXTS['zh']['error']}: {error}", file=err)
        return None


def run_rules_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from tabulate import tabulate

    ruleset = load_ruleset(args, err)
    if ruleset is None:
        return EXIT_INPUT
    headers = ["规则", "级别", "范围", "维度", "名称"] if args.lang == "zh" else ["rule", "severity", "scope", "dimension", "title"]
    rows = [[r.id, r.severity, r.scope, r.dimension, r.title.get(args.lang, "")] for r in ruleset.rules]
    out.write(tabulate(rows, headers=headers, disable_numparse=True) + "\n")
    return EXIT_OK


def run_rules_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from auditor.ruledocs import rule_markdown

    ruleset = load_ruleset(args, err)
    if ruleset is None:
        return EXIT_INPUT
    rule = ruleset.resolve(args.id)
    if rule is None:
        print(f"{TEXTS['zh']['error']}: 没有规则 / no rule {args.id!r}", file=err)
        return EXIT_INPUT
    out.write(rule_markdown(rule))
    return EXIT_OK


def run_rules_test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from auditor.ruletest import run_rule_examples
    from auditor.values import parse_value

    ruleset = load_ruleset(args, err)
    if ruleset is None:
        return EXIT_INPUT
    results = run_rule_examples(ruleset.rules, parse_value)
    failed = [r for r in results if not r.ok]
    for result in failed:
        where = f"{result.example.line}" if result.example.line else "?"
        out.write(f"FAIL {result.rule} (example at line {where}): {result.detail}\n")
    out.write(f"{len(results) - len(failed)}/{len(results)} examples passed ({len(ruleset.rules)} rules)\n")
    return EXIT_FINDINGS if failed else EXIT_OK


def run_rules_docs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from auditor.ruledocs import reference_markdown

    ruleset = load_ruleset(args, err)
    if ruleset is None:
        return EXIT_INPUT
    text = reference_markdown(ruleset.rules)
    if args.output:
        from auditor.atomic import write_atomic

        write_atomic(Path(args.output), text)
    else:
        out.write(text)
    return EXIT_OK


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    if out is None and err is None:
        never_fail_on_encoding(sys.stdout, sys.stderr)
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    missing = missing_resources()
    if missing:
        print(f"budget-audit: 安装不完整，缺少 {'、'.join(missing)}，请重新安装 / incomplete installation, missing "
              f"{', '.join(missing)}: reinstall budget-audit", file=err)
        return EXIT_INPUT
    try:
        return args.run(args, out, err)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return 130
    except Exception as error:  # a defect of the tool: say so, never as a finding or a traceback
        detail = f"{type(error).__name__}: {str(error)[:200]}"
        print(f"budget-audit: 内部错误（{detail}），请将命令和此信息报告给维护者 / internal error ({detail}): "
              "please report it with the command that caused it", file=err)
        return EXIT_INPUT


def effective_configuration(config: Any, spec: Any, fail_on: str, lang: str, waivers: Path | None, baseline: Path | None) -> dict[str, Any]:
    """What a run was set up with, for the JSON and SARIF reports: the configuration file, the
    rule, layout and vocabulary files added to the shipped ones, the rules selected or ignored,
    and the severities and parameters the configuration changed."""
    def paths(items: Any) -> list[str]:
        return [str(Path(p)) for p in items]

    return {
        "file": str(config.source) if config.source else None,
        "rules": ["shipped", *paths((*config.rules, *spec.extra_rules))],
        "layouts": ["shipped", *paths((*config.layouts, *spec.extra_layouts))],
        "vocabulary": ["shipped", *paths((*config.vocabulary, *spec.extra_vocabulary))],
        "select": [*config.select, *spec.select],
        "ignore": [*config.ignore, *spec.ignore],
        "severity": dict(sorted(config.severity.items())),
        "params": {rule: dict(sorted(values.items())) for rule, values in sorted(config.params.items())},
        "fail_on": fail_on,
        "lang": lang,
        "waivers": str(waivers) if waivers else None,
        "baseline": str(baseline) if baseline else None,
    }


def never_fail_on_encoding(*streams: TextIO) -> None:
    """Console output in an encoding that cannot write every character (GBK has no •, cp1252 no
    Chinese) is written with replacements, never a crash; the encoding is the console's own."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


if __name__ == "__main__":
    sys.exit(main())
