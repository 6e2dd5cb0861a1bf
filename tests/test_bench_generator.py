"""The benchmark corpus generator (bench.generate) and recall measurement (bench.recall)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

import bench.generate as gen
from auditor.engine import Engine
from auditor.readers import read_document
from auditor.rules import load_rules
from auditor.values import parse_value
from bench.recall import field_under, format_table, measure_recall

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
N = 30
SEED = 5


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_ruleset(load_rules())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench")
    gen.generate(N, out, seed=SEED, jobs=1)
    return out, json.loads((out / gen.MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def audited(corpus: tuple[Path, dict], engine: Engine) -> dict[str, tuple]:
    """Each draft's document and findings, by file."""
    out, manifest = corpus
    result = {}
    for entry in manifest["drafts"]:
        doc = read_document(out / entry["file"], parse_value)
        result[entry["file"]] = (doc, engine.audit(doc).findings)
    return result


@pytest.fixture(scope="module")
def sample_findings(engine: Engine) -> dict[tuple[str, int], set[tuple[str, str]]]:
    """(rule, field) of every finding in each sample project table."""
    found: dict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
    for path in sorted(SAMPLES.glob("*.txt")):
        for f in engine.audit(read_document(path, parse_value)).findings:
            if f.project is not None:
                found[(path.name, f.project.index)].add((f.rule, f.field))
    return found


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    gen.generate(8, tmp_path / "a", seed=3, jobs=1)
    gen.generate(8, tmp_path / "b", seed=3, jobs=1)
    gen.generate(8, tmp_path / "c", seed=4, jobs=1)
    gen.generate(5, tmp_path / "d", seed=3, jobs=1)
    a, b, c, d = (_files(tmp_path / x) for x in "abcd")
    assert a == b
    assert len(a) == 9  # 8 drafts + manifest
    drafts = [name for name in a if name != gen.MANIFEST]
    assert all(a[name] != c[name] for name in drafts)
    assert all(d[name] == a[name] for name in d if name != gen.MANIFEST)  # draft i does not depend on N


def test_worker_processes_write_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen, "PARALLEL_CHUNK", 3)
    gen.generate(10, tmp_path / "serial", seed=9, jobs=1)
    gen.generate(10, tmp_path / "parallel", seed=9, jobs=2)
    assert _files(tmp_path / "serial") == _files(tmp_path / "parallel")


def test_drafts_parse_as_generated(corpus: tuple[Path, dict], audited: dict[str, tuple]) -> None:
    _, manifest = corpus
    assert manifest["n"] == N and len(manifest["drafts"]) == N
    shapes = {entry["part_one"] for entry in manifest["drafts"]}
    sources = {p["source"] for entry in manifest["drafts"] for p in entry["projects"]}
    assert len(shapes) == 5 and len(sources) == 5  # part ones and tables from every sample
    for entry in manifest["drafts"]:
        doc, _ = audited[entry["file"]]
        assert gen.MIN_TABLES <= len(entry["projects"]) <= gen.MAX_TABLES
        assert len(doc.projects) == len(entry["projects"]), entry["file"]
        assert doc.year == entry["doc_year"], entry["file"]
        broken = {d["project"] for d in entry["defects"] if d["rule"] == "budget-sum"}
        for project in doc.projects:
            assert project.heading.startswith(f"{project.index}"), project.heading
            budget = project.budget
            if budget is None or budget.total.value is None or project.index in broken:
                continue
            assert budget.total.value == budget.fiscal.value + (budget.other.value or 0), (entry["file"], project.index)


def test_tables_vary(corpus: tuple[Path, dict], audited: dict[str, tuple]) -> None:
    _, manifest = corpus
    samples = {p.name: read_document(p, parse_value) for p in SAMPLES.glob("*.txt")}
    budgets = codes = 0
    for entry in manifest["drafts"]:
        doc, _ = audited[entry["file"]]
        for project, source in zip(doc.projects, entry["projects"]):
            original = samples[source["source"]].projects[source["source_index"] - 1]
            if original.budget is not None and original.budget.total.value is not None:
                budgets += project.budget.total.value != original.budget.total.value
            if original.code:
                codes += project.code != original.code
    assert budgets > 0 and codes > 0
    assert len({entry["year"] for entry in manifest["drafts"]}) > 3


def test_every_injected_defect_is_found(corpus: tuple[Path, dict]) -> None:
    out, manifest = corpus
    report = measure_recall(out)
    assert report["structure"] == []
    assert report["missed"] == [], format_table(report)
    assert report["overall"]["recall"] == 1.0
    assert set(report["rules"]) == set(gen.DEFECTS)  # every kind is injected in this corpus
    assert report["overall"]["injected"] == sum(len(e["defects"]) for e in manifest["drafts"])


def test_injected_defects_are_new(corpus: tuple[Path, dict], sample_findings: dict) -> None:
    """No label sits where the source table already had that finding: recall is not free."""
    _, manifest = corpus
    for entry in manifest["drafts"]:
        for label in entry["defects"]:
            source = entry["projects"][label["project"] - 1]
            assert source["injected"] == label["rule"]
            before = sample_findings[(source["source"], source["source_index"])]
            assert not any(r == label["rule"] and field_under(f, label["field"]) for r, f in before), label


def test_clean_tables_add_no_findings_of_injected_kinds(
    corpus: tuple[Path, dict], audited: dict[str, tuple], sample_findings: dict
) -> None:
    _, manifest = corpus
    kinds = set(gen.DEFECTS)
    checked = 0
    for entry in manifest["drafts"]:
        _, findings = audited[entry["file"]]
        by_project: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for f in findings:
            if f.project is not None and f.rule in kinds:
                by_project[f.project.index].add((f.rule, f.field))
        for source in entry["projects"]:
            if source["injected"] is not None:
                continue
            before = sample_findings[(source["source"], source["source_index"])]
            assert by_project[source["index"]] <= before, (entry["file"], source)
            checked += 1
    assert checked > 100


def test_label_field_matching() -> None:
    assert field_under("indicators[3].value", "indicators[3].value")
    assert field_under("indicators[3].value", "indicators[3]")
    assert field_under("goals[2]", "goals")
    assert field_under("spending_plan.points[3]", "spending_plan")
    assert not field_under("indicators[10].value", "indicators[1]")
    assert not field_under("budget_total", "budget")


def test_year_shift_leaves_amounts_alone() -> None:
    assert gen.shift_years("2020年12月底，临机编[2014]13号，2020-2021取暖季", 3) == "2023年12月底，临机编[2017]13号，2023-2024取暖季"
    assert gen.shift_years("费用2022绩效目标表", -1) == "费用2021绩效目标表"
    assert gen.shift_years("2000万元，2010人，2000.00，3308.233094万元", 5) == "2000万元，2010人，2000.00，3308.233094万元"


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gen.main(["3", str(tmp_path), "--seed", "2", "--jobs", "1"]) == 0
    assert "3 drafts" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft_00000.txt", "draft_00001.txt", "draft_00002.txt", "manifest.json"]


def test_the_profile_shows_where_an_audit_spends_its_time(corpus: tuple[Path, dict]) -> None:
    """``make profile``'s sampled sections name the engine, the reader and the report writer,
    in a call tree without pyinstrument's banner or paths of this checkout."""
    from bench.profile import call_tree, sampled, top_functions
    from bench.run import ROOT

    out, manifest = corpus
    files = [out / entry["file"] for entry in manifest["drafts"]][:12]
    profile = sampled(files, list(load_rules().rules))
    tree = call_tree(profile)
    for function in ("stage_pass", "Engine.examine", "assemble", "JsonWriter.document"):
        assert function in tree
    assert "Recorded:" not in tree and str(ROOT) not in tree
    flat = top_functions(profile, 10).splitlines()
    assert len(flat) == 10 and any("Engine._run_scope  auditor/engine.py:" in line for line in flat)
    seconds = [float(line.split()[0]) for line in flat]
    assert seconds == sorted(seconds, reverse=True) and sum(seconds) < profile.last_session.root_frame().time
