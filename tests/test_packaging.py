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


def test_build_carries_grammars_rules_and_templates(tmp_path):
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )
    data = tmp_path / "auditor" / "_data"
    assert (data / "grammar" / "indicator_value.lark").is_file()
    assert (data / "rules" / "core.yaml").is_file() and (data / "rules" / "schema.json").is_file()
    assert (data / "reports").is_dir()
    probe = "from auditor.rules import load_rules; from auditor.resources import resource_path; " \
            "print(len(load_rules().rules), resource_path('rules'))"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout
    count, where = out.split()
    assert int(count) >= 19 and where == str(data / "rules")


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
