"""The index of the ``copies`` check: projects by row key, kept in a temporary SQLite file."""

from __future__ import annotations

from auditor.checks.copies import _print, _boilerplate
from auditor.checks.copy_index import POSTING_CAP, CopyIndex


def prints_of(doc):
    return [_print(doc, p, _boilerplate(doc.projects, 0.5)) for p in doc.projects if p.indicators]


def test_stored_projects_come_back_as_they_were(drafts):
    index = CopyIndex()
    items = prints_of(drafts["003"])
    for item in items:
        index.add(item)
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
        index.add(item)
    air = next(i for i in items if "省级大气污染防治" in i.name)
    rows = index.shared(air)
    shared = {number: n for number, _, _, n in rows}
    ids = {n: i for n, i in enumerate(items, start=1)}
    assert max(shared.values()) == air.row_count
    central = next(n for n, i in ids.items() if "中央大气污染防治" in i.name)
    assert shared[central] == air.row_count  # the copy: every compared row
    assert {draft for _, draft, _, _ in rows} == {1}
    assert all(n >= 3 for *_, n in index.shared(air, 3)) and len(index.shared(air, 3)) < len(rows)
    index.close()


def test_shared_counts_a_row_once_when_value_and_description_both_match(drafts):
    index = CopyIndex()
    item = prints_of(drafts["004"])[0]
    index.add(item)
    assert index.shared(item) == [(1, 1, 1, item.row_count)]
    index.close()


def test_a_row_in_too_many_projects_stops_counting(drafts):
    index = CopyIndex()
    item = prints_of(drafts["004"])[0]
    for _ in range(POSTING_CAP):
        index.add(item)
    assert len(index.shared(item)) == POSTING_CAP
    assert not any(index.is_template(key) for key in item.keys)
    for _ in range(5):
        index.add(item)
    assert all(index.is_template(key) for key in item.keys)  # template rows now
    assert index.shared(item) == []  # they say nothing any more
    assert index.db.execute("SELECT count(*) FROM postings").fetchone() == (0,)  # and are forgotten
    assert not index.is_template(1)
    index.close()


def test_the_index_lives_on_disk_beyond_its_page_cache(drafts, tmp_path, monkeypatch):
    """The index is a database file of its own, not a temporary database (which temp_store=
    MEMORY would keep wholly in memory: a province's run would grow with every draft); no file
    is left behind."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    index = CopyIndex()
    (_, name, file), = index.db.execute("PRAGMA database_list").fetchall()[:1]
    assert name == "main" and file  # "" for a temporary database
    cache = index.db.execute("PRAGMA cache_size").fetchone()[0]
    assert cache < 0 and -cache <= 8192  # KiB, bounded
    index.add(prints_of(drafts["004"])[0])
    index.close()
    assert list(tmp_path.iterdir()) == []


def test_values_come_back_as_written_whatever_they_hold(drafts):
    """The index keeps each row's 指标值 as written: an empty value, and a value holding the
    character an earlier format used to join them (a control character a text export can carry)."""
    from dataclasses import replace

    item = prints_of(drafts["004"])[0]
    one_empty = replace(item, level3=item.level3[:1], values=("",))
    odd = replace(item, values=("≥95\x1f%", *item.values[1:]))
    index = CopyIndex()
    index.add(one_empty)
    index.add(odd)
    assert [stored.values for stored in index.fetch([1, 2])] == [("",), odd.values]
    index.close()
