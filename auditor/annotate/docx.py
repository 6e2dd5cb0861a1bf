"""Comments in a copy of a Word draft (python-docx ``Document.add_comment``).

A finding's ref is resolved with the reader's own walk of the body (``auditor.readers.docx``), so
``段落 N`` and ``表格 T 第R行第C列`` name here exactly what they named when the draft was read:
paragraphs with text only, top-level tables (a nested table is part of its outer cell), rows
counted as they stand, cells counted in the row without Word 97 ``hMerge`` continuations.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.annotate import Annotated, AnnotateError, AnnotateOptions, placed
from auditor.atomic import atomic_output
from auditor.findings import Finding
from auditor.readers.docx import BodyWalker, P, W, element_content, placed_cells, table_rows
from auditor.ziparchive import write_fixed

PARAGRAPH_REF = re.compile(r"^段落 (\d+)$")
CELL_REF = re.compile(r"^表格 (\d+) 第(\d+)行第(\d+)列$")


@dataclass
class _Locator(BodyWalker):
    """The reader's walk, remembering the elements its numbers stand for."""

    paragraph_elements: list = field(default_factory=list)
    table_elements: dict = field(default_factory=dict)

    def paragraph(self, element) -> None:
        before = self.paragraphs
        super().paragraph(element)
        if self.paragraphs > before:
            self.paragraph_elements.append(element)

    def table(self, element, number: int) -> None:
        self.table_elements[number] = element
        super().table(element, number)


def locate(locator: _Locator, ref: str):
    """The ``w:p`` or ``w:tc`` a ref names, or None."""
    match = PARAGRAPH_REF.match(ref)
    if match:
        n = int(match.group(1))
        return locator.paragraph_elements[n - 1] if 1 <= n <= len(locator.paragraph_elements) else None
    match = CELL_REF.match(ref)
    if not match:
        return None
    t, r, c = (int(g) for g in match.groups())
    table = locator.table_elements.get(t)
    if table is None:
        return None
    rows = list(table_rows(table))
    if not 1 <= r <= len(rows):
        return None
    cells = placed_cells(rows[r - 1])
    return cells[c - 1][0] if 1 <= c <= len(cells) else None


def anchor_runs(element, document) -> list:
    """The runs a comment on a paragraph or cell spans: the element's paragraphs' runs (in a
    cell whose own paragraphs have none, those of the first nested paragraph that has some);
    an element with no run at all is given an empty one to anchor on."""
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    own = [element] if element.tag == P else [child for child in element_content(element) if child.tag == P]
    candidates = [(p, p.findall(W + "r")) for p in own]
    runs = [(p, r) for p, found in candidates for r in found]
    if not runs:
        nested = next((p for p in element.iter(P) if p.find(W + "r") is not None), None)
        if nested is not None:
            runs = [(nested, r) for r in nested.findall(W + "r")]
    if not runs:
        paragraph = own[0] if own else next(element.iter(P), None)
        if paragraph is None:  # a cell without a paragraph (not valid Word): give it one
            paragraph = element.makeelement(P, {})
            element.append(paragraph)
        return [Paragraph(paragraph, document).add_run()]
    return [Run(r, Paragraph(p, document)) for p, r in (runs[0], runs[-1])]


def document_start(locator: _Locator, document):
    """Where comments about the whole draft go: its first paragraph with text."""
    if locator.paragraph_elements:
        return locator.paragraph_elements[0]
    first = next(document.element.body.iter(P), None)
    return first if first is not None else document.add_paragraph()._p


def open_document(source: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(source))
    except (PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile, SyntaxError) as error:  # lxml's XMLSyntaxError is a SyntaxError
        raise AnnotateError(f"python-docx 无法打开此文件（{error}）/ python-docx cannot open it ({error})") from None


def annotate_docx(source: Path, target: Path, findings: Sequence[Finding], options: AnnotateOptions) -> Annotated:
    document = open_document(source)
    locator = _Locator()
    locator.body(document.element.body)
    result = Annotated()
    places: set = set()  # the cells and paragraphs commented (lxml proxies stay the same while held)
    for _, element, text in placed(findings, lambda ref: locate(locator, ref), lambda: document_start(locator, document),
                                   options, result, ("文件中没有这个位置", "no such place in the file")):
        comment = document.add_comment(anchor_runs(element, document), text, author=options.author, initials=options.initials)
        if options.date is not None:  # python-docx dates a comment "now"; a reproducible run fixes it
            comment._comment_elm.date = options.date
        result.comments += 1
        places.add(element)
    result.places = len(places)
    with atomic_output(target, binary=True) as handle:
        write_fixed(document.save, handle)
    return result
