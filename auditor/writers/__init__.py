"""Report writers: each renders a run in one format, draft by draft, and knows nothing else.

A writer is built with the output stream (text, or bytes for binary formats) and the
``RunInfo``; it then receives ``document(result)`` for each audited draft in input order,
``unreadable(error)`` for each input that was not audited — one that could not be read
(``error.kind == "unreadable"``) or one whose layout no profile explains (``"not_understood"``) —
and ``finish(summary, notices)``.
Formats are registered here; a writer's heavy imports (Jinja2, openpyxl) happen only when that
format is used.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from auditor.findings import DocumentResult
from auditor.report import InputError, RunInfo, SummaryBuilder

# format name → (module, class)
WRITERS: dict[str, tuple[str, str]] = {
    "table": ("auditor.writers.table", "TableWriter"),
    "json": ("auditor.writers.json_report", "JsonWriter"),
    "html": ("auditor.writers.html", "HtmlWriter"),
    "sarif": ("auditor.writers.sarif", "SarifWriter"),
    "junit": ("auditor.writers.junit", "JunitWriter"),
    "github": ("auditor.writers.github", "GithubWriter"),
    "xlsx": ("auditor.writers.xlsx", "XlsxWriter"),
    "docx": ("auditor.writers.opinion_docx", "OpinionDocxWriter"),
}
STREAM_ONLY = ("table", "github")  # formats meant for a terminal or a CI log, never a second file
# format name → (module, class) of a writer given a folder (``--docx-dir DIR``) instead of a stream:
# one file per unit there, each written by the writer itself
FOLDER_WRITERS: dict[str, tuple[str, str]] = {
    "docx": ("auditor.writers.opinion_docx", "OpinionFolderWriter"),
}


class ReportWriter:
    """Base class: a writer that does nothing until told. ``binary`` writers get a byte stream."""

    binary = False

    def __init__(self, out: IO[Any], run: RunInfo) -> None:
        self.out = out
        self.run = run

    def document(self, result: DocumentResult) -> None:
        """One audited draft, in input order."""

    def unreadable(self, error: InputError) -> None:
        """One input that was not audited: unreadable, or its layout not understood."""

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        """The end of the run: the summary and the waiver notices."""


def relative_path(path: str, base: Path) -> str:
    """``path`` relative to ``base`` with ``/`` separators; the absolute path (``/``-separated)
    when it lies outside ``base``. A relative ``path`` is taken from the working directory."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(base))
    except ValueError:  # another drive (Windows)
        return absolute.replace(os.sep, "/")
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return absolute.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


# How a report names an input that was not audited, by ``InputError.kind``.
ERROR_KINDS: dict[str, dict[str, str]] = {
    "unreadable": {"zh": "无法读取", "en": "unreadable"},
    "not_understood": {"zh": "未能识别版式", "en": "layout not understood"},
}


def error_label(error: InputError, lang: str) -> str:
    """``无法读取`` / ``unreadable`` or ``未能识别版式`` / ``layout not understood``."""
    labels = ERROR_KINDS.get(error.kind, ERROR_KINDS["unreadable"])
    return labels.get(lang) or labels["zh"]


def error_reason(error: InputError) -> str:
    """The error's message without the cell or part reference the reader put in front of it
    (``项目1!A3: …``): reports that show ``error.ref`` as the location show the rest."""
    prefix = f"{error.ref}: " if error.ref else ""
    return error.message[len(prefix):] if prefix and error.message.startswith(prefix) else error.message


def error_text(error: InputError, lang: str, located: bool = True) -> str:
    """The message of an input not audited as a report states it: the kind's label first unless
    the message already says so (a not-understood input's message names it in both languages),
    and with ``located`` the cell or part reference before it."""
    label, reason = error_label(error, lang), error_reason(error)
    if label.lower() not in reason.lower():
        reason = f"{label}: {reason}"
    return f"{error.ref}: {reason}" if located and error.ref else reason


def error_place(error: InputError, path: str) -> str:
    """Where an input error is: ``path``, ``path:line``, ``path (ref)`` or ``path:line (ref)``."""
    where = f"{path}:{error.line}" if error.line else path
    return f"{where} ({error.ref})" if error.ref else where


def writer_class(fmt: str, folder: bool = False) -> type[ReportWriter]:
    """The writer of ``fmt``: to a stream, or with ``folder`` to a folder of files."""
    module, name = (FOLDER_WRITERS if folder else WRITERS)[fmt]
    return getattr(importlib.import_module(module), name)


def render(
    fmt: str,
    results: Iterable[DocumentResult],
    run: RunInfo,
    errors: Iterable[InputError] = (),
    notices: list[dict[str, str]] | None = None,
) -> str | bytes:
    """A whole report in one call (tests, small runs): the same calls the CLI makes."""
    import io

    cls = writer_class(fmt)
    out: IO[Any] = io.BytesIO() if cls.binary else io.StringIO()
    writer = cls(out, run)
    summary = SummaryBuilder(run)
    for result in results:
        writer.document(result)
        summary.add(result)
    for error in errors:
        writer.unreadable(error)
        summary.add_unreadable(error)
    writer.finish(summary.summary(), notices or [])
    return out.getvalue()
