"""``--jobs``: a pool of worker processes gives the same bytes as one process, for every format."""

from __future__ import annotations

import io
import shutil

from auditor.cli import main
from tests.conftest import DRAFT_FILES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_jobs_give_identical_reports(tmp_path):
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    for key, path in DRAFT_FILES.items():
        shutil.copy(path, drafts / f"{key}.txt")
    (drafts / "broken.txt").write_bytes(b"\x80\x81\xfe\xff\x00\x01 binary \x00" * 4)
    outputs = {}
    for jobs in ("1", "2"):
        folder = tmp_path / f"j{jobs}"
        code, out, err = run(
            "check", str(drafts), "-j", jobs, "--format", "json",
            "--html", str(folder / "r.html"), "--sarif", str(folder / "r.sarif"),
            "--junit", str(folder / "r.xml"), "--today", "2026-11-25",
        )
        assert code == 2  # one input could not be read
        assert "broken.txt" in err
        outputs[jobs] = (out, *((folder / name).read_bytes() for name in ("r.html", "r.sarif", "r.xml")))
    assert outputs["1"] == outputs["2"]
    assert '"path":"' + str(drafts / "004.txt") + '"' in outputs["1"][0]


def test_spawned_workers_build_the_same_rules(tmp_path, monkeypatch):
    """Where workers cannot be forked (Windows) they build their engine from the run's options;
    a rule switched off stays off there too."""
    import auditor.pipeline

    files = [str(DRAFT_FILES[key]) for key in ("000", "003", "004")]
    options = ("--format", "json", "--ignore", "typo,goal-duplicate", "--fail-on", "never")
    _, one, _ = run("check", *files, "-j", "1", *options)
    monkeypatch.setattr(auditor.pipeline, "start_method", lambda: "spawn")
    _, spawned, _ = run("check", *files, "-j", "2", *options)
    assert spawned == one
    _, unfiltered, _ = run("check", *files, "-j", "1", "--format", "json", "--fail-on", "never")
    assert '"rule":"typo"' in unfiltered and '"rule":"typo"' not in one and '"rule":"description-copy"' in one


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    _, _, err = run("check", str(DRAFT_FILES["004"]), str(DRAFT_FILES["000"]), "-j", "1")
    assert "审核 / auditing" not in err and "\r" not in err


def test_progress_advances_per_draft_with_workers(tmp_path):
    from auditor.engine import Engine
    from auditor.inputs import collect_inputs
    from auditor.pipeline import EngineSpec, audit_files
    from auditor.rules import load_rules

    folder = tmp_path / "drafts"
    folder.mkdir()
    for n in range(6):
        shutil.copy(DRAFT_FILES["000"], folder / f"d{n}.txt")
    files, problems = collect_inputs([str(folder)])
    steps: list[int] = []
    seen = []
    for outcome in audit_files(files, problems, Engine.from_ruleset(load_rules()), EngineSpec(), 2, steps.append):
        seen.append(len(steps))
    assert steps == [1] * 6  # one step per draft, as they arrive
    assert seen == [0, 1, 2, 3, 4, 5]  # each step follows its draft


def test_default_jobs_keep_to_a_containers_cpu_quota(tmp_path):
    from auditor.pipeline import cgroup_cpu_quota, default_jobs

    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")
    assert cgroup_cpu_quota(v2) == 2  # 1.5 CPUs: two workers
    assert default_jobs(v2) <= 2
    (v2 / "cpu.max").write_text("max 100000\n")
    assert cgroup_cpu_quota(v2) is None
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_quota(v1) == 1 and default_jobs(v1) == 1
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_cpu_quota(v1) is None
    assert cgroup_cpu_quota(tmp_path / "none") is None
