"""Readers: one per input format, all producing the same ``Document``.

``read_document`` picks the reader by the file's content (``detect.sniff``), not its name: text
exports (UTF-8, UTF-16, GB18030/GBK), .docx, .xlsx, PDF and Word 97 .doc (through LibreOffice).
Each reader turns its input into a ``BlockStream``; ``assemble`` builds the model from it. A file
that cannot be read raises ``ReadError`` with a message a reviewer can act on — never another
exception — and callers report it and go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.model import Document, Location, ReadNote
from auditor.readers.assemble import ValueParser
from auditor.readers.blocks import BlockStream
from auditor.readers.detect import (
    MAX_FILE_BYTES,
    MAX_TEXT_BYTES,
    MB,
    FormatError,
    NotUnderstood,
    check_package,
    find_broken_part,
    decode_text,
    sniff,
    suffix_kind,
)
from auditor.readers.text import lex_text

if TYPE_CHECKING:
    from auditor.layouts import LayoutSet

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
CSV_SUFFIXES = {".csv", ".tsv"}
FORMAT_NAMES = {"docx": "Word 文档 / .docx", "xlsx": "Excel 工作簿 / .xlsx", "pdf": "PDF", "doc": "Word 97 文档 / .doc",
                "text": "文本 / text"}

__all__ = ["ReadError", "read_document", "MAX_TEXT_BYTES", "MAX_FILE_BYTES"]


class ReadError(Exception):
    """An input that could not be read: the path, what went wrong, and where if known.

    ``message`` is what the user sees after the path: when the location is a reference (a part of
    a package, a cell) rather than a line, it leads the message (``word/document.xml: …``);
    ``reason`` is the bare message."""

    def __init__(self, path: str, message: str, loc: Location | None = None, kind: str = "unreadable") -> None:
        located = f"{loc.ref}: {message}" if loc and loc.ref and loc.line is None else message
        super().__init__(located)
        self.path = path
        self.reason = message
        self.message = located
        self.loc = loc
        self.kind = kind  # "unreadable" | "not_understood" (see ``NotUnderstood``)

    def __str__(self) -> str:
        where = f":{self.loc.line}" if self.loc and self.loc.line else ""
        return f"{self.path}{where}: {self.message}"


def read_document(
    path: str | Path,
    parse_value: ValueParser,
    display_path: str | None = None,
    layouts: LayoutSet | None = None,
    companions: Sequence[Path] = (),
) -> Document:
    """Read one draft with the layout profile that explains it best (``layouts``: the run's
    profiles, the shipped ones by default). ``display_path`` is the path written into the model
    and the findings; ``companions`` are CSV files read with this one as its other tables (see
    ``pair_csv_tables``)."""
    from auditor.layouts import load_layouts  # the profiles, read when the first draft is

    path = Path(path)
    shown = display_path or str(path)
    try:
        return _with_content(_read(path, shown, parse_value, layouts or load_layouts(), tuple(companions)))
    except ReadError:
        raise
    except FormatError as error:
        kind = "not_understood" if isinstance(error, NotUnderstood) else "unreadable"
        raise ReadError(shown, error.message, error.loc, kind) from None
    except IsADirectoryError:
        raise ReadError(shown, "是目录，不是文件 / is a directory") from None
    except PermissionError:
        raise ReadError(shown, "没有读取权限 / permission denied") from None
    except FileNotFoundError:
        raise ReadError(shown, "文件不存在 / no such file") from None
    except OSError as error:
        raise ReadError(shown, f"无法读取 / cannot read: {error.strerror or error}") from None
    except MemoryError:
        raise ReadError(shown, "内存不足，无法读取 / out of memory while reading") from None
    except RecursionError:
        raise ReadError(shown, "结构嵌套过深，无法读取 / structure nested too deeply") from None
    except Exception as error:  # a malformed file a library choked on: never a traceback
        detail = f"{type(error).__name__}: {str(error)[:160]}".rstrip(": ")
        raise ReadError(shown, f"无法解析此文件（{detail}） / cannot parse this file ({detail})") from None


def _with_content(doc: Document) -> Document:
    """The draft, if anything of a draft was found in it: a file without a project table or a
    part-one goal would otherwise pass every rule, and be reported as free of problems."""
    if doc.projects or doc.sections or doc.department_indicators:
        return doc
    raise FormatError(
        "未找到绩效目标内容（既无项目绩效目标表，也无总体/分项绩效目标），不是预算绩效目标文本或内容为空"
        " / no performance-target content (no project table, no overall or area goals): not a draft, or empty"
    )


def _read(path: Path, shown: str, parse_value: ValueParser, layouts: LayoutSet, companions: tuple[Path, ...] = ()) -> Document:
    from auditor.readers.layouts import read_with_layout

    sniffed = sniff(path)
    kind = suffix_kind(path)
    if sniffed.format == "text":
        if path.suffix.lower() in CSV_SUFFIXES:
            # read with a companion, both files' cells are named with their file: the department
            # holds two files and must know which one a cell reference is in
            stream = _lex_csv_file(path, sniffed.size, qualified=bool(companions))
            for companion in companions:
                stream.grids.extend(_lex_csv_file(companion, companion.stat().st_size, qualified=True, companion=True).grids)
                stream.notes.append(ReadNote(f"read with {companion.name} (its project table)", Location(),
                                             f"与 {companion.name}（项目表）一并读取"))
            return read_with_layout(stream, shown, "csv", parse_value, layouts)
        stream = _lex_text_file(path, sniffed.size, kind)
        return read_with_layout(stream, shown, "text", parse_value, layouts)
    if sniffed.size > MAX_FILE_BYTES:
        raise FormatError(
            f"文件过大（{sniffed.size // MB} MB，上限 {MAX_FILE_BYTES // MB} MB），未读取"
            f" / file too large ({sniffed.size // MB} MB, limit {MAX_FILE_BYTES // MB} MB): not read"
        )
    stream = _lex_binary(path, sniffed.format)
    if not _suffix_matches(path, sniffed.format):
        stream.notes.insert(0, ReadNote(f"file is named {path.suffix} but holds a {sniffed.format} document; read by its content",
                                Location(), f"文件扩展名为 {path.suffix}，内容却是 {sniffed.format} 文档；按内容读取"))
    return read_with_layout(stream, shown, sniffed.format, parse_value, layouts)


def _lex_binary(path: Path, fmt: str) -> BlockStream:
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl / pdfminer chatter is not the user's business
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            if fmt in ("docx", "xlsx"):
                check_package(path, fmt)
                try:
                    if fmt == "docx":
                        from auditor.readers.docx import lex_docx

                        return lex_docx(path)
                    from auditor.readers.xlsx import lex_xlsx

                    return lex_xlsx(path)
                except (MemoryError, RecursionError):
                    raise
                except Exception as error:  # python-docx / openpyxl on a damaged package
                    broken = find_broken_part(path)
                    if broken is not None:
                        raise broken from None
                    name = FORMAT_NAMES[fmt]
                    detail = f"{type(error).__name__}: {str(error)[:160]}".rstrip(": ")
                    zh, en = name.split(" / ")
                    raise FormatError(f"无法解析此 {zh}（{detail}） / cannot parse this {en} ({detail})") from None
            if fmt == "pdf":
                from auditor.readers.pdf import lex_pdf

                return lex_pdf(path)
            from auditor.readers.legacy import lex_doc

            return lex_doc(path)
        finally:
            logging.disable(previous)


def _suffix_matches(path: Path, fmt: str) -> bool:
    suffix = path.suffix.lower()
    return {"docx": suffix in (".docx", ".docm"), "xlsx": suffix in (".xlsx", ".xlsm"), "pdf": suffix == ".pdf",
            "doc": suffix == ".doc", "text": suffix in TEXT_SUFFIXES}[fmt]


def _lex_csv_file(path: Path, size: int, qualified: bool = False, companion: bool = False) -> BlockStream:
    from auditor.readers.csvfile import lex_csv

    text, encoding = _decoded(path, size, None)
    stream = lex_csv(text, path.name, "\t" if path.suffix.lower() == ".tsv" else None, qualified, lines=not companion)
    if not companion:
        _note_encoding(stream, encoding)
    return stream


def pair_csv_tables(paths: Sequence[Path], layouts: LayoutSet | None = None) -> dict[Path, tuple[Path, ...]]:
    """Each indicator-table CSV among ``paths`` → the project-table CSVs to read with it (a
    flat export split into two files; see ``readers.companions``)."""
    from auditor.layouts import load_layouts
    from auditor.readers.companions import pair_tables

    return pair_tables(paths, layouts or load_layouts(), lambda path: _decoded(path, path.stat().st_size, None)[0])


def _note_encoding(stream: BlockStream, encoding: str) -> None:
    if encoding not in ("utf-8", "utf-8-sig"):
        stream.notes.insert(0, ReadNote(f"text decoded as {encoding}", Location(line=1), f"按 {encoding} 编码读取"))


def _decoded(path: Path, size: int, kind: str | None) -> tuple[str, str]:
    """A text file's text and encoding, within the size limit."""
    if size > MAX_TEXT_BYTES:
        raise FormatError(
            f"文本文件过大（{size // MB} MB，上限 {MAX_TEXT_BYTES // MB} MB），未读取"
            f" / text file too large ({size // MB} MB, limit {MAX_TEXT_BYTES // MB} MB): not read"
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_TEXT_BYTES + 1)  # bounded even if the file grows meanwhile
    if len(data) > MAX_TEXT_BYTES:
        raise FormatError(f"文本文件过大（上限 {MAX_TEXT_BYTES // MB} MB），未读取 / text file too large: not read")
    if not data.strip():
        raise FormatError("文件为空 / empty file")
    try:
        text, encoding = decode_text(data)
    except FormatError as error:
        if kind:  # named .docx/.pdf/… but neither that format nor text
            raise FormatError(
                f"不是有效的 {kind} 文件：内容既不是该格式，也不是文本（文件损坏或扩展名错误）"
                f" / not a valid {kind} file: its content is neither that format nor text (damaged, or wrongly named)"
            ) from None
        raise error
    if not text.strip():
        raise FormatError("文件为空 / empty file")
    return text, encoding


def _lex_text_file(path: Path, size: int, kind: str | None) -> BlockStream:
    text, encoding = _decoded(path, size, kind)
    stream = lex_text(text)
    _note_encoding(stream, encoding)
    if kind:
        stream.notes.insert(0, ReadNote(f"file is named {path.suffix} but holds plain text; read as text", Location(line=1),
                                f"文件扩展名为 {path.suffix}，内容却是纯文本；按文本读取"))
    return stream

