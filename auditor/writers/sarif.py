"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run of the tool ``budget-audit``: every rule of the run in ``tool.driver.rules`` (written
when the writer is built), then one result per finding, written draft by draft, then the
invocation (unreadable inputs, waiver notices). Decisions:

- Locations are relative to ``%SRCROOT%`` (``run.base``, recorded in ``originalUriBaseIds``);
  a draft outside ``run.base`` gets an absolute ``file:`` URI instead.
- ``partialFingerprints["budgetAudit/v1"]`` hashes ``Finding.identity`` (rule, path relative to
  ``run.base``, project code or name, field, evidence) — never the line — so an alert survives
  text added above it. A second finding with the same identity in one draft gets ``:2`` and so on.
- ``baselineState`` is on every result: ``"unchanged"`` for a finding of the baseline, ``"new"``
  otherwise (without ``--baseline`` every finding is new against an empty baseline).
- Waived findings carry ``suppressions`` (``kind: external``, the waiver's reason).
- The suggestion follows the message in ``message.text`` (after a line break).
- ``executionSuccessful`` is false when an input was not audited (the exit code is 2 then). Each
  such input is a ``toolExecutionNotifications`` entry located at the file (``region.startLine``
  when the line is known; a cell or part reference as the location's ``message`` and
  ``properties.ref``) whose ``descriptor`` names one of the driver's two notification
  descriptors: ``unreadable``, or ``not-understood`` (the file reads but no layout profile
  explains it); ``properties.kind`` is ``InputError.kind`` (``unreadable`` / ``not_understood``).
- ``runs[0].properties.layouts`` maps each draft read (its artifact ``uri`` as in the results) to
  the layout profile it was read with; ``runs[0].properties.verdicts`` maps it to its verdict
  (通过 / 修改后通过 / 不通过, per project with the reasons, as in the JSON report), and
  ``properties.summary.verdicts`` counts them per draft, project and unit.

GitHub accepts at most 25,000 results per run; a larger run is refused as a whole, so narrow it
(``--select``, fewer drafts per upload) rather than expect truncation here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditor.findings import DocumentResult, Finding
from auditor.report import DIMENSION_EN, InputError, RuleInfo, RunInfo
from auditor.verdicts import verdict_dict
from auditor.writers import ReportWriter, error_text, relative_path

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://example.invalid/budget-audit"
HELP_BASE = "https://example.invalid/budget-audit/blob/main/docs/rules.md"
"""The rule reference in the project's repository: ``helpUri`` is this plus the rule's anchor.
Point it at the repository that publishes ``docs/rules.md`` (the anchors are GitHub's slugs of
the headings ``budget-audit rules docs`` writes)."""
FINGERPRINT_KEY = "budgetAudit/v1"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
WORDS = {
    "zh": {"suggestion": "建议：", "source": "依据：", "message": "问题：", "reference": "规则说明", "unreadable": "无法读取"},
    "en": {"suggestion": "Suggestion: ", "source": "Source: ", "message": "Message: ", "reference": "Rule reference", "unreadable": "Unreadable"},
}
# The driver's notification descriptors (``tool.driver.notifications``), by ``InputError.kind``.
NOTIFICATIONS = {
    "unreadable": {
        "id": "unreadable",
        "name": "Unreadable",
        "text": {"zh": "输入文件无法读取，未审核", "en": "An input could not be read; it was not audited"},
    },
    "not_understood": {
        "id": "not-understood",
        "name": "LayoutNotUnderstood",
        "text": {
            "zh": "输入文件可以读取，但没有任何版式能可靠地解释它（未能识别版式），未审核",
            "en": "An input reads, but no layout profile explains it with confidence (layout not understood); it was not audited",
        },
    },
}
NOTIFICATION_KINDS = tuple(NOTIFICATIONS)


def camel_case(rule_id: str) -> str:
    """``budget-text-mismatch`` → ``BudgetTextMismatch``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.\s]+", rule_id) if part)


def rule_anchor(rule: RuleInfo) -> str:
    """The GitHub anchor of the rule's heading in ``docs/rules.md``
    (``### `id` — 中文名 / English title``): lower case, punctuation dropped, spaces → ``-``."""
    heading = f"{rule.id} — {rule.title.get('zh', '')} / {rule.title.get('en', '')}"
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    return quote(slug, safe="-_")


def help_uri(rule: RuleInfo) -> str:
    return f"{HELP_BASE}#{rule_anchor(rule)}"


def fingerprint(finding: Finding, path: str) -> str:
    """A hash of the finding's identity with ``path`` as reported (relative to ``run.base``)."""
    rule, _, project, field, evidence = finding.identity
    return hashlib.sha256("\x1f".join((rule, path, project, field, evidence)).encode("utf-8")).hexdigest()[:32]


def artifact_location(path: str) -> dict[str, str]:
    """A relative path under ``%SRCROOT%``, or the absolute ``file:`` URI of a path outside it."""
    if path.startswith("/") or re.match(r"^[A-Za-z]:/", path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _text(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("zh") or next(iter(texts.values()), "")


def rule_descriptor(rule: RuleInfo, lang: str) -> dict[str, Any]:
    words = WORDS[lang]
    title = _text(rule.title, lang)
    message = _text(rule.message, lang)
    suggestion = _text(rule.suggestion, lang)
    dimension_en = DIMENSION_EN.get(rule.dimension, rule.dimension)
    uri = help_uri(rule)
    return {
        "id": rule.id,
        "name": camel_case(rule.id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{rule.rationale}\n{words['source']}{rule.citable_source}".strip()},
        "help": {
            "text": f"{words['message']}{message}\n{words['suggestion']}{suggestion}\n{words['source']}{rule.citable_source}",
            "markdown": (
                f"**{title}** (`{rule.id}`)\n\n{words['message']}{message}\n\n{words['suggestion']}{suggestion}\n\n"
                f"{words['source']}{rule.citable_source}\n\n[{words['reference']}]({uri})"
            ),
        },
        "helpUri": uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"dimension": rule.dimension, "scope": rule.scope, "tags": [rule.dimension, dimension_en]},
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _indented(value: Any, depth: int) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)


class SarifWriter(ReportWriter):
    """Header and rules at construction, one result per line as drafts arrive, the invocation
    at the end."""

    def __init__(self, out: Any, run: RunInfo) -> None:
        super().__init__(out, run)
        self.rule_index = {rule.id: i for i, rule in enumerate(run.rules)}
        self.count = 0
        self.notifications: list[dict[str, Any]] = []
        driver: dict[str, Any] = {"name": "budget-audit"}
        if run.version:
            driver["version"] = run.version
        driver["informationUri"] = INFORMATION_URI
        driver["rules"] = [rule_descriptor(rule, run.lang) for rule in run.rules]
        driver["notifications"] = [
            {"id": d["id"], "name": d["name"], "shortDescription": {"text": _text(d["text"], run.lang)}}
            for d in NOTIFICATIONS.values()
        ]
        self.layouts: dict[str, str] = {}
        self.verdicts: dict[str, dict[str, Any]] = {}
        base = Path(os.path.abspath(run.base)).as_uri().rstrip("/") + "/"
        self.out.write(
            "{\n"
            f'  "$schema": "{SCHEMA_URI}",\n'
            '  "version": "2.1.0",\n'
            '  "runs": [\n'
            "    {\n"
            f'      "tool": {_indented({"driver": driver}, 3)},\n'
            f'      "originalUriBaseIds": {_indented({SRCROOT: {"uri": base}}, 3)},\n'
            '      "columnKind": "unicodeCodePoints",\n'
            '      "results": ['
        )

    def result(self, finding: Finding, path: str, occurrence: int) -> dict[str, Any]:
        """One finding as a SARIF result; ``occurrence`` numbers findings of equal identity."""
        lang = self.run.lang
        text = finding.text(lang)
        advice = finding.advice(lang)
        if advice:
            text += f"\n{WORDS[lang]['suggestion']}{advice}"
        physical: dict[str, Any] = {"artifactLocation": artifact_location(path)}
        if finding.line is not None:
            region = {"startLine": finding.line}
            if finding.column is not None:
                region["startColumn"] = finding.column
            physical["region"] = region
        location: dict[str, Any] = {"physicalLocation": physical}
        project = finding.project
        if project is not None:
            location["logicalLocations"] = [
                {"name": project.name, "fullyQualifiedName": f"{path}#project-{project.index}", "kind": "module"}
            ]
        key = fingerprint(finding, path) + (f":{occurrence}" if occurrence > 1 else "")
        result: dict[str, Any] = {"ruleId": finding.rule}
        if finding.rule in self.rule_index:
            result["ruleIndex"] = self.rule_index[finding.rule]
        result |= {
            "level": LEVELS[finding.severity],
            "message": {"text": text},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT_KEY: key},
            "baselineState": "unchanged" if finding.baseline else "new",
        }
        if finding.waived is not None:
            result["suppressions"] = [{"kind": "external", "justification": finding.waived}]
        properties: dict[str, Any] = {"dimension": finding.dimension, "field": finding.field, "evidence": finding.evidence}
        if finding.ref:
            properties["ref"] = finding.ref
        if project is not None:
            properties["project"] = {"index": project.index, "code": project.code, "name": project.name}
        result["properties"] = properties
        return result

    def document(self, result: DocumentResult) -> None:
        path = relative_path(result.path, self.run.base)
        uri = artifact_location(path)["uri"]
        if result.layout:
            self.layouts.setdefault(uri, result.layout)
        self.verdicts.setdefault(uri, verdict_dict(self.run.verdict(result), self.run.lang))
        seen: dict[tuple[str, ...], int] = {}
        for finding in result.findings:
            seen[finding.identity] = occurrence = seen.get(finding.identity, 0) + 1
            self.out.write(("," if self.count else "") + "\n        " + _dumps(self.result(finding, path, occurrence)))
            self.count += 1

    def unreadable(self, error: InputError) -> None:
        lang = self.run.lang
        physical: dict[str, Any] = {"artifactLocation": artifact_location(relative_path(error.path, self.run.base))}
        if error.line:
            physical["region"] = {"startLine": error.line}
        location: dict[str, Any] = {"physicalLocation": physical}
        if error.ref:
            location["message"] = {"text": error.ref}
            location["properties"] = {"ref": error.ref}
        kind = error.kind if error.kind in NOTIFICATIONS else "unreadable"
        if kind == "not_understood":
            text = error_text(error, lang)
        else:
            text = f"{WORDS[lang]['unreadable']}: {error.message}"
        notification = {
            "descriptor": {"id": NOTIFICATIONS[kind]["id"], "index": NOTIFICATION_KINDS.index(kind)},
            "level": "error",
            "message": {"text": text},
            "locations": [location],
            "properties": {"kind": kind},
        }
        if notification not in self.notifications:  # the schema wants unique items
            self.notifications.append(notification)

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        invocation: dict[str, Any] = {"executionSuccessful": not self.notifications}
        if self.notifications:
            invocation["toolExecutionNotifications"] = self.notifications
        configuration = []
        for notice in notices:
            item = {"level": "warning", "message": {"text": _text(notice, self.run.lang)}}
            if item not in configuration:
                configuration.append(item)
        if configuration:
            invocation["toolConfigurationNotifications"] = configuration
        self.out.write(("\n      ]" if self.count else "]") + ",\n")
        self.out.write('      "invocations": ' + _indented([invocation], 3) + ",\n")
        properties = {"summary": summary, "layouts": self.layouts, "verdicts": self.verdicts, "configuration": dict(self.run.configuration)}
        self.out.write('      "properties": ' + _indented(properties, 3) + "\n")
        self.out.write("    }\n  ]\n}\n")
