"""The title block of a report run outside the build runner (papermill's command line)."""

from __future__ import annotations

import nbformat
import pytest

from analysis.core import paths
from analysis.render.meta import default_title, provenance_line, read_meta


def papermill_notebook(tmp_path, notebook: str, injected: dict[str, object]):
    """A notebook as papermill leaves it: its cells, papermill's metadata, no coopreport's."""
    nb = nbformat.read(paths.notebooks_dir() / notebook, as_version=4)
    nb.metadata["papermill"] = {"input_path": f"notebooks/{notebook}", "parameters": injected,
                                "start_time": "2026-11-29T10:15:00.5", "end_time":
                                "2026-11-29T10:15:09.75", "version": "2.6.0"}
    path = tmp_path / "aze.ipynb"
    nbformat.write(nb, path)
    return path


def test_papermill_run_gets_the_title_and_language_of_its_parameters(tmp_path):
    path = papermill_notebook(tmp_path, "strategic_procurement.ipynb",
                              {"country": "AZE", "peer": "UZB", "lang": "ru"})
    meta = read_meta(path)
    # as params/aze-strategic-procurement-ru.yaml words them; the years are the defaults
    # no-break spaces where Russian lines must not break: after "о", before "гг."
    assert meta.title == "Азербайджан: страновой отчёт о\xa0стратегических закупках"
    assert meta.subtitle == ("Сотрудничество в\xa0сфере закупок по компонентам Методологии "
                             "оценки закупочных систем (MAPS), 2022–2026\xa0гг.")
    assert meta.lang == "ru"
    assert meta.kicker == "Отчёт о сотрудничестве в целях развития"
    assert meta.date == "29 ноября 2026\u202fг."  # babel: a narrow no-break space
    # the colophon in Russian sentences; papermill's end time read as the build time
    assert meta.provenance == (
        "Отчёт сформирован вне программы сборки: версии coopreport и кода не записаны. "
        "Контрольная сумма данных не записана. Время сборки: 29 ноября 2026\u202fг., "
        "10:15 UTC. Параметры сборки (для воспроизведения отчёта): country=AZE, peer=UZB, "
        "benchmarks=[], start_year=2022, end_year=2026, data_path=, lang=ru, as_of=, "
        "contracting_data=.")
    assert "?" not in meta.provenance


def test_papermill_run_with_defaults_only_is_english(tmp_path):
    meta = read_meta(papermill_notebook(tmp_path, "country_profile.ipynb", {}))
    assert meta.title == "Uzbekistan: development cooperation profile"
    assert meta.subtitle == "Activities with development partners, 2017–2026"
    assert meta.lang == "en" and meta.kicker == "Development cooperation report"


@pytest.mark.parametrize(("notebook", "parameters", "lang", "title"), [
    ("country_comparison", {"countries": ["UZB", "AZE"]}, "en",
     "Uzbekistan and Azerbaijan: cooperation compared"),
    ("country_comparison", {"countries": ["UZB", "AZE", "KAZ"]}, "ru",
     "Узбекистан, Азербайджан и Казахстан: сравнительный обзор сотрудничества с партнёрами "
     "по развитию"),
    ("strategic_procurement", {"country": "UZB"}, "en",
     "Uzbekistan: Strategic Procurement Country Report"),
    ("someone_elses_notebook", {"country": "UZB"}, "en", "Development cooperation report"),
])
def test_default_title(notebook, parameters, lang, title):
    assert default_title(notebook, parameters, lang)[0] == title


def test_a_one_year_period_reads_as_that_year():
    assert default_title("country_profile", {"country": "KAZ", "start_year": 2021,
                                             "end_year": 2021}, "ru")[1] == (
        "Мероприятия с партнёрами по развитию, 2021 г.")


@pytest.mark.parametrize(("commit", "lang", "sentence"), [
    ("0123456789abcdef0123", "en", "Produced by coopreport 1.2 (code version 0123456789ab)."),
    ("0123456789abcdef0123-dirty", "en",
     "Produced by coopreport 1.2 (code version 0123456789ab-dirty: the code or data it was "
     "built from had changes not yet committed to git)."),
    ("0123456789abcdef0123-dirty", "ru",
     "Отчёт сформирован программой coopreport 1.2 (версия кода 0123456789ab-dirty: в коде или "
     "данных, из которых он собран, были изменения, ещё не зафиксированные в git)."),
    ("0123456789abcdef0123-dirty", "uz",
     "Hisobot coopreport 1.2 dasturi yordamida tayyorlangan (kod versiyasi 0123456789ab-dirty: "
     "hisobot asosidagi kod yoki ma\u02bclumotlarda gitda hali qayd etilmagan o\u02bbzgarishlar "
     "bor edi)."),
])
def test_the_colophon_says_dirty_when_the_inputs_had_uncommitted_changes(commit, lang,
                                                                         sentence):
    """The short commit keeps its "-dirty" (cutting the commit to 12 characters once dropped
    it), with what it means in the report's language."""
    line = provenance_line({"package_version": "1.2", "git_commit": commit}, lang)
    assert line.startswith(sentence + " ")
