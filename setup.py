"""Packaging hook: the product keeps its grammars, rule sets and report templates in top-level
folders (grammar/, rules/, reports/); a built wheel carries them inside the package as
auditor/_data/, where auditor.resources finds them when the package is installed normally."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_DIRS = ("grammar", "rules", "reports", "layouts")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for name in DATA_DIRS:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, Path(self.build_lib) / "auditor" / "_data" / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithData})
