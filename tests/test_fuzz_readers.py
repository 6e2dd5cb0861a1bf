"""Fuzzing the readers and the value grammar (hypothesis): whatever the bytes, reading gives a
``Document`` or a ``ReadError`` — never another exception — and parsing a 指标值 gives a value."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.model import Document, IndicatorValue
from auditor.readers import ReadError, read_document
from auditor.readers.assemble import assemble
from auditor.readers.text import lex_text
from auditor.values import parse_value
from tests.conftest import ROOT

FORMATS = ROOT / "tests" / "fixtures" / "formats"
SUFFIXES = [".txt", ".docx", ".xlsx", ".pdf", ""]
MUTATED = ["edge_merged.docx", "edge_merged.xlsx", "edge_nested_table.docx", "edge_split_table.pdf", "004_gbk.txt"]
FUZZ = settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
HEADS = [b"", b"PK\x03\x04", b"%PDF-1.4\n", b"\xef\xbb\xbf", b"\xff\xfe", b"{\\rtf1"]


@pytest.fixture(autouse=True)
def no_libreoffice(monkeypatch):
    """A fuzzed OLE2 file must not start a 3-second conversion each time."""
    from auditor.readers import legacy

    monkeypatch.setattr(legacy, "find_soffice", lambda: None)


def outcome(data: bytes, suffix: str) -> Document | ReadError:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            doc = read_document(path, parse_value)
        except ReadError as error:
            assert error.message and str(path) in str(error)
            assert "Traceback" not in error.message
            return error
        assert isinstance(doc, Document)
        return doc


@FUZZ
@given(head=st.sampled_from(HEADS), body=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(head, body, suffix):
    outcome(head + body, suffix)


@FUZZ
@given(
    name=st.sampled_from(MUTATED),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.integers(1, 255)), max_size=8),
)
def test_mutated_fixtures(name, cut, flips):
    data = bytearray((FORMATS / name).read_bytes())
    for where, xor in flips:
        data[int(where * (len(data) - 1))] ^= xor
    if cut < 0.9:  # truncated
        data = data[: int(len(data) * cut / 0.9)]
    outcome(bytes(data), Path(name).suffix)


def _package_with(part: str, content: bytes, source: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(FORMATS / source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in src.infolist():
            target.writestr(info.filename, content if info.filename == part else src.read(info.filename))
    return out.getvalue()


XML_PIECES = st.sampled_from([
    "<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>", "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>",
    "<w:tc>", "</w:tc>", '<w:fldChar w:fldCharType="begin"/>', '<w:fldChar w:fldCharType="separate"/>',
    '<w:fldChar w:fldCharType="end"/>', "<w:instrText> TC \"x\" \\f C \\l 1 </w:instrText>",
    "<w:tcPr><w:vMerge/></w:tcPr>", '<w:tcPr><w:gridSpan w:val="3"/></w:tcPr>', "<w:tab/>", "<w:br/>",
    "项目编码", "预算规模及资金用途", "一级指标", "指标值", "≥95%", "&amp;", "<w:sdt><w:sdtContent>",
    "</w:sdtContent></w:sdt>",
])


@FUZZ
@given(pieces=st.lists(XML_PIECES, max_size=60))
def test_fuzzed_document_xml(pieces):
    body = "".join(pieces)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f"<w:body>{body}</w:body></w:document>").encode()
    outcome(_package_with("word/document.xml", xml, "edge_merged.docx"), ".docx")


@FUZZ
@given(cells=st.lists(st.tuples(st.integers(1, 30), st.integers(1, 8), st.text(max_size=20)), max_size=40))
def test_fuzzed_sheet(cells):
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    workbook = Workbook()
    sheet = workbook.active
    thin = Side(style="thin")
    for row, column, text in cells:
        cell = sheet.cell(row, column)
        cell.value = "".join(ch for ch in text if ch.isprintable()) or None
        if (row + column) % 3:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if len(cells) > 2:
        r, c, _ = cells[0]
        sheet.merge_cells(start_row=r, start_column=c, end_row=r + 2, end_column=c + 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome(buffer.getvalue(), ".xlsx")


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=200))
def test_text_stream_always_assembles(text):
    doc = assemble(lex_text(text), "fuzz.txt", "text", parse_value)
    assert isinstance(doc, Document)


VALUE_ALPHABET = st.sampled_from(list("0123456789.%≥≤><=＞＜＝≧≦年月日底末前内个人次万元台件天小时，。；-+ 百分比以上不低于（）()abc"))


@settings(deadline=None, max_examples=500)
@given(st.one_of(st.text(max_size=40), st.text(VALUE_ALPHABET, max_size=30)))
def test_value_grammar_never_raises(raw):
    value = parse_value(raw)
    assert isinstance(value, IndicatorValue)
    assert value.kind in ("quantity", "date", "text", "empty", "unparsed", "not_applicable")


def test_cli_on_a_folder_of_mutated_files_never_shows_a_traceback(tmp_path):
    from auditor.cli import main

    for n, name in enumerate(MUTATED):
        data = (FORMATS / name).read_bytes()
        (tmp_path / f"cut{n}{Path(name).suffix}").write_bytes(data[: len(data) // 3])
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(tmp_path), "--format", "json"], out, err)
    assert code == 2
    assert "Traceback" not in err.getvalue()
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    assert len(lines) >= 4 and all(str(tmp_path) in line for line in lines)
