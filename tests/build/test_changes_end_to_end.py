"""A second build after a data change publishes a "what changed" page that lists the new
activity and the changed counts (issue 28, deliverable 6). Real kernels: marked slow.

The two registries are hand-made fixtures (fictional rows), written by the test."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from analysis.cli import main
from tests.helpers import make_row, registry_text

pytestmark = pytest.mark.slow

FIRST = [  # two activities of Uzbekistan in 2023-2024, with one partner
    make_row(activity_id="UZB-2023-03-01-fixture-seminar", date="2023-03-01",
             title="Fixture seminar on e-procurement", partners="World Bank"),
    make_row(activity_id="UZB-2024-06-10-fixture-workshop", date="2024-06-10",
             title="Fixture workshop on audit", partners="World Bank"),
]
ADDED = make_row(activity_id="UZB-2024-09-05-fixture-mission", date="2024-09-05",
                 title="Fixture mission on framework agreements",
                 title_ru="Тестовая миссия по рамочным соглашениям",
                 partners="Asian Development Bank")


def params(folder: Path, registry: Path, lang: str) -> Path:
    name = f"fixture-changes-{lang}"
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nnotebook: country_profile.ipynb\n"
                    f'title: "Fixture profile ({lang})"\nformats: [html]\nparameters:\n'
                    f"  country: UZB\n  start_year: 2022\n  end_year: 2024\n"
                    f"  data_path: {json.dumps(str(registry))}\n  lang: {lang}\n"
                    f"  as_of: '2024-12-31'\n", encoding="utf-8")
    return path


def text(path: Path) -> str:
    """A page's text as a reader sees it: tags removed, spaces (no-break ones too) as one."""
    body = path.read_text(encoding="utf-8").split("<body>", 1)[1]
    shown = unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", shown)


def test_a_second_build_lists_the_new_activity_and_the_changed_counts(tmp_path):
    registry, out = tmp_path / "registry.csv", tmp_path / "out"
    registry.write_text(registry_text(FIRST), encoding="utf-8")
    specs = [str(params(tmp_path, registry, lang)) for lang in ("en", "ru")]
    assert main(["build", *specs, "--output-dir", str(out), "--jobs", "1"]) == 0
    first = text(out / "_changes" / "fixture-changes-en.html")
    assert "This is the first edition of the report" in first
    assert "Это первый выпуск отчёта" in text(out / "_changes" / "fixture-changes-ru.html")
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="_changes/fixture-changes-en.html"' in portal
    assert 'href="history.html"' in portal

    registry.write_text(registry_text([*FIRST, ADDED]), encoding="utf-8")
    assert main(["build", *specs, "--output-dir", str(out), "--jobs", "1"]) == 0
    page = text(out / "_changes" / "fixture-changes-en.html")
    assert "Activities added (1)" in page
    assert ("UZB-2024-09-05-fixture-mission September 5, 2024 "
            "Fixture mission on framework agreements") in page
    # 2 → 3 activities, 1 → 2 partners (the table's rows: figure, country, before, now)
    assert "Activities Uzbekistan 2 3" in page
    assert "Partners Uzbekistan 1 2" in page
    assert "Activities removed" not in page
    russian = text(out / "_changes" / "fixture-changes-ru.html")
    assert "Добавленные мероприятия (1)" in russian
    assert ("UZB-2024-09-05-fixture-mission 5 сентября 2024 г. "
            "Тестовая миссия по рамочным соглашениям") in russian
    assert "Мероприятия Узбекистан 2 3" in russian

    # the history lists both editions, newest first, the first one's reports still linked
    history = (out / "history.html").read_text(encoding="utf-8")
    older = sorted(p.name for p in (out / ".editions").iterdir() if p.name.startswith("e-"))
    assert len(older) == 2
    assert history.count("<tr><td>") == 2
    linked = re.findall(r'href="\.editions/(e-[^/"]+)/fixture-changes-en\.html"', history)
    assert linked and linked[0] in older

    # a third build with nothing changed keeps the page of the last change
    assert main(["build", *specs, "--output-dir", str(out), "--jobs", "1"]) == 0
    assert text(out / "_changes" / "fixture-changes-en.html") == page
