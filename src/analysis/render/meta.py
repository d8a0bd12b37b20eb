"""What a report's title block shows, taken from the executed notebook.

A notebook built by ``coopreport build`` carries the runner's metadata (``coopreport``: name,
title, subtitle, provenance). A notebook executed with the papermill command line has only
papermill's (``papermill``: injected parameters, start and end time, input path); then the
parameters are its parameters cell's defaults overridden by the injected ones, the title and
subtitle are computed from them as the shipped params files word them (:func:`default_title`),
and the provenance says what is known and "not recorded" for the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import nbformat
from babel.lists import format_list

from analysis.core.clock import utc_now
from analysis.core.errors import ParameterError
from analysis.core.formats import long_date, ru_typography
from analysis.core.notebook_params import declared_parameters
from analysis.core.version import DIRTY
from analysis.data.taxonomy import LANGUAGES, country_name
from analysis.report.i18n import DEFAULT_LANGUAGE, MESSAGES, translate


@dataclass(frozen=True)
class ReportMeta:
    name: str
    title: str
    subtitle: str | None
    lang: str
    date: str
    kicker: str
    provenance: str
    record: dict[str, Any]
    publisher: str | None = None  # the issuing body (params key publisher), on the cover


def read_meta(executed: Path) -> ReportMeta:
    """Title, subtitle, language, date and provenance line of an executed report notebook.

    The notebook may come from anywhere (``coopreport render``): a value of the wrong type or
    a time that is no time is left out (the provenance line then says "not recorded"), never
    a traceback.
    """
    nb = nbformat.read(executed, as_version=4)
    meta = _mapping(nb.metadata.get("coopreport"))
    record = _mapping(meta.get("provenance")) or papermill_record(nb, executed)
    record["parameters"] = params = _mapping(record.get("parameters"))
    if "built_at" in record and _moment(record["built_at"]) is None:
        record["built_at"] = None  # "not recorded"
    lang = str(params["lang"]) if params.get("lang") in LANGUAGES else DEFAULT_LANGUAGE
    day = (_moment(record.get("built_at")) or _moment(utc_now()) or dt.datetime.now()).date()
    notebook = str(_mapping(nb.metadata.get("papermill")).get("input_path") or executed.name)
    title, subtitle = default_title(PurePath(notebook).stem, params, lang)
    own_title, own_subtitle = meta.get("title"), meta.get("subtitle")
    shown_title = own_title if isinstance(own_title, str) and own_title else title
    shown_subtitle = (own_subtitle if isinstance(own_subtitle, str) else None) \
        if "coopreport" in nb.metadata else subtitle
    date = long_date(day, lang)
    if lang == "ru":  # no line break inside "2022–2026 гг." or "7 декабря 2026 г."
        shown_title = ru_typography(shown_title)
        shown_subtitle = ru_typography(shown_subtitle) if shown_subtitle else shown_subtitle
        date = ru_typography(date)
    return ReportMeta(
        name=str(meta.get("name") or executed.stem),
        title=shown_title, subtitle=shown_subtitle, lang=lang, date=date,
        kicker=translate("report_kicker", lang),
        provenance=provenance_line(record, lang),
        record=record,
        publisher=(meta["publisher"] if isinstance(meta.get("publisher"), str)
                   and meta["publisher"].strip() else None),
    )


def papermill_record(nb: nbformat.NotebookNode, executed: Path) -> dict[str, Any]:
    """The provenance known of a notebook executed by papermill outside the build runner.

    The parameters (defaults and injected values) and the execution time are known; the
    package version, commit and data checksum at run time are not, and are left out so that
    :func:`provenance_line` says "not recorded".
    """
    run = _mapping(nb.metadata.get("papermill"))
    try:
        defaults = {d.name: d.default for d in declared_parameters(nb, executed)}
    except ParameterError:
        defaults = {}
    record: dict[str, Any] = {"parameters": defaults | _mapping(run.get("parameters"))}
    finished = _moment(run.get("end_time") or run.get("start_time"))
    if finished is not None:
        moment = finished.astimezone(dt.UTC) if finished.tzinfo else finished
        record["built_at"] = moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return record


def _mapping(value: object) -> dict[str, Any]:
    """``value`` when it is a mapping with text keys (as notebook metadata should be), else
    an empty one."""
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return dict(value)
    return {}


def _moment(value: object) -> dt.datetime | None:
    """An ISO 8601 time (``2026-12-06T20:44:16Z``), or None for anything else."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def default_title(notebook: str, parameters: dict[str, Any], lang: str) -> tuple[str, str | None]:
    """A report's title and subtitle computed from its notebook's name and its parameters.

    They read as the shipped params files word them, e.g. ``strategic_procurement`` with
    ``country: AZE`` → "Azerbaijan: Strategic Procurement Country Report". A notebook without
    such a text gets the generic "Development cooperation report"; never a file name.
    """
    key = f"report_title.{notebook}"
    if key not in MESSAGES:
        return translate("report_kicker", lang), None
    countries = parameters.get("countries")
    codes = [str(c) for c in countries] if isinstance(countries, list) else []
    country = str(parameters.get("country") or (codes[0] if codes else ""))
    values = {
        "country": country_name(country, lang) if country else "",
        "countries": format_list([country_name(c, lang) for c in codes] or [""], locale=lang),
        "start": parameters.get("start_year", ""), "end": parameters.get("end_year", ""),
    }
    subtitle_key = f"report_subtitle.{notebook}"
    subtitle = translate(subtitle_key, lang, **values) if subtitle_key in MESSAGES else None
    return translate(key, lang, **values), subtitle


def provenance_line(record: dict[str, Any], lang: str = "en") -> str:
    """The colophon of a report: how it was made, in sentences of the report language.

    What the record does not hold (a notebook run outside the build runner) reads
    "not recorded", never a placeholder.
    """
    def t(key: str, **values: object) -> str:
        return translate(f"provenance.{key}", lang, **values)

    unknown = t("not_recorded")
    version = record.get("package_version")
    commit = record.get("git_commit")
    if "git_commit" not in record:  # not run by the build runner (e.g. papermill's CLI)
        sentences = [t("made", version=version, commit=unknown) if version
                     else t("made_unknown")]
    elif commit:
        # a checkout with uncommitted changes to the inputs says so, after the short commit
        sha, dirty = str(commit).removesuffix(DIRTY), str(commit).endswith(DIRTY)
        sentences = [t("made_dirty" if dirty else "made", version=version or unknown,
                       commit=sha[:12])]
    else:  # None: built outside a git checkout
        sentences = [t("made_no_git", version=version or unknown)]
    if record.get("registry_sha256"):
        sentences.append(t("data", file=record.get("registry", ""),
                           sha=record["registry_sha256"][:12]))
    elif "registry_sha256" not in record:
        sentences.append(t("data_not_recorded"))
    sentences.append(t("built", time=_when(record.get("built_at"), lang) or unknown))
    parameters = record.get("parameters") or {}
    if parameters:
        shown = ", ".join(f"{k}={plain_value(v)}" for k, v in parameters.items())
        sentences.append(t("parameters", values=shown))
    return " ".join(sentences)


def _when(text: object, lang: str) -> str:
    """A build time ``2026-12-07T05:53:08Z`` as the language writes it ("7 December 2026,
    05:53 UTC" / "7 декабря 2026 г., 05:53 UTC"); a text that is no such time as it is."""
    if not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return translate("provenance.time", lang, date=long_date(moment.date(), lang),
                     time=moment.strftime("%H:%M"))


def plain_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
