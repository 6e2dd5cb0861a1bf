"""``budget-audit parse`` and ``values`` on the bundled drafts, through the real entry point."""

from __future__ import annotations

import io
import json
import os

from auditor.cli import main
from tests.conftest import DRAFT_FILES, SAMPLES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_parse_json_has_the_published_keys():
    code, out, err = run("parse", str(DRAFT_FILES["004"]), "--format", "json")
    assert code == 0 and err == ""
    (doc,) = json.loads(out)
    assert {"path", "year", "department", "projects"} <= doc.keys()
    project = doc["projects"][5]
    assert {"index", "code", "name", "budget", "spending_plan", "goals", "indicators"} <= project.keys()
    assert project["budget"]["total"] == 126.61 and project["budget"]["other"] is None
    assert project["spending_plan"]["unit"] == "%"
    assert [p["label"] for p in project["spending_plan"]["points"]] == ["3月底", "6月底", "10月底", "12月底"]
    assert [p["value"] for p in project["spending_plan"]["points"]] == [25, 45, 80, 100]
    indicator = project["indicators"][1]
    assert {"level1", "level2", "level3", "description", "value", "basis", "line"} <= indicator.keys()
    assert indicator["value"] == {
        "raw": "≤126.61万元",
        "kind": "quantity",
        "op": "≤",
        "number": 126.61,
        "unit": "万元",
        "unit_raw": "万元",
        "tail": None,
        "date": None,
    }
    assert indicator["line"] == 799


def test_parse_json_is_deterministic():
    first = run("parse", str(SAMPLES), "--format", "json")[1]
    second = run("parse", str(SAMPLES), "--format", "json")[1]
    assert first == second
    assert [d["path"] for d in json.loads(first)] == [str(SAMPLES / p.name) for p in sorted(SAMPLES.glob("*.txt"))]


def test_parse_table_lists_every_draft():
    code, out, _ = run("parse", str(SAMPLES))
    assert code == 0
    for path in DRAFT_FILES.values():
        assert path.name in out
    assert "126.61" in out  # the budget as written, not re-formatted
    assert "21.90" in out


def test_unreadable_input_is_reported_and_the_run_goes_on(tmp_path):
    bad = tmp_path / "坏 文件.txt"
    bad.write_bytes(b"\x80\x81\xfe\xff\x00\x01 binary \x00" * 4)
    code, out, err = run("parse", str(bad), str(DRAFT_FILES["000"]), str(tmp_path / "missing.txt"), "--format", "json")
    assert code == 2
    docs = json.loads(out)
    assert [d["department_code"] for d in docs] == ["441002"]
    lines = err.strip().split("\n")
    assert len(lines) == 2
    assert "坏 文件.txt" in err and "UTF-8" in err
    assert "missing.txt" in err
    assert "Traceback" not in err


def test_folder_with_a_symlink_loop(tmp_path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "a.txt").write_bytes(DRAFT_FILES["004"].read_bytes())
    os.symlink(tmp_path / "drafts", tmp_path / "drafts" / "loop")
    code, out, err = run("parse", str(tmp_path / "drafts"), "--format", "json")
    assert code == 2
    assert len(json.loads(out)) == 1
    assert "symlink loop" in err


def test_values_lists_each_distinct_value_once():
    code, out, _ = run("values", str(DRAFT_FILES["002"]))
    assert code == 0
    rows = [line for line in out.split("\n")[2:] if line.strip()]
    firsts = [row.split()[0] for row in rows]
    assert len(firsts) == len(set(firsts))
    row = next(r for r in rows if r.startswith("≥95%"))
    assert row.split()[1:5] == ["quantity", "≥", "95", "%"]
    assert row.split()[-1] == "32"  # ≥95% stands in 32 value cells of 002 (grep -c)


def test_version():
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["--version"])
        except SystemExit as exit_:
            assert exit_.code == 0
    assert out.getvalue().startswith("budget-audit ")
