"""Office files (.xlsx, .docx are zip archives) written the same bytes for the same content: every
entry dated ``ZIP_DATE`` instead of the time of writing."""

from __future__ import annotations

import datetime
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

ZIP_DATE = (2000, 1, 1, 0, 0, 0)
FIXED_TIME = datetime.datetime(*ZIP_DATE)


def copy_with_fixed_dates(source: IO[bytes], target: IO[Any]) -> None:
    """Copy a zip archive entry by entry (streamed), every entry dated ``ZIP_DATE``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            with src.open(info) as reader, dst.open(fixed, "w", force_zip64=info.file_size > 0x7FFFFFFF) as writer:
                shutil.copyfileobj(reader, writer)


def write_fixed(write: Callable[[IO[bytes]], None], target: IO[Any]) -> None:
    """An archive as ``write`` writes it (python-docx's ``save``, openpyxl's writer), copied to
    ``target`` with fixed entry dates."""
    with tempfile.TemporaryFile() as raw:
        write(raw)
        raw.seek(0)
        copy_with_fixed_dates(raw, target)


def save_workbook_fixed(workbook: Any, target: IO[Any]) -> None:
    """An openpyxl workbook written to ``target`` with fixed entry dates. openpyxl's own ``save``
    would also set the modified date to now; its writer keeps the date the caller set."""
    from openpyxl.writer.excel import ExcelWriter

    write_fixed(lambda raw: ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save(), target)
