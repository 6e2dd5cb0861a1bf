"""Readers: one per input format, all producing the same ``Document``.

``read_document`` picks the reader by the file's content and name. A file that cannot be read
raises ``ReadError`` with a message a reviewer can act on; callers report it and go on.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from auditor.model import Document, Location
from auditor.readers.assemble import ValueParser, assemble
from auditor.readers.text import lex_text

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
MAX_TEXT_BYTES = 64 * 1024 * 1024


class ReadError(Exception):
    """An input that could not be read: the path, what went wrong, and where if known."""

    def __init__(self, path: str, message: str, loc: Location | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.loc = loc

    def __str__(self) -> str:
        where = f":{self.loc.line}" if self.loc and self.loc.line else ""
        return f"{self.path}{where}: {self.message}"


def read_document(path: str | Path, parse_value: ValueParser, display_path: str | None = None) -> Document:
    """Read one draft. ``display_path`` is the path written into the model and the findings."""
    path = Path(path)
    shown = display_path or str(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_TEXT_BYTES else None
    except IsADirectoryError:
        raise ReadError(shown, "是目录，不是文件 / is a directory") from None
    except PermissionError:
        raise ReadError(shown, "没有读取权限 / permission denied") from None
    except FileNotFoundError:
        raise ReadError(shown, "文件不存在 / no such file") from None
    except OSError as error:
        raise ReadError(shown, f"无法读取 / cannot read: {error.strerror or error}") from None
    if data is None:
        raise ReadError(shown, f"文件过大（超过 {MAX_TEXT_BYTES // (1024 * 1024)} MB）/ file too large")
    if not data.strip():
        raise ReadError(shown, "文件为空 / empty file")
    text = decode_text(data, shown)
    return assemble(lex_text(text), shown, "text", parse_value)


def decode_text(data: bytes, shown: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is a located error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReadError(
            shown, "不是 UTF-8 编码的文本 / not UTF-8 text", Location(line=line)
        ) from None
