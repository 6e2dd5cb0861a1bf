"""Hostile and broken input: every case gets a located, readable message, the run goes on with
the other files, exit code 2 means "some inputs could not be read", no traceback reaches the
user, and inputs are never modified."""

from __future__ import annotations

import hashlib
import io
import os
import pathlib
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.readers import ReadError, detect, read_document
from auditor.values import parse_value
from tests.conftest import DRAFT_FILES, ROOT

FORMATS = ROOT / "tests" / "fixtures" / "formats"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def error_of(path: Path) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_document(path, parse_value)
    return caught.value


def repack(source: Path, target: Path, replace: dict[str, bytes | str] | None = None,
           extra: dict[str, bytes] | None = None) -> Path:
    """A copy of an OOXML package with some parts replaced or added."""
    replace = replace or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


@pytest.fixture
def hostile(tmp_path) -> Path:
    """A folder of broken inputs beside two good drafts."""
    folder = tmp_path / "输入 文件夹"
    folder.mkdir()
    (folder / "empty.docx").write_bytes(b"")
    (folder / "garbage.docx").write_bytes(bytes(range(256)) * 20)
    good = (FORMATS / "edge_merged.docx").read_bytes()
    (folder / "truncated.docx").write_bytes(good[: len(good) // 2])
    repack(FORMATS / "edge_merged.docx", folder / "bomb.docx", extra={"word/media/zeros.bin": b"\0" * (20 * 1024 * 1024)})
    repack(FORMATS / "edge_merged.docx", folder / "laughs.docx", replace={"word/document.xml": LAUGHS})
    with (folder / "huge.txt").open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB without using the disk
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "loop")
    shutil.copyfile(FORMATS / "004.docx", folder / "草稿 第一.docx")
    shutil.copyfile(DRAFT_FILES["000"], folder / "000.txt")
    return folder


def test_each_broken_input_gets_a_readable_message(hostile):
    cases = {
        "empty.docx": "文件为空 / empty file",
        "garbage.docx": "不是有效的 Word (.docx) 文件",
        "truncated.docx": "文件已损坏或不完整（ZIP 结构无效） / damaged or truncated file (not a valid ZIP package)",
        "bomb.docx": "word/media/zeros.bin: 压缩比超过 200:1，疑似压缩炸弹，已拒绝",
        "laughs.docx": "word/document.xml: 含有 DTD/实体声明（可能是 XML 炸弹），已拒绝",
        "huge.txt": "文本文件过大（100 MB，上限 64 MB），未读取",
    }
    for name, expected in cases.items():
        error = error_of(hostile / name)
        assert expected in error.message, (name, error.message)
        assert error.path == str(hostile / name)
        assert " / " in error.message  # zh-CN first, English after


def test_cli_reports_every_broken_file_and_goes_on(hostile):
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in hostile.iterdir() if p.is_file() and p.stat().st_size < 1e7}
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(hostile), "--format", "json"], out, err)
    assert code == 2
    messages = err.getvalue()
    assert "Traceback" not in messages
    for name in ("empty.docx", "garbage.docx", "truncated.docx", "bomb.docx", "laughs.docx", "huge.txt", "loop"):
        assert name in messages, name
    assert "symlink loop" in messages
    import json

    report = json.loads(out.getvalue())
    read_ok = [Path(d["path"]).name for d in report["documents"] if not d.get("errors")]
    assert read_ok == ["000.txt", "草稿 第一.docx"]
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before}
    assert after == before  # inputs are never modified


def test_zip_total_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(detect, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    error = error_of(repack(FORMATS / "edge_merged.docx", tmp_path / "big.docx"))
    assert "解压后超过 0 MB" in error.message and "possible zip bomb" in error.message


def test_overlapping_or_many_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(detect, "MAX_ZIP_ENTRIES", 5)
    error = error_of(repack(FORMATS / "edge_merged.docx", tmp_path / "many.docx"))
    assert "too many entries" in error.message


def test_xml_bomb_in_a_workbook_is_refused(tmp_path):
    bomb = LAUGHS.replace("w:document", "worksheet")
    path = repack(FORMATS / "edge_merged.xlsx", tmp_path / "laughs.xlsx", replace={"xl/worksheets/sheet1.xml": bomb})
    assert "xl/worksheets/sheet1.xml: 含有 DTD/实体声明" in error_of(path).message


def test_utf16_doctype_is_seen_too(tmp_path):
    bomb = LAUGHS.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    path = repack(FORMATS / "edge_merged.docx", tmp_path / "laughs16.docx", replace={"word/document.xml": bomb})
    assert "XML 炸弹" in error_of(path).message


def test_the_xml_parser_does_not_expand_entities_even_unchecked(tmp_path):
    """Second line of defence: python-docx's parser has ``resolve_entities=False`` and libxml2
    caps amplification, so even without the pre-scan the bomb fails fast and small."""
    from auditor.readers.docx import lex_docx

    path = repack(FORMATS / "edge_merged.docx", tmp_path / "laughs.docx", replace={"word/document.xml": LAUGHS})
    start = time.monotonic()
    with pytest.raises(Exception):
        lex_docx(path)
    assert time.monotonic() - start < 5


def test_big_text_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    reads: list[int] = []
    real_open = pathlib.Path.open

    def counting_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        original = handle.read

        def read(size=-1):
            data = original(size)
            reads.append(len(data))
            return data

        handle.read = read
        return handle

    monkeypatch.setattr(pathlib.Path, "open", counting_open)
    error = error_of(path)
    assert "上限 64 MB" in error.message and "not read" in error.message
    assert sum(reads) <= detect.SNIFF_BYTES  # only the sniffing head was read


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.docx"
    shutil.copyfile(FORMATS / "edge_merged.docx", path)
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: make the open fail as it would for a user
        real_open = pathlib.Path.open

        def denied(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "open", denied)
    try:
        assert error_of(path).message == "没有读取权限 / permission denied"
    finally:
        path.chmod(0o644)


def test_path_with_spaces_and_chinese(tmp_path):
    folder = tmp_path / "预算 草稿" / "第 二 批"
    folder.mkdir(parents=True)
    path = folder / "项目 绩效目标.xlsx"
    shutil.copyfile(FORMATS / "004.xlsx", path)
    doc = read_document(path, parse_value)
    assert doc.path == str(path) and len(doc.projects) == 9


@pytest.mark.parametrize("data,expected", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "Workbook".encode("utf-16-le"), "legacy .xls is not supported"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"), "password-protected"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "unrecognised OLE2"),
    (b"%PDF-1.7\n" + b"garbage" * 100, "damaged or unreadable PDF"),
    (b"{\\rtf1\\ansi hello}", "RTF is not supported"),
    (b"PK\x03\x04" + b"\0" * 100, "not a valid ZIP package"),
    (b"\x00\x01\x02\x03binary\x00" * 50, "not a valid Word (.docx) file"),
])
def test_other_broken_kinds(tmp_path, data, expected):
    path = tmp_path / "draft.docx"
    path.write_bytes(data)
    assert expected in error_of(path).message


def test_binary_named_txt(tmp_path):
    path = tmp_path / "draft.txt"
    path.write_bytes(b"\x00\x01\x02\x03binary\x00" * 50)
    assert "looks like a binary file" in error_of(path).message


def test_zip_that_is_not_an_office_document(tmp_path):
    path = tmp_path / "drafts.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert "a ZIP archive, not a .docx/.xlsx" in error_of(path).message


def test_folder_and_fifo_are_not_files(tmp_path):
    assert error_of(tmp_path).message == "是目录，不是文件 / is a directory"
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "not a regular file" in error_of(fifo).message  # and it does not block


def test_scanned_pdf_without_text(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    assert "no text layer" in error_of(path).message


def test_damaged_part_inside_a_valid_zip(tmp_path):
    path = repack(FORMATS / "edge_merged.docx", tmp_path / "bad.docx", replace={"word/document.xml": "<w:document"})
    error = error_of(path)
    assert error.message.startswith("word/document.xml: 第1行第")
    assert "XML 格式错误 / malformed XML at line 1" in error.message
    assert error.loc.ref == "word/document.xml"


def test_package_a_library_cannot_read(tmp_path):
    """Well-formed XML that python-docx still cannot use: a readable message naming the format."""
    path = repack(FORMATS / "edge_merged.docx", tmp_path / "odd.docx",
                  replace={"[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'})
    error = error_of(path)
    assert "cannot parse this" in error.message or "Word" in error.message
