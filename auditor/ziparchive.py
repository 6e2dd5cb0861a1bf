"""Office files (.xlsx, .docx are zip archives) written the same bytes for the same content: every
entry dated ``ZIP_DATE`` instead of the time of writing."""

from __future__ import annotations

import datetime
import shutil
import zipfile
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
