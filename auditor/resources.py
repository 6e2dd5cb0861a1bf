"""Where the project's data folders live: ``grammar/``, ``rules/``, ``reports/``, ``layouts/``.

In a checkout (and an editable install) they sit beside the package; a built wheel carries a
copy inside the package as ``auditor/_data/<folder>`` (``pyproject.toml`` maps the folders there).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
PACKAGED_DATA = PACKAGE_DIR / "_data"


def resource_path(*parts: str) -> Path:
    """Path of a file or folder of the data folders, e.g. ``resource_path("grammar", "x.lark")``."""
    base = PACKAGED_DATA if PACKAGED_DATA.is_dir() else PROJECT_ROOT
    return base.joinpath(*parts)


REQUIRED = (
    ("grammar", "indicator_value.lark"),
    ("grammar", "expression.lark"),
    ("rules", "core.yaml"),
    ("rules", "schema.json"),
    ("layouts", "schema.json"),
    ("reports", "report.html.j2"),
)


def missing_resources() -> list[str]:
    """The data files the product cannot run without that are not where it looks: a broken or
    partial installation (a wheel built without its data), never the user's input."""
    return ["/".join(parts) for parts in REQUIRED if not resource_path(*parts).is_file()]
