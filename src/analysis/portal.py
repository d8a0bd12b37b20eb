"""The report portal: ``index.html`` in the output folder, listing every published report.

One self-contained page (no network, works from the file system) with each report's title,
parameters, build time and links to its HTML and PDF, plus the reports whose last build
failed. It is rewritten after every build from what the output folder holds, so reports built
by earlier runs stay listed.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from analysis import __version__
from analysis.provenance import plain_value, utc_now

INDEX_NAME = "index.html"


@dataclass(frozen=True)
class Entry:
    name: str
    title: str
    subtitle: str
    parameters: dict[str, Any]
    built_at: str
    formats: tuple[str, ...]


def collect_entries(out: Path) -> list[Entry]:
    """Every published report in ``out``: its executed notebook's metadata and its files."""
    entries = []
    for notebook in sorted(out.glob("*.ipynb")):
        try:
            meta = nbformat.read(notebook, as_version=4).metadata.get("coopreport", {})
        except (OSError, ValueError):
            continue
        if not meta:
            continue
        record = meta.get("provenance", {})
        formats = tuple(f for f in ("html", "pdf") if (out / f"{notebook.stem}.{f}").exists())
        entries.append(Entry(notebook.stem, str(meta.get("title") or notebook.stem),
                             str(meta.get("subtitle") or ""), dict(record.get("parameters", {})),
                             str(record.get("built_at", "")), formats))
    return entries


def _failed(out: Path) -> list[tuple[str, str, bool]]:
    """Reports that failed in the last build: name, error, and whether their executed notebook
    is there to link (a kernel that died may have left none)."""
    summary = out / "build-summary.json"
    if not summary.exists():
        return []
    data = json.loads(summary.read_text(encoding="utf-8"))
    return [(r["name"], r.get("error") or "", (out / "_failed" / f"{r['name']}.ipynb").is_file())
            for r in data.get("reports", []) if r.get("status") != "ok"]


def render_index(entries: list[Entry], failed: list[tuple[str, str, bool]]) -> str:
    """The portal page as HTML text; every value is escaped."""
    def e(value: object) -> str:
        return html.escape(str(value), quote=True)

    rows = []
    for entry in entries:
        params = "<br>".join(f"<code>{e(k)}</code> = {e(plain_value(v))}"
                             for k, v in entry.parameters.items())
        links = " · ".join(f'<a href="{e(entry.name)}.{fmt}">{fmt.upper()}</a>'
                           for fmt in entry.formats) or "—"
        subtitle = f'<div class="sub">{e(entry.subtitle)}</div>' if entry.subtitle else ""
        rows.append(f"<tr><td><strong>{e(entry.title)}</strong>{subtitle}"
                    f'<div class="name">{e(entry.name)}</div></td><td>{params}</td>'
                    f"<td>{e(entry.built_at)}</td><td>{links}</td></tr>")
    failures = ""
    if failed:
        items = "".join(f"<li><strong>{e(n)}</strong>: {e(err)}"
                        + (f' (<a href="_failed/{e(n)}.ipynb">executed notebook</a>)' if kept
                           else "") + "</li>" for n, err, kept in failed)
        failures = (f'<section class="failed"><h2>Failed in the last build</h2><ul>{items}</ul>'
                    "<p>Their previous reports, if any, are still listed above.</p></section>")
    body = "".join(rows) or '<tr><td colspan="4">No reports built yet.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coopreport — reports</title>
<style>
body {{ font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 0; }}
header {{ background: #1f5f8b; color: #fff; padding: 1.6rem max(1.5rem, calc(50% - 34rem)); }}
header h1 {{ margin: 0; font-size: 1.6rem; }} header p {{ margin: .3rem 0 0; opacity: .85; }}
main {{ max-width: 68rem; margin: 0 auto; padding: 1.5rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
th {{ text-align: left; border-bottom: 2px solid #1d2733; padding: .4rem .5rem; }}
td {{ border-bottom: 1px solid #d5dbe3; padding: .45rem .5rem; vertical-align: top; }}
.sub {{ color: #5b6675; }} .name {{ color: #5b6675; font-size: .8rem; }}
a {{ color: #1f5f8b; }} code {{ font-size: .85rem; }}
.failed {{ margin-top: 2rem; border-left: 4px solid #b3261e; padding-left: 1rem; }}
</style></head>
<body><header><h1>Development cooperation reports</h1>
<p>{len(entries)} report(s) · page written {e(utc_now())} by coopreport {e(__version__)}</p>
</header><main>
<table><thead><tr><th>Report</th><th>Parameters</th><th>Built (UTC)</th><th>Files</th></tr>
</thead><tbody>{body}</tbody></table>{failures}
</main></body></html>
"""


def write_index(out: Path) -> Path:
    """(Re)write ``out/index.html`` atomically from the reports the folder holds."""
    text = render_index(collect_entries(out), _failed(out))
    handle = tempfile.NamedTemporaryFile("w", dir=out, suffix=".tmp", delete=False,
                                         encoding="utf-8")
    with handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    target = out / INDEX_NAME
    os.replace(handle.name, target)
    return target
