"""`coopreport new` from a wheel installed NOT editable into a fresh venv: the package alone,
without this checkout, makes a project that validates and builds a report of its own rows.

In its own target, `make test-wheel` (CI runs it after `make test`), not in `make test`: it
takes 2 to 3 minutes (measured: 170 s with pip's cache warm, on 2 busy cores), since the sdist
and the wheel are built with `python -m build` and every dependency is installed from PyPI into
the new venv; and it needs the network to PyPI, like `make venv` (without it, it fails with
pip's message).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import make_row

REPOSITORY = Path(__file__).resolve().parents[2]
# what is not part of the sources a wheel is built from: at the top, and anywhere
TOP_SKIPPED = {".git", ".venv", "build", "dist", "tests", "benchmarks", "eval"}
SKIPPED = shutil.ignore_patterns("*.egg-info", "_output", "_build", ".quarto", "__pycache__",
                                 ".*_cache", ".hypothesis", ".ipynb_checkpoints")


def not_sources(folder: str, names: list[str]) -> set[str]:
    skipped = set(SKIPPED(folder, names))
    if Path(folder) == REPOSITORY:
        skipped |= TOP_SKIPPED & set(names)
    if Path(folder) == REPOSITORY / "data":
        skipped |= {"cache"} & set(names)
    return skipped


TITLES = ("Fixture seminar on wheel installs", "Fixture meeting on new projects")


def run(command, cwd, env, timeout=900):
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, (f"{command} exited {result.returncode}\n{result.stdout}\n"
                                    f"{result.stderr}")
    return result


@pytest.mark.slow
@pytest.mark.wheel
def test_new_validate_and_build_from_a_wheel_installed_not_editable(tmp_path):
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COOPREPORT_", "PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "JUPYTER_DATA_DIR": str(tmp_path / "jupyter"),
            "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config")}
    source = tmp_path / "source"  # the repository as its sdist is made from, never written
    shutil.copytree(REPOSITORY, source, ignore=not_sources)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path, env)
    python, coopreport = venv / "bin" / "python", venv / "bin" / "coopreport"
    run([python, "-m", "pip", "install", "--quiet", "build"], tmp_path, env)
    run([python, "-m", "build", "--outdir", tmp_path / "dist", source], tmp_path, env)
    wheel, = (tmp_path / "dist").glob("coopreport-*.whl")
    run([python, "-m", "pip", "install", "--quiet", wheel], tmp_path, env)
    installed = time.monotonic() - started

    where = run([python, "-c", "import analysis; print(analysis.__file__)"], tmp_path, env)
    assert Path(where.stdout.strip()).is_relative_to(venv)  # not this checkout
    for pth in venv.glob("lib/python*/site-packages/*.pth"):
        assert str(REPOSITORY) not in pth.read_text(encoding="utf-8"), pth

    run([coopreport, "new", "mine"], tmp_path, env)
    project = tmp_path / "mine"
    registry = project / "data" / "cooperation_events.csv"
    with registry.open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    with registry.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n", extrasaction="ignore")
        writer.writerow(make_row(activity_id="FIXTURE-1", date="2023-05-17", title=TITLES[0]))
        writer.writerow(make_row(activity_id="FIXTURE-2", date="2024-02-01", title=TITLES[1],
                                 activity_type="meeting"))
    checked = run([coopreport, "validate"], project, env)
    assert "data/cooperation_events.csv: OK, 2 activities" in checked.stdout
    run([coopreport, "build", "--all", "--renderer", "builtin", "--formats", "html"],
        project / "params", env)
    html = (project / "reports" / "_output" / "uzb-profile.html").read_text(encoding="utf-8")
    assert all(title in html for title in TITLES)
    print(f"wheel built and installed in {installed:.0f} s; all in "
          f"{time.monotonic() - started:.0f} s")
