"""Exit codes by cause: a scheduler can tell bad input (2) from a failed report (1), a missing
tool (69), a bug (70), a full disk (74) and a busy output folder (75)."""

from __future__ import annotations

import errno

import pytest

from analysis.cli import commands, main
from analysis.core import errors
from analysis.core.errors import (
    BuildError,
    BuildLockedError,
    ConnectorError,
    DataValidationError,
    ExtractError,
    OutputFolderError,
    ParameterError,
    ProjectNotFoundError,
    RenderError,
    StorageError,
    TaxonomyError,
    UnavailableError,
)


@pytest.mark.parametrize(("error", "code"), [
    (ParameterError("x"), 2), (DataValidationError([]), 2), (TaxonomyError("x"), 2),
    (ExtractError("x"), 2), (OutputFolderError("x"), 2), (ProjectNotFoundError("x"), 2),
    (BuildError("x"), 1), (RenderError("x"), 1), (ConnectorError("x"), 1),
    (UnavailableError("x"), 69), (StorageError("x"), 74), (BuildLockedError("x"), 75),
])
def test_each_kind_of_failure_has_its_exit_code(error, code, monkeypatch, capsys):
    def fail(args):
        raise error

    monkeypatch.setattr(commands, "cmd_list", fail)
    assert main(["list"]) == code
    assert capsys.readouterr().err.startswith("coopreport: ")


def test_the_codes_are_the_documented_ones():
    # docs/cli.md "Exit codes" and analysis.core.errors; 69, 70, 74, 75 as BSD sysexits.h
    assert (errors.EXIT_OK, errors.EXIT_FAILED, errors.EXIT_USAGE) == (0, 1, 2)
    assert (errors.EXIT_UNAVAILABLE, errors.EXIT_INTERNAL, errors.EXIT_IO,
            errors.EXIT_LOCKED) == (69, 70, 74, 75)


def test_a_bug_exits_70_with_its_traceback(monkeypatch, capsys):
    def bug(args):
        raise KeyError("a bug")

    monkeypatch.setattr(commands, "cmd_list", bug)
    assert main(["list"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError: 'a bug'" in err
    assert "internal error (a bug in coopreport" in err


def test_an_unexpected_system_error_exits_74(monkeypatch, capsys):
    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/out/x.html")

    monkeypatch.setattr(commands, "cmd_list", full)
    assert main(["list"]) == 74
    assert "No space left on device: /srv/out/x.html" in capsys.readouterr().err


def test_bad_usage_is_still_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["build", "--no-such-option"])
    assert caught.value.code == 2
