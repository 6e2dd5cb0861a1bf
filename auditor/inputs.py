"""Turn the paths given on the command line into the list of drafts to read.

Folders are walked recursively in a stable order; symlink loops and unreadable folders are
reported, not followed; hidden files, Office lock files (``~$…``) and files of other types inside
folders are skipped. A file named explicitly is always read (its reader decides whether it can).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DRAFT_SUFFIXES = (".txt", ".docx", ".xlsx", ".pdf", ".doc", ".csv", ".tsv")


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    shown: str  # the path as the user will see it in output
    companions: tuple[Path, ...] = ()  # files read with this one as its other tables


@dataclass(frozen=True, slots=True)
class InputProblem:
    shown: str
    message: str


def collect_inputs(args: list[str], suffixes: tuple[str, ...] = DRAFT_SUFFIXES) -> tuple[list[InputFile], list[InputProblem]]:
    """Files to read, in a deterministic order, and the problems met while finding them."""
    files: list[InputFile] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            _walk(path, arg, suffixes, files, problems, seen, set())
        elif path.exists() or path.is_symlink():
            _add(path, arg, files, seen)
        else:
            problems.append(InputProblem(arg, "文件不存在 / no such file or directory"))
    return files, problems


def _add(path: Path, shown: str, files: list[InputFile], seen: set[Path]) -> None:
    try:
        key = path.resolve()
    except (OSError, RuntimeError):
        key = path.absolute()
    if key not in seen:
        seen.add(key)
        files.append(InputFile(path, shown))


def _walk(
    folder: Path,
    shown: str,
    suffixes: tuple[str, ...],
    files: list[InputFile],
    problems: list[InputProblem],
    seen: set[Path],
    ancestors: set[Path],
) -> None:
    try:
        real = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(InputProblem(shown, "无法解析的链接 / broken or looping link"))
        return
    if real in ancestors:
        problems.append(InputProblem(shown, "符号链接循环，已跳过 / symlink loop, skipped"))
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        problems.append(InputProblem(shown, f"无法读取目录 / cannot list folder: {error.strerror or error}"))
        return
    for entry in entries:
        if entry.name.startswith((".", "~$")):
            continue
        child = Path(entry.path)
        child_shown = os.path.join(shown, entry.name)
        if child.is_dir():
            _walk(child, child_shown, suffixes, files, problems, seen, ancestors | {real})
        elif entry.name.lower().endswith(suffixes):
            _add(child, child_shown, files, seen)


def with_companions(files: list[InputFile], pairs: dict[Path, tuple[Path, ...]]) -> list[InputFile]:
    """The files with each one's companion tables attached (``pairs``: path → companions), the
    companions themselves no longer read on their own."""
    absorbed = {companion for companions in pairs.values() for companion in companions}
    return [
        InputFile(item.path, item.shown, pairs.get(item.path, ())) for item in files if item.path not in absorbed
    ]
