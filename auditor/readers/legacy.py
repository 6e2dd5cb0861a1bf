"""Reader for Word 97 .doc drafts: converted to .docx by LibreOffice, then read as a .docx.

The conversion runs ``soffice --headless --convert-to docx`` on a copy in a private temporary
folder (the input is never touched), with its own LibreOffice profile so it works beside a running
office, and a time limit. Without LibreOffice the file gets one clear message saying what to
install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from auditor.model import NOWHERE, ReadNote
from auditor.readers.blocks import BlockStream
from auditor.readers.detect import FormatError, check_package

CONVERT_TIMEOUT_SECONDS = 120
SOFFICE_NAMES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    """The LibreOffice command, from ``$BUDGET_AUDIT_SOFFICE`` or the PATH."""
    configured = os.environ.get("BUDGET_AUDIT_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def convert(source: Path, target_format: str, workdir: Path) -> Path:
    """Convert ``source`` with LibreOffice into ``workdir``; returns the converted file."""
    soffice = find_soffice()
    if soffice is None:
        raise FormatError(
            "这是 Word 97 (.doc) 文件，需要安装 LibreOffice 才能读取（命令 soffice），或在 Word 中另存为 .docx"
            " / a Word 97 .doc file: install LibreOffice (the soffice command) to read it, or save it as .docx"
        )
    copy = workdir / f"input{source.suffix.lower() or '.doc'}"
    shutil.copyfile(source, copy)
    profile = (workdir / "profile").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", target_format, "--outdir", str(workdir / "out"), str(copy)]
    try:
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=CONVERT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise FormatError(
            f"LibreOffice 转换超时（{CONVERT_TIMEOUT_SECONDS} 秒） / LibreOffice conversion timed out"
        ) from None
    except OSError as error:
        raise FormatError(f"无法运行 LibreOffice / cannot run LibreOffice: {error.strerror or error}") from None
    converted = workdir / "out" / f"{copy.stem}.{target_format.split(':')[0]}"
    if not converted.is_file():
        raise FormatError("LibreOffice 无法转换此 .doc 文件（文件可能已损坏） / LibreOffice could not convert this .doc (damaged?)")
    return converted


def lex_doc(path: Path) -> BlockStream:
    """Read a Word 97 .doc through a LibreOffice conversion to .docx."""
    from auditor.readers.docx import lex_docx

    with tempfile.TemporaryDirectory(prefix="budget-audit-doc-") as tmp:
        converted = convert(path, "docx", Path(tmp))
        check_package(converted, "docx")
        stream = lex_docx(converted)
    stream.notes.insert(0, ReadNote("Word 97 .doc converted to .docx by LibreOffice before reading", NOWHERE,
                            "Word 97 .doc 已先由 LibreOffice 转换为 .docx 再读取"))
    return stream

