"""A project's settings (coopreport.yaml or [tool.coopreport]): read, validated, frozen."""

from __future__ import annotations

import pydantic
import pytest

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.project import DEFAULT_KEEP_EDITIONS, project_config


def settings(folder, text):
    (folder / paths.CONFIG_NAME).write_text(text, encoding="utf-8")
    return folder


def test_no_keys_gives_the_defaults(tmp_path):
    config = project_config(settings(tmp_path, "# notify:\n#   - json://x\n"))
    assert config.notify == ()
    assert config.keep_editions == DEFAULT_KEEP_EDITIONS == 10


def test_both_keys_are_read_and_the_settings_are_frozen(tmp_path):
    config = project_config(settings(tmp_path, "notify:\n  - json://127.0.0.1:8080/hook\n"
                                               "  - mailto://me@example.org\n"
                                               "keep_editions: 3\n"))
    assert config.notify == ("json://127.0.0.1:8080/hook", "mailto://me@example.org")
    assert config.keep_editions == 3
    with pytest.raises(pydantic.ValidationError):
        config.keep_editions = 4  # type: ignore[misc]


def test_the_pyproject_table_holds_settings_too(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.coopreport]\nkeep_editions = 2\n",
                                             encoding="utf-8")
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))
    assert project_config().keep_editions == 2  # the project found, not given


@pytest.mark.parametrize(("text", "expected"), [
    ("keep_edition: 3\n", "keep_edition: 3: unknown key; the keys are notify, keep_editions"),
    ("keep_editions: 0\n", "keep_editions: 0: less than 1; keep_editions takes a whole number"),
    ("keep_editions: '3'\n", "keep_editions: '3': not a whole number"),
    ("keep_editions: 2.5\n", "keep_editions: 2.5: not a whole number"),
    ("keep_editions: true\n", "keep_editions: True: not a whole number"),
    ("notify: json://x\n", "notify: 'json://x': not a list; notify takes a list of "
                           "notification URLs"),
    ("notify: [json://x, example.org]\n", "notify[1]: 'example.org': not a URL (SCHEME://…)"),
])
def test_a_bad_setting_names_the_file_key_value_and_fix(tmp_path, text, expected):
    with pytest.raises(ParameterError) as caught:
        project_config(settings(tmp_path, text))
    assert str(caught.value).startswith(f"{tmp_path / paths.CONFIG_NAME}: ")
    assert expected in str(caught.value)


def test_settings_in_two_places_are_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.coopreport]\nkeep_editions = 2\n",
                                             encoding="utf-8")
    with pytest.raises(ParameterError, match="written here and in .*pyproject.toml.*"
                                             "keep_editions.*keep them in one place"):
        project_config(settings(tmp_path, "keep_editions: 3\n"))


def test_a_settings_file_that_is_not_keys_is_refused(tmp_path):
    with pytest.raises(ParameterError, match=r"must hold keys .*not \['json://x'\]"):
        project_config(settings(tmp_path, "- json://x\n"))
