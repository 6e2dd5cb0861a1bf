"""What ships beside the code: a wheel carries the data folders; the pre-commit hook and the CI
examples run commands the CLI really has."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from auditor.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_sdist_and_wheel_carry_the_data_and_run_without_the_checkout(tmp_path):
    """The release path: sdist → wheel built from the sdist → installed in a fresh virtual
    environment → ``python -m auditor`` audits a sample and writes its report. A wheel without the grammar,
    rules, layouts or templates would load no rules."""
    import json
    import tarfile
    import zipfile

    sdist_dir, wheel_dir, target = tmp_path / "sdist", tmp_path / "wheel", tmp_path / "venv"
    build = f"from setuptools import build_meta; print(build_meta.build_sdist({str(sdist_dir)!r}))"
    name = subprocess.run([sys.executable, "-c", build], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()[-1]
    sdist = sdist_dir / name
    with tarfile.open(sdist) as archive:
        members = {member.split("/", 1)[1] for member in archive.getnames() if "/" in member}
    assert {"grammar/indicator_value.lark", "rules/core.yaml", "layouts/project-form.yaml", "reports/report.js"} <= members
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheel_dir), str(sdist)], cwd=tmp_path, check=True, capture_output=True)
    (wheel,) = wheel_dir.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"auditor/_data/grammar/indicator_value.lark", "auditor/_data/rules/core.yaml", "auditor/__main__.py"} <= names
    # a fresh virtual environment, the wheel and its dependencies installed into it, run away
    # from the checkout
    import venv

    venv.EnvBuilder(with_pip=True).create(target)
    python = target / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", "install", str(wheel)],
                   cwd=tmp_path, check=True, capture_output=True)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    report, html = tmp_path / "r.json", tmp_path / "r.html"
    sample = ROOT / "samples" / "002_5c6f3b5fd23eb4e3.txt"
    run = subprocess.run(
        [str(python), "-m", "auditor", "check", str(sample), "--format", "json", "--output", str(report), "--html", str(html), "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert run.returncode == 1, run.stderr  # findings, not a broken install
    (document,) = json.loads(report.read_text(encoding="utf-8"))["documents"]
    assert len(document["findings"]) > 20
    assert "budget-audit" in html.read_text(encoding="utf-8")
    probe = "import auditor.resources as r; print(r.resource_path('rules'))"
    where = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert str(target) in where and where.endswith(os.path.join("auditor", "_data", "rules"))


def _check_command(words: list[str]) -> None:
    """Parse a `budget-audit …` command line with the real argument parser."""
    assert words[0] == "budget-audit"
    args = build_parser().parse_args(words[1:])
    assert args.command


def test_pre_commit_hook_runs_a_real_command():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "budget-audit" and hook["language"] == "python"
    _check_command(shlex.split(hook["entry"]) + ["draft.txt"])


def _budget_audit_commands(text: str) -> list[list[str]]:
    """Every `budget-audit …` command line in a CI file (folded YAML strings included)."""

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
        elif isinstance(node, str) and node.strip().startswith("budget-audit "):
            yield shlex.split(node)

    return list(walk(yaml.safe_load(text)))


def test_ci_examples_run_real_commands():
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        commands = _budget_audit_commands((ROOT / "examples" / "ci" / name).read_text(encoding="utf-8"))
        assert commands, name
        for words in commands:
            _check_command(words)
            assert "--baseline" in words and "--junit" in words


def test_an_incomplete_installation_is_a_tool_error_not_a_missing_input(tmp_path, monkeypatch):
    import io

    import auditor.resources as resources
    from auditor.cli import main

    monkeypatch.setattr(resources, "PROJECT_ROOT", tmp_path)  # data folders nowhere
    monkeypatch.setattr(resources, "PACKAGED_DATA", tmp_path / "_data")
    err = io.StringIO()
    assert main(["rules", "list"], io.StringIO(), err) == 2
    assert "安装不完整" in err.getvalue() and "grammar/indicator_value.lark" in err.getvalue()


def test_an_internal_error_exits_2_and_asks_to_be_reported(monkeypatch):
    import io

    import auditor.cli as cli

    def broken(args, out, err):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "run_check", broken)
    err = io.StringIO()
    assert cli.main(["check", str(ROOT / "samples")], io.StringIO(), err) == 2
    assert "内部错误" in err.getvalue() and "report" in err.getvalue() and "Traceback" not in err.getvalue()


def test_help_lists_the_exit_codes():
    from auditor.cli import build_parser

    for words in ([], ["check"]):
        parser = build_parser()
        text = (parser if not words else parser._subparsers._group_actions[0].choices["check"]).format_help()
        assert "exit codes" in text and "internal error" in text and "  1  " in text


def test_a_console_that_cannot_write_a_character_gets_a_replacement_not_a_crash(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text((ROOT / "samples" / "002_5c6f3b5fd23eb4e3.txt").read_text(encoding="utf-8").replace("项目名称", "• 项目名称", 1),
                     encoding="utf-8")
    for encoding in ("gbk", "cp1252"):
        env = {**os.environ, "PYTHONIOENCODING": encoding}
        run = subprocess.run([sys.executable, "-m", "auditor", "check", str(draft), "--fail-on", "never"],
                             cwd=ROOT, env=env, capture_output=True)
        assert run.returncode == 0, (encoding, run.stderr.decode(encoding, "replace")[-300:])
        assert b"Traceback" not in run.stderr and len(run.stdout) > 1000


def test_the_readme_links_nothing_outside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](../" not in readme and "../shared" not in readme


def test_what_the_tests_import_the_test_extra_declares():
    """`pip install .[test]` then `pytest` must run the whole suite: every third-party module a
    test imports (directly, or through the bench modules it tests) is a dependency or in the test
    extra (pyinstrument was only in the bench extra)."""
    import ast
    import re

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=;\s\[]", spec, maxsplit=1)[0].lower().replace("-", "_")
                for spec in (*project["dependencies"], *project["optional-dependencies"]["test"])}
    import_names = {"yaml": "pyyaml", "docx": "python_docx", "charset_normalizer": "charset_normalizer"}
    third_party = {"hypothesis", "pyinstrument", "playwright", "junitparser", "jsonschema", "yaml", "docx", "openpyxl", "lark"}
    imported: set[str] = set()
    for path in [*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("bench").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    for name in sorted(imported & third_party):
        assert import_names.get(name, name) in declared, name
