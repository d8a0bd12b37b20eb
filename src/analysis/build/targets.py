"""What ``coopreport build`` is asked to build: params files, or reports by name.

Each argument is a params file when a file exists at that path (from the working folder), and
otherwise the name of a report: the ``name:`` of a params file in ``params/``. So a file
always wins over a name, and ``./uzb-profile`` or ``params/uzb-profile.yaml`` names a file
unambiguously; when an argument is both a file and a report's name, the file is built and the
log says which other params file has that name. An argument that is neither is an error
(exit 2) that suggests the closest names (:mod:`difflib`) and ``coopreport list``.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.paths import display_path
from analysis.core.safe_yaml import read_yaml

log = logging.getLogger(__name__)
SUGGESTIONS = 3  # close names suggested for an unknown one


def names_in_params(directory: Path | None = None) -> tuple[dict[str, list[Path]], list[Path]]:
    """The reports in ``params/`` (default) by name: ``({name: [params files]}, unreadable)``,
    the second listing the params files whose name could not be read (bad YAML, no name)."""
    names: dict[str, list[Path]] = {}
    unreadable = []
    for source in paths.params_files(directory):
        try:
            data = read_yaml(source)
        except ParameterError:
            data = None
        name = data.get("name") if isinstance(data, dict) else None
        if isinstance(name, str) and name:
            names.setdefault(name, []).append(source)
        else:
            unreadable.append(source)
    return names, unreadable


def resolve_targets(targets: Sequence[str], directory: Path | None = None) -> list[Path]:
    """The params file of each of ``targets`` (a path to a params file, or a report's name in
    ``directory``, default ``params/``), in order, each file once.

    Raises
    ------
    ParameterError
        For every argument that is neither a file nor a report's name (with the closest
        names), and for a name two params files share.
    """
    names, unreadable = names_in_params(directory)
    chosen: list[Path] = []
    problems = []
    for target in targets:
        path = Path(target)
        found = names.get(target, [])
        if _is_file(path):
            chosen.append(path)
            others = [p for p in found if p.resolve() != path.resolve()]
            if others:
                log.warning("%s: the file %s is built (a file wins over a report name); the "
                            "report named %s is in %s", target, display_path(path), target,
                            ", ".join(display_path(p) for p in others))
        elif len(found) == 1:
            chosen.append(found[0])
        elif found:
            problems.append(f"{target!r} is the name in {len(found)} params files ("
                            f"{', '.join(display_path(p) for p in found)}); give the path of "
                            "the one to build, and give the other another name")
        else:
            problems.append(unknown_target(target, sorted(names), unreadable,
                                           directory or paths.params_dir()))
    if problems:
        raise ParameterError("\n".join(problems))
    unique: dict[Path, Path] = {}
    for path in chosen:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def unknown_target(target: str, names: Sequence[str], unreadable: Sequence[Path],
                   directory: Path) -> str:
    """Why ``target`` is neither a params file nor the name of a report in ``directory``, and
    the closest names."""
    stem = Path(target).stem if target.endswith((".yaml", ".yml")) else target
    close = difflib.get_close_matches(stem, names, n=SUGGESTIONS, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    also = (f" ({', '.join(display_path(p) for p in unreadable)} could not be read for "
            "its name)" if unreadable else "")
    return (f"{target!r}: no params file at this path, and no report in "
            f"{display_path(directory)} has this name{also}; {hint}"
            "coopreport list shows every report's name")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name the system cannot even look up (too long)
        return False
