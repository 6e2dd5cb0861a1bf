"""The index of the ``copies`` check: projects by row key, kept in a temporary SQLite file."""

from __future__ import annotations

from array import array

from auditor.checks.copies import _print, _boilerplate
from auditor.checks.copy_index import POSTING_CAP, CopyIndex


def prints_of(doc):
    return [_print(doc, p, _boilerplate(doc.projects, 0.5)) for p in doc.projects if p.indicators]


def test_stored_projects_come_back_as_they_were(drafts):
    index = CopyIndex()
    items = prints_of(drafts["003"])
    for item in items:
        index.add(item, item.keys, index.postings(item.keys))
    stored = list(index.fetch([3, 1]))
    assert [s.index for s in stored] == [items[2].index, items[0].index]
    first = stored[1]
    assert (first.name, first.code, first.budget, first.loc, first.row_count) == (
        items[0].name, items[0].code, items[0].budget, items[0].loc, items[0].row_count)
    assert first.goals == items[0].goals and first.level3 == items[0].level3 and first.values == items[0].values
    index.close()


def test_a_project_shares_its_rows_with_its_copies(drafts):
    index = CopyIndex()
    items = prints_of(drafts["003"])
    for item in items:
        index.add(item, item.keys, index.postings(item.keys))
    air = next(i for i in items if "省级大气污染防治" in i.name)
    shared = {number: n for (number, draft, _), n in index.matches(air.row_keys, index.postings(air.keys)).items()}
    ids = {n: i for n, i in enumerate(items, start=1)}
    assert max(shared.values()) == air.row_count
    central = next(n for n, i in ids.items() if "中央大气污染防治" in i.name)
    assert shared[central] == air.row_count  # the copy: every compared row
    assert {draft for (_, draft, _) in index.matches(air.row_keys, index.postings(air.keys))} == {1}


def test_a_row_in_too_many_projects_stops_counting(drafts):
    index = CopyIndex()
    item = prints_of(drafts["004"])[0]
    for _ in range(POSTING_CAP):
        index.add(item, item.keys, index.postings(item.keys))
    assert all(len(p) == POSTING_CAP for p in index.postings(item.keys).projects.values())
    for _ in range(5):
        index.add(item, item.keys, index.postings(item.keys))
    postings = index.postings(item.keys)
    assert postings.projects == {} and postings.templates == set(item.keys)  # template rows now
    assert index.matches(item.row_keys, postings) == {}  # they say nothing any more
    assert index.db.execute("SELECT count(*) FROM postings").fetchone() == (0,)  # and are forgotten
    unknown = index.postings(array("q", [1, 2]))
    assert unknown.projects == {} and unknown.templates == set()
    index.close()
