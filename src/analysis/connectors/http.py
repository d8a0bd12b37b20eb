"""A polite HTTP client for connectors: retries with backoff, Retry-After, clear errors.

Every failure becomes a :class:`~analysis.core.errors.ConnectorError` that names the URL and says
what to do.
"""

from __future__ import annotations

from typing import Any

import requests
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

from analysis.connectors.limits import MAX_JSON_BYTES, parse_json
from analysis.core.errors import ConnectorError
from analysis.core.version import __version__

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After header is shortened to this


class PoliteRetry(Retry):
    """Retries that honour a Retry-After header up to :data:`MAX_RETRY_AFTER` seconds."""

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, MAX_RETRY_AFTER)


def polite_session(retries: int, backoff: float) -> requests.Session:
    """A session that retries GETs ``retries`` times with exponential ``backoff``."""
    retry = PoliteRetry(total=retries, backoff_factor=backoff, status_forcelist=RETRY_STATUSES,
                         allowed_methods=frozenset({"GET"}), raise_on_status=False)
    session = requests.Session()
    for scheme in ("http://", "https://"):
        session.mount(scheme, requests.adapters.HTTPAdapter(max_retries=retry))
    session.headers.update({"User-Agent": f"coopreport/{__version__}",
                            "Accept": "application/json"})
    return session


def get_json(session: requests.Session, url: str, timeout: float, retries: int, hint: str = ""
             ) -> tuple[Any, bytes, int]:
    """GET ``url``: the parsed JSON, raw body and status. ConnectorError names the URL."""
    try:
        response = session.get(url, timeout=timeout, stream=True)
        body = _read_bounded(response, url)
    except requests.RequestException as exc:
        reason = getattr(exc.args[0] if exc.args else None, "reason", exc)
        if isinstance(reason, NewConnectionError) or not (
                isinstance(exc, requests.Timeout) or isinstance(reason, Urllib3Timeout)):
            raise ConnectorError(f"{url}: cannot connect ({reason}; {retries + 1} attempts); "
                                 f"check the network connection{hint}") from exc
        raise ConnectorError(f"{url}: no answer within {timeout:g} s ({retries + 1} attempts); "
                             f"the service is slow or unreachable{hint}") from exc
    status = response.status_code
    if status in RETRY_STATUSES:
        raise ConnectorError(f"{url}: HTTP {status} {response.reason} ({retries + 1} attempts); "
                             f"the service is failing or limiting requests{hint}")
    if status >= 400:
        raise ConnectorError(f"{url}: HTTP {status} {response.reason}; the API refused the "
                             "request: check the country codes and the API address")
    data = parse_json(body, url, "the response is not valid JSON",
                      f"; the API may be down or changed{hint}")
    return data, body, status


def _read_bounded(response: requests.Response, url: str) -> bytes:
    """The body, refusing more than :data:`~analysis.connectors.limits.MAX_JSON_BYTES`."""
    chunks, size = [], 0
    with response:
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                raise ConnectorError(f"{url}: the answer exceeds {MAX_JSON_BYTES // 2**20} MB; "
                                     "a page of projects is far smaller: the API is misbehaving")
            chunks.append(chunk)
    return b"".join(chunks)
