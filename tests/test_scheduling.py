"""The scheduling recipe (docs/scheduling.md) holds together: the GitHub Actions workflow keeps
the output folder the build publishes into, installs from the lock and never puts the
notification secret on a command line; the systemd units are valid and run a command that
coopreport accepts."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from analysis.cli import build_parser
from analysis.core import paths

WORKFLOW = Path(".github/workflows/scheduled-reports.yml")
UNITS = Path("deploy/systemd")


def workflow_steps() -> list[dict[str, object]]:
    text = (paths.project_root() / WORKFLOW).read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key "on" as True
    return list(workflow["jobs"]["build"]["steps"])


def step(steps: list[dict[str, object]], uses: str) -> dict[str, object]:
    [found] = [s for s in steps if str(s.get("uses", "")).startswith(uses)]
    return found


def test_the_workflow_keeps_the_output_folder_between_runs():
    steps = workflow_steps()
    restore, save = step(steps, "actions/cache/restore@"), step(steps, "actions/cache/save@")
    default_output = paths.output_dir().relative_to(paths.project_root()).as_posix()
    restored, saved = restore["with"], save["with"]
    assert isinstance(restored, dict) and isinstance(saved, dict)
    assert restored["path"] == saved["path"] == default_output
    assert restored["key"] == saved["key"]
    assert str(restored["key"]).startswith(str(restored["restore-keys"]))  # newest restored
    assert save["if"] == "always()"
    names = [s.get("name") or s.get("uses") for s in steps]
    build = next(i for i, s in enumerate(steps) if "make report" in str(s.get("run", "")))
    assert names.index(restore.get("name")) < build < names.index(save.get("name"))


def test_the_workflow_installs_from_the_lock_and_keeps_the_secret_off_command_lines():
    steps = workflow_steps()
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    assert "--require-hashes -r requirements.lock" in runs
    assert "secrets." not in runs  # a secret only in env:, read by coopreport itself
    [build] = [s for s in steps if "make report" in str(s.get("run", ""))]
    env = build["env"]
    assert isinstance(env, dict)
    assert env["COOPREPORT_NOTIFY"] == "${{ secrets.NOTIFY_URL }}"
    assert 'BUILD_FLAGS="$flags"' in str(build["run"]) and 'flags="--strict"' in str(build["run"])


def unit_lines(name: str) -> list[tuple[str, str]]:
    text = (paths.project_root() / UNITS / name).read_text(encoding="utf-8")
    return [(k.strip(), v.strip()) for k, v in re.findall(r"(?m)^([A-Za-z]+)=(.*)$", text)]


def test_the_service_runs_a_command_coopreport_accepts():
    [start] = [v for k, v in unit_lines("coopreport-build.service") if k == "ExecStart"]
    program, *argv = shlex.split(start)
    assert program.endswith("/.venv/bin/coopreport")
    args = build_parser().parse_args(argv)
    assert (args.command, args.all, args.strict) == ("build", True, True)
    assert ("Unit", "coopreport-build.service") in unit_lines("coopreport-build.timer")


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (Debian: apt-get install systemd)")
    # the units name /srv/coopreport: verify them on a copy pointing at a folder that exists
    root = tmp_path / "root"
    (root / ".venv" / "bin").mkdir(parents=True)
    program = root / ".venv" / "bin" / "coopreport"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    copies = []
    for unit in sorted((paths.project_root() / UNITS).iterdir()):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace("/srv/coopreport", str(root)),
                        encoding="utf-8")
        copies.append(str(copy))
    assert len(copies) == 2
    done = subprocess.run([analyze, "verify", *copies], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""
