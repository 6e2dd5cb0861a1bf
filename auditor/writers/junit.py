"""``--format junit``: JUnit XML for CI test-report views (GitLab, Jenkins, Azure…).

A ``<testsuite>`` per draft (name = its path), a ``<testcase>`` per project
(``项目<index> <code> <name>``) and one for the department level (``部门整体 / document``), always
present so that the set of tests is the same from run to run. A finding that counts toward
failure (``counts_toward_failure``: at or above ``run.fail_on``, not waived, not in the baseline)
is a ``<failure>`` of its testcase; the other findings are listed in its ``<system-out>``. The
layout a draft was read with is a property of its suite, and so are its verdict (``verdict``)
and the number of its projects per verdict (``verdict.pass``, ``verdict.revise``,
``verdict.reject``); the reader's notes (what it noticed and worked around, located) are the suite's ``<system-out>``. An input that was not audited is a
testsuite whose one testcase has an ``<error>``: ``type="unreadable"`` (testcase ``无法读取 /
unreadable``) or ``type="not_understood"`` (testcase ``未能识别版式 / layout not understood``,
the message naming the cell or part where reading went wrong).

Counts follow the Ant/Surefire meaning: ``tests`` testcases, ``failures`` testcases with at least
one ``<failure>``, ``errors`` testcases with an ``<error>``, ``skipped`` 0. The root carries the
totals, so suites are written to a spooled temporary file (in memory up to a few MB, then on
disk) while drafts arrive and copied after the root element in ``finish``: memory stays bounded
by one draft. ``classname`` (the path, ``/`` → ``.``) + ``name`` is unique in the file.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from typing import Any

from auditor.findings import DocumentResult, Finding, ProjectRef
from auditor.report import SEVERITY_ZH, InputError, RunInfo, counts_toward_failure
from auditor.verdicts import VERDICTS
from auditor.writers import ReportWriter, error_place, error_text, relative_path

SPOOL_BYTES = 4 * 1024 * 1024
# characters XML 1.0 does not allow, even escaped
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
WORDS = {
    "zh": {
        "document": "部门整体 / document",
        "project": "项目",
        "unreadable": "无法读取 / unreadable",
        "not_understood": "未能识别版式 / layout not understood",
        "notes": "读取提示",
        "rule": "规则",
        "location": "位置",
        "field": "字段",
        "evidence": "原文",
        "suggestion": "建议",
        "waived": "已豁免",
        "baseline": "基线已有",
    },
    "en": {
        "document": "department level / document",
        "project": "project ",
        "unreadable": "unreadable",
        "not_understood": "layout not understood",
        "notes": "reader notes",
        "rule": "rule",
        "location": "location",
        "field": "field",
        "evidence": "evidence",
        "suggestion": "suggestion",
        "waived": "waived",
        "baseline": "in baseline",
    },
}


def clean(text: Any) -> str:
    """``text`` as a string XML 1.0 can hold: control characters other than tab and line breaks
    dropped."""
    return _ILLEGAL_XML.sub("", str(text))


def _element(tag: str, attrib: dict[str, Any], text: str | None = None) -> ET.Element:
    element = ET.Element(tag, {k: clean(v) for k, v in attrib.items() if v is not None})
    if text is not None:
        element.text = clean(text)
    return element


def _location(finding: Finding, path: str) -> str:
    where = path
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    elif finding.ref:
        where += f" ({finding.ref})"
    return where


class JunitWriter(ReportWriter):
    """Suites spooled draft by draft; the root with the totals and the spool written in
    ``finish``."""

    def __init__(self, out: Any, run: RunInfo) -> None:
        super().__init__(out, run)
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="\n")
        self.totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        self.classnames: set[str] = set()

    def _classname(self, path: str) -> str:
        """The path with ``/`` → ``.``, made unique in the file (``a/b.txt`` and ``a.b.txt``)."""
        base = path.replace("/", ".")
        name, n = base, 1
        while name in self.classnames:
            n += 1
            name = f"{base}~{n}"
        self.classnames.add(name)
        return name

    def _case_name(self, project: ProjectRef | None) -> str:
        words = WORDS[self.run.lang]
        if project is None:
            return words["document"]
        return " ".join(part for part in (f"{words['project']}{project.index}", project.code, project.name) if part)

    def _failure(self, finding: Finding, path: str) -> ET.Element:
        lang = self.run.lang
        words = WORDS[lang]
        rule = self.run.rule(finding.rule)
        title = (rule.title.get(lang) or rule.title.get("zh", "")) if rule is not None else ""
        body = [
            f"{words['rule']}: {finding.rule}" + (f" {title}" if title else ""),
            f"{words['location']}: {_location(finding, path)}",
            f"{words['field']}: {finding.field}",
            f"{words['evidence']}: {finding.evidence}",
        ]
        advice = finding.advice(lang)
        if advice:
            body.append(f"{words['suggestion']}: {advice}")
        return _element("failure", {"type": finding.rule, "message": finding.text(lang)}, "\n".join(body))

    def _note(self, finding: Finding, path: str) -> str:
        """A finding that does not fail the run, as a line of ``<system-out>``."""
        lang = self.run.lang
        words = WORDS[lang]
        severity = SEVERITY_ZH[finding.severity] if lang == "zh" else finding.severity
        line = f"[{severity}] {finding.rule} {_location(finding, path)}: {finding.text(lang)}"
        if finding.waived is not None:
            line += f" ({words['waived']}: {finding.waived})"
        elif finding.baseline:
            line += f" ({words['baseline']})"
        return line

    def _write_suite(self, suite: ET.Element, cases: list[ET.Element], out: ET.Element | None = None) -> None:
        """A suite with its counts, its testcases and, after them, its ``<system-out>``."""
        counts = {
            "tests": len(cases),
            "failures": sum(1 for case in cases if case.find("failure") is not None),
            "errors": sum(1 for case in cases if case.find("error") is not None),
            "skipped": 0,
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            self.totals[key] += value
        suite.extend(cases)
        if out is not None:
            suite.append(out)
        ET.indent(suite, space="  ", level=1)
        self.spool.write("  " + ET.tostring(suite, encoding="unicode") + "\n")

    def document(self, result: DocumentResult) -> None:
        path = relative_path(result.path, self.run.base)
        classname = self._classname(path)
        suite = _element("testsuite", {"name": path, "file": path})
        verdict = self.run.verdict(result)
        properties = [
            (k, v) for k, v in (("department", result.department), ("year", result.year), ("layout", result.layout)) if v is not None
        ]
        properties.append(("verdict", verdict.label(self.run.lang)))
        properties += [(f"verdict.{v}", verdict.counts[v]) for v in VERDICTS]
        if properties:
            props = ET.SubElement(suite, "properties")
            for name, value in properties:
                props.append(_element("property", {"name": name, "value": value}))
        # the department level first, then each project in draft order (by index)
        refs: dict[int, ProjectRef | None] = {-1: None}
        found: dict[int, list[Finding]] = {-1: []}
        for fact in result.facts:
            refs.setdefault(fact.index, ProjectRef(fact.index, fact.code, fact.name))
            found.setdefault(fact.index, [])
        for finding in result.findings:
            key = -1 if finding.project is None else finding.project.index
            refs.setdefault(key, finding.project)
            found.setdefault(key, []).append(finding)
        cases, names = [], set()
        for key in sorted(refs):
            name = base = self._case_name(refs[key])
            n = 1
            while name in names:  # defensive: classname + name must be unique in the file
                n += 1
                name = f"{base} ~{n}"
            names.add(name)
            case = _element("testcase", {"classname": classname, "name": name, "file": path})
            notes = []
            for finding in found[key]:
                if counts_toward_failure(finding, self.run.fail_on):
                    case.append(self._failure(finding, path))
                else:
                    notes.append(self._note(finding, path))
            if notes:
                case.append(_element("system-out", {}, "\n".join(notes)))
            cases.append(case)
        if result.errors:  # a draft read only in part
            case = _element("testcase", {"classname": classname, "name": WORDS[self.run.lang]["unreadable"], "file": path})
            message = "; ".join(result.errors)
            case.append(_element("error", {"type": "unreadable", "message": message}, f"{path}: {message}"))
            cases.append(case)
        out = None
        if result.notes:
            lang = self.run.lang
            lines = [f"{WORDS[lang]['notes']} ({len(result.notes)}):"]
            for note in result.notes:
                where = path + (f":{note.line}" if note.line else "") + (f" ({note.ref})" if note.ref else "")
                lines.append(f"  {where}: {note.text(lang)}")
            out = _element("system-out", {}, "\n".join(lines))
        self._write_suite(suite, cases, out)

    def unreadable(self, error: InputError) -> None:
        path = relative_path(error.path, self.run.base)
        suite = _element("testsuite", {"name": path, "file": path})
        lang = self.run.lang
        if error.kind == "not_understood":
            kind, message = "not_understood", error_text(error, lang)
            body = f"{error_place(error, path)}: {error_text(error, lang, located=False)}"
        else:
            kind, message = "unreadable", error.message
            body = f"{path}:{error.line}: {error.message}" if error.line else f"{path}: {error.message}"
        case = _element("testcase", {"classname": self._classname(path), "name": WORDS[lang][kind], "file": path})
        case.append(_element("error", {"type": kind, "message": message}, body))
        self._write_suite(suite, [case])

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        root = _element("testsuites", {"name": "budget-audit", **{k: str(v) for k, v in self.totals.items()}})
        head = ET.tostring(root, encoding="unicode")
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        if not self.totals["tests"]:
            self.out.write(head + "\n")
        else:
            self.out.write(head[: -len(" />")] + ">\n")
            self.spool.seek(0)
            shutil.copyfileobj(self.spool, self.out)
            self.out.write("</testsuites>\n")
        self.spool.close()
