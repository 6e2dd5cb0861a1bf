"""Where the project's data directories live: ``grammar/``, ``rules/``, ``reports/``.

They sit beside the package in the checkout (the product's layout), so the package is installed
from the checkout (``pip install -e .``, as ``make`` does) and finds them relative to itself.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a file or directory under the project root, e.g. ``resource_path("grammar", "x.lark")``."""
    return PROJECT_ROOT.joinpath(*parts)
