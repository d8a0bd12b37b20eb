"""Notifications: one message per build to e-mail, Slack, Teams, Telegram, Matrix, a webhook...

``coopreport build --notify URL`` (repeatable) sends, at the end of a build, one message with
the counts (built, with warnings, up to date, failed), each failure with its reason, each
warning with its text, and a link to the portal. The sending is apprise's, an optional extra
(``pip install 'coopreport[notify]'``): each URL is an apprise URL (``mailto://``,
``slack://``, ``msteams://``, ``tgram://``, ``matrix://``, ``json://`` for a webhook...);
more URLs may come from the environment variable :data:`NOTIFY_ENV`, which keeps their secrets
off the command line.

When a message is sent (``--notify-on``, :data:`NOTIFY_ON`): ``changes`` (the default) when the
build built or failed something, or could not run; ``failure`` only when the build exits
non-zero (a report failed, warnings under ``--strict``, a build that could not run or was
stopped); ``always`` after every build, one with nothing to do included (a message that shows
the scheduler is alive).

A notification never changes the build's result or exit code: one that cannot be delivered is
logged as a warning and the build goes on. The URLs carry secrets (tokens, passwords), so they
stay in this process (never in :class:`~analysis.build.records.BuildOptions`, which travels to
workers), and logs name a URL only by its scheme and host (:func:`describe_url`); apprise's own
log lines, which may quote a URL, are kept out of the logs while it sends.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from analysis.build.layout import FAILED_DIR, SUMMARY_NAME
from analysis.build.records import BUILT, DONE, ReportResult
from analysis.core.errors import EXIT_OK, ParameterError, UnavailableError

log = logging.getLogger(__name__)

# apprise URLs from the environment, separated by spaces or newlines: how a scheduler passes
# them without putting their secrets on a command line (ps, make's echo, shell history)
NOTIFY_ENV = "COOPREPORT_NOTIFY"
NOTIFY_ON = ("changes", "failure", "always")
DEFAULT_NOTIFY_ON = "changes"
INSTALL_HINT = "pip install 'coopreport[notify]'"
URL_HELP = "https://github.com/caronc/apprise/wiki"  # apprise's list of URL formats
PORTAL_PAGE = "index.html"  # analysis.render.portal.INDEX_NAME, without importing the renderer
SHOWN = 20  # failures, and warnings, listed in a message; the rest are counted
REASON_CHARS = 300  # of a failure's reason, on one line
ERROR_CHARS = 1500  # of the error of a build that could not run
# loggers that may quote a URL (with its secrets) while apprise sends: silenced meanwhile
QUIET_LOGGERS = ("apprise", "urllib3", "requests", "requests_oauthlib", "oauthlib")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Notice:
    """A message to send: its title, body, and apprise's type (``success``, ``info``,
    ``warning`` or ``failure``), which services show as a colour or an icon."""

    title: str
    body: str
    kind: str


def require_apprise() -> None:
    """Check that apprise is installed.

    Raises
    ------
    UnavailableError
        When it is not (exit code 69), with the command that installs it.
    """
    if importlib.util.find_spec("apprise") is None:
        raise UnavailableError("--notify needs the apprise library, which is not installed "
                               f"here; install the notify extra: {INSTALL_HINT}")


def urls_from_environment() -> list[str]:
    """The apprise URLs in :data:`NOTIFY_ENV` (none when it is unset or blank)."""
    return os.environ.get(NOTIFY_ENV, "").split()


def describe_url(url: str) -> str:
    """A URL as logs may name it: its scheme and host (and port), never a user, password,
    token, path or query. A host that does not look like a network name (``tgram://`` and
    ``ntfy://`` carry a token or a topic there) is shown as ``…``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() if re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme.lower()) \
        else "?"
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:  # "tgram://123456:TOKEN/...": a token where a port would be
        host, port = "", None
    if not _is_network_name(host):
        return f"{scheme}://…"
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + (f":{port}" if port is not None else "")


def _is_network_name(host: str) -> bool:
    """An IP address, ``localhost``, or a dotted DNS name with a top-level domain of letters
    (a bare word may be a token: it is not shown)."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return host == "localhost" or (
        len(labels) >= 2 and all(_HOST_LABEL.match(label) for label in labels)
        and labels[-1].isalpha())


def check_portal_url(portal_url: str | None) -> str | None:
    """The portal's base address, checked: ``http(s)://`` (or ``file://``), or None.

    Raises
    ------
    ParameterError
        When it is not such an address.
    """
    if portal_url is None:
        return None
    parts = urlsplit(portal_url.strip())
    if parts.scheme not in ("http", "https", "file") or not (parts.netloc or parts.path):
        raise ParameterError(f"--portal-url {portal_url!r}: not an http(s):// or file:// "
                             "address; give the address readers open the output folder at, "
                             "e.g. https://reports.example.org/coop")
    return portal_url.strip().rstrip("/")


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _link(output_dir: Path, portal_url: str | None, name: str) -> str:
    return f"{portal_url}/{name}" if portal_url else str(output_dir / name)


def count_results(results: Sequence[ReportResult]) -> dict[str, int]:
    """``built`` (with warnings or not), ``warnings`` (built with warnings), ``skipped`` (up
    to date), ``failed``, and ``total``."""
    return {"total": len(results),
            "built": sum(r.status in BUILT for r in results),
            "warnings": sum(r.status == "warning" for r in results),
            "skipped": sum(r.status == "skipped" for r in results),
            "failed": sum(r.status not in DONE for r in results)}


def compose_notice(results: Sequence[ReportResult], exit_code: int, output_dir: Path,
                   portal_url: str | None = None, built_at: str = "",
                   commit: str | None = None) -> Notice:
    """The message of a build that ran: counts, failures with their reasons, warnings with
    their texts, links to the portal and to each failure's page.

    ``portal_url`` is the address readers open the output folder at; without it the links are
    paths under ``output_dir``.
    """
    counts = count_results(results)
    failed = [r for r in results if r.status not in DONE]
    warned = [r for r in results if r.status == "warning"]
    verdict = ("FAILED" if counts["failed"] or exit_code != EXIT_OK
               else "warnings" if warned else "ok")
    line = (f"{counts['total']} report(s): {counts['built']} built"
            + (f" ({counts['warnings']} with warnings)" if counts["warnings"] else "")
            + f", {counts['skipped']} up to date, {counts['failed']} failed")
    body = [line + f" (exit {exit_code})."]
    if failed:
        body += ["", "Failed:"]
        body += [f"- {r.name}: {_one_line(r.error or 'no reason recorded', REASON_CHARS)} "
                 "(what went wrong: "
                 f"{_link(output_dir, portal_url, f'{FAILED_DIR}/{r.name}.html')})"
                 for r in failed[:SHOWN]]
        body += _more(len(failed))
    if warned:
        body += ["", "Warnings:"]
        texts = [(r.name, w) for r in warned for w in (r.warnings or ["(no text recorded)"])]
        body += [f"- {name}: {_one_line(text, REASON_CHARS)}" for name, text in texts[:SHOWN]]
        body += _more(len(texts))
    body += ["", f"Portal: {_link(output_dir, portal_url, PORTAL_PAGE)}",
             f"Summary: {_link(output_dir, portal_url, SUMMARY_NAME)}"]
    if built_at or commit:
        body.append(f"Build of {built_at or '?'}, commit {commit or 'unknown'}.")
    kind = ("failure" if verdict == "FAILED" else "warning" if warned
            else "success" if counts["built"] else "info")
    return Notice(f"coopreport build {verdict}: {line}", "\n".join(body), kind)


def _more(count: int) -> list[str]:
    return ([f"- … and {count - SHOWN} more ({SUMMARY_NAME} lists them all)"]
            if count > SHOWN else [])


def compose_failure(error: str, exit_code: int, output_dir: Path | None,
                    portal_url: str | None = None) -> Notice:
    """The message of a build that could not run or was stopped: its error and exit code."""
    body = [f"The build stopped with exit code {exit_code}:", _cut(error.strip(), ERROR_CHARS),
            "", "Reports that did not build keep their previous edition."]
    if output_dir is not None:
        body.append(f"Portal: {_link(output_dir, portal_url, PORTAL_PAGE)}")
    return Notice(f"coopreport build FAILED (exit {exit_code}): "
                  f"{_one_line(error, 120)}", "\n".join(body), "failure")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wanted(notify_on: str, exit_code: int, results: Sequence[ReportResult] | None) -> bool:
    """Whether ``--notify-on`` asks for a message after this build (``results`` None: the build
    could not run)."""
    if notify_on == "always" or exit_code != EXIT_OK:
        return True
    if notify_on == "failure":
        return False
    return results is None or any(r.status != "skipped" for r in results)


@contextmanager
def _quiet_loggers() -> Iterator[None]:
    """Keep apprise's and its HTTP libraries' log lines (which may quote a URL, secrets
    included) out of every log while it works."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    saved = [(lg.level, lg.propagate, lg.handlers[:]) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
        lg.propagate = False
        lg.handlers[:] = []
    try:
        yield
    finally:
        for lg, (level, propagate, handlers) in zip(loggers, saved, strict=True):
            lg.setLevel(level)
            lg.propagate = propagate
            lg.handlers[:] = handlers


@dataclass(repr=False)
class Notifier:
    """Where a build's message goes (apprise URLs) and when (``notify_on``).

    Made before the build starts (:meth:`check`), so that a missing apprise or an unreadable
    URL stops the command at once rather than after an hour of building. Its ``repr`` names
    no URL: they hold secrets.
    """

    urls: Sequence[str]
    notify_on: str = DEFAULT_NOTIFY_ON
    portal_url: str | None = None
    sent: list[Notice] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"Notifier({', '.join(map(describe_url, self.urls))}, "
                f"notify_on={self.notify_on!r})")

    def check(self) -> Notifier:
        """Check apprise is there and reads every URL; return self.

        Raises
        ------
        UnavailableError
            When apprise is not installed (exit 69).
        ParameterError
            When ``notify_on`` is not one of :data:`NOTIFY_ON`, the portal address is not
            one, or apprise cannot read a URL (unknown scheme, a required part missing).
        """
        require_apprise()
        import apprise

        if self.notify_on not in NOTIFY_ON:
            raise ParameterError(f"--notify-on {self.notify_on!r}: give one of "
                                 f"{', '.join(NOTIFY_ON)}")
        self.portal_url = check_portal_url(self.portal_url)
        for number, url in enumerate(self.urls, 1):
            with _quiet_loggers():
                readable = apprise.Apprise().add(url)
            if not readable:
                raise ParameterError(
                    f"--notify URL {number} of {len(self.urls)} ({describe_url(url)}): apprise "
                    "cannot read it (an unknown scheme, or a part the service needs is "
                    f"missing); see the URL formats at {URL_HELP}")
        return self

    def after_build(self, results: Sequence[ReportResult], exit_code: int, output_dir: Path,
                    built_at: str = "", commit: str | None = None) -> None:
        """Send the message of a build that ran, when ``notify_on`` asks for it."""
        if wanted(self.notify_on, exit_code, results):
            self.send(compose_notice(results, exit_code, output_dir, self.portal_url,
                                     built_at, commit))

    def after_error(self, error: str, exit_code: int, output_dir: Path | None) -> None:
        """Send the message of a build that could not run, or was stopped."""
        if wanted(self.notify_on, exit_code, None):
            self.send(compose_failure(error, exit_code, output_dir, self.portal_url))

    def send(self, notice: Notice) -> int:
        """Send ``notice`` to every URL; return how many took it. Never raises: a URL that
        fails is logged (by scheme and host) and the others are still tried."""
        import apprise

        self.sent.append(notice)
        delivered = 0
        for number, url in enumerate(self.urls, 1):
            where = f"notification {number} of {len(self.urls)} ({describe_url(url)})"
            try:
                with _quiet_loggers():
                    sender = apprise.Apprise()
                    sender.add(url)
                    ok = bool(sender.notify(title=notice.title, body=notice.body,
                                            notify_type=notice.kind,
                                            body_format=apprise.NotifyFormat.TEXT))
            except Exception as exc:  # noqa: BLE001  (a notification never fails the build;
                # its message may quote the URL: only its type is logged)
                log.warning("%s was not sent: apprise raised %s; the build's result is "
                            "unchanged", where, type(exc).__name__)
                continue
            if ok:
                delivered += 1
                log.info("%s sent", where)
            else:
                log.warning("%s was not delivered: the service refused it or could not be "
                            "reached (apprise's own messages are not logged, as they may quote "
                            "the URL's secrets; try the URL by hand: apprise -vv -b test URL); "
                            "the build's result is unchanged", where)
        return delivered
