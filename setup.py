"""Build step that pyproject.toml cannot express: the wheel carries this repository's project.

`coopreport new` copies the notebooks, the Quarto project, the vocabularies and (with
--with-sample-data) the curated data of this repository into a new project. Those files live
once, at the top of the repository (data/, params/, notebooks/, reports/), where the project
uses them; this step copies them into the built package as analysis/assets/sample_project/, so
an installed wheel has them (MANIFEST.in puts them in the sdist the wheel may be built from).
An editable install skips the copy: it reads the checkout itself. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PROJECT_FOLDERS = ("data", "params", "notebooks", "reports")  # as analysis.core.paths names them
SAMPLE = Path("analysis", "assets", "sample_project")  # analysis.core.paths.SAMPLE_PROJECT_DIR
# built output, caches and editors' files are never part of the sample
SKIPPED = shutil.ignore_patterns("_output", "_build", ".*", "cache", "__pycache__", "*.pyc")


class BuildPyWithSampleProject(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / SAMPLE
        shutil.rmtree(target, ignore_errors=True)
        for folder in PROJECT_FOLDERS:
            if not (HERE / folder).is_dir():
                raise SystemExit(f"setup.py: {HERE / folder} is missing; build from the "
                                 "repository or its sdist (MANIFEST.in lists the folders)")
            shutil.copytree(HERE / folder, target / folder, ignore=SKIPPED)


setup(cmdclass={"build_py": BuildPyWithSampleProject})
