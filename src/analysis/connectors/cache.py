"""Raw responses kept on disk with a provenance sidecar (URL, time, SHA-256, status).

A run's pages replace the day's folder in one step (a staging folder, then renames), so a
failed or interrupted fetch never leaves a partial cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from analysis.core.errors import ConnectorError

SIDECAR = ".provenance.json"
Page = tuple[str, str, bytes, int, str]  # file name, URL, body, HTTP status, UTC time


def write_cache_pages(pages: list[Page], root: Path, replaced: set[str], source: str) -> None:
    """Write a run's pages to ``root/<today>/`` via a staging folder and renames."""
    target = root / dt.datetime.now(dt.UTC).date().isoformat()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    except OSError as exc:
        raise ConnectorError(f"{root}: cannot write the cache ({exc})") from exc
    retired = staging.with_name(staging.name + "-old")
    try:
        staging.chmod(0o755)
        for old in target.glob("*") if target.is_dir() else ():  # other countries' pages stay
            if old.name.split("-", 1)[0] not in replaced:
                shutil.copy2(old, staging / old.name)
        for name, url, body, status, stamp in pages:
            (staging / name).write_bytes(body)
            record = {"url": url, "retrieved_at": stamp, "sha256": hashlib.sha256(body).hexdigest(),
                      "status": status, "bytes": len(body), "source": source}
            (staging / f"{name}{SIDECAR}").write_text(json.dumps(record, indent=2) + "\n", "utf-8")
        if target.exists():
            target.rename(retired)
        staging.rename(target)
    except OSError as exc:
        if retired.exists() and not target.exists():
            retired.rename(target)
        raise ConnectorError(f"{target}: cannot write the cache ({exc}); it was left as it "
                             "was") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
