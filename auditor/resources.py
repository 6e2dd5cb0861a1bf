"""Where the project's data folders live: ``grammar/``, ``rules/``, ``reports/``, ``layouts/``.

In a checkout (and an editable install) they sit beside the package; a built wheel carries a
copy inside the package as ``auditor/_data/`` (see ``setup.py``).
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
