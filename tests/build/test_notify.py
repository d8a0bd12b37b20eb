"""Notifications (``coopreport build --notify URL``): the message, where it goes, when, and
that its secrets stay out of the logs.

Every message goes to a local JSON webhook (pytest-httpserver, an HTTP server in a thread on
an ephemeral port of 127.0.0.1, through apprise's ``json://`` scheme) or to a closed local
port; nothing leaves the machine. The fixture build results and the expected messages are
written by hand.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from analysis.build.notify import Notifier, compose_notice, describe_url, wanted
from analysis.build.records import ReportResult
from analysis.cli import main
from analysis.core.errors import EXIT_UNAVAILABLE, ParameterError, UnavailableError

WAIT = 10  # seconds to wait for the webhook at most (it answers at once)
PORTAL = "https://reports.example.org/coop/"
# secrets a notification URL may carry: none may reach a log, an error or a message
SECRETS = ("s3cr3t-pw", "tok-9f8e7d")


def fixture_results() -> list[ReportResult]:
    """A build of five reports: one ok, one with a warning, two up to date, one failed."""
    return [
        ReportResult("uzb-profile", "Uzbekistan", "ok", 4.0),
        ReportResult("aze-profile", "Azerbaijan", "warning", 3.0, warnings=[
            "no activities for AZE in 2020–2024: the report shows only zeros"]),
        ReportResult("kaz-profile", "Kazakhstan", "skipped", 0.0),
        ReportResult("uzb-kaz-spcr", "Uzbekistan SPCR", "failed", 2.0,
                     error="the notebook raised ValueError: no peer\n  in cell 4"),
        ReportResult("tjk-profile", "Tajikistan", "skipped", 0.0),
    ]


EXPECTED_TITLE = ("coopreport build FAILED: 5 report(s): 2 built (1 with warnings), 2 up to "
                  "date, 1 failed")
EXPECTED_BODY = """\
5 report(s): 2 built (1 with warnings), 2 up to date, 1 failed (exit 1).

Failed:
- uzb-kaz-spcr: the notebook raised ValueError: no peer in cell 4 (what went wrong: \
https://reports.example.org/coop/_failed/uzb-kaz-spcr.html)

Warnings:
- aze-profile: no activities for AZE in 2020–2024: the report shows only zeros

Portal: https://reports.example.org/coop/index.html
Summary: https://reports.example.org/coop/build-summary.json
Build of 2026-12-07T05:30:00Z, commit abc1234."""


def hook_url(server: HTTPServer, secret: bool = False) -> str:
    auth = f"bot:{SECRETS[0]}@" if secret else ""
    query = f"?token={SECRETS[1]}" if secret else ""
    return f"json://{auth}127.0.0.1:{server.port}/hook{query}"


def closed_port() -> int:
    with socket.socket() as probe:  # a local port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def messages(server: HTTPServer) -> list[dict[str, object]]:
    return [json.loads(request.get_data(as_text=True)) for request, _ in server.log]


@pytest.mark.parametrize(("url", "shown"), [
    (f"json://bot:{SECRETS[0]}@127.0.0.1:8080/hook?token={SECRETS[1]}", "json://127.0.0.1:8080"),
    (f"mailto://me:{SECRETS[0]}@mail.example.org", "mailto://mail.example.org"),
    (f"matrix://bot:{SECRETS[0]}@matrix.example.org/#room", "matrix://matrix.example.org"),
    ("jsons://[::1]:9000/hook", "jsons://[::1]:9000"),
    (f"tgram://123456789:{SECRETS[1]}/987654", "tgram://…"),  # the bot's token is the host
    (f"slack://T1JJ3T3L2/A1BRTD4JD/{SECRETS[1]}", "slack://…"),
    (f"ntfy://{SECRETS[1]}", "ntfy://…"),  # a topic: anyone who knows it reads it
    ("json://localhost/hook", "json://localhost"),
])
def test_a_url_is_named_by_its_scheme_and_host_only(url, shown):
    assert describe_url(url) == shown


def test_the_message_counts_and_lists_failures_and_warnings():
    notice = compose_notice(fixture_results(), 1, Path("/srv/out"), PORTAL.rstrip("/"),
                            "2026-12-07T05:30:00Z", "abc1234")
    assert (notice.title, notice.body, notice.kind) == (EXPECTED_TITLE, EXPECTED_BODY, "failure")


def test_without_a_portal_address_the_links_are_paths():
    results = [ReportResult("uzb-profile", "Uzbekistan", "ok", 4.0)]
    notice = compose_notice(results, 0, Path("/srv/out"))
    assert notice.title == "coopreport build ok: 1 report(s): 1 built, 0 up to date, 0 failed"
    assert notice.body == ("1 report(s): 1 built, 0 up to date, 0 failed (exit 0).\n\n"
                           "Portal: /srv/out/index.html\nSummary: /srv/out/build-summary.json")
    assert notice.kind == "success"


def test_a_local_webhook_receives_exactly_one_message(httpserver: HTTPServer):
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    notifier = Notifier([hook_url(httpserver)], portal_url=PORTAL).check()
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        notifier.after_build(fixture_results(), 1, Path("/srv/out"), "2026-12-07T05:30:00Z",
                             "abc1234")
    assert waiting.result
    [message] = messages(httpserver)
    assert (message["title"], message["message"], message["type"]) == (
        EXPECTED_TITLE, EXPECTED_BODY, "failure")


def test_a_dead_url_is_logged_without_its_secrets_and_the_next_one_still_gets_it(
        httpserver: HTTPServer, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]):
    caplog.set_level("DEBUG")  # every logger, apprise's and urllib3's included
    dead = f"json://bot:{SECRETS[0]}@127.0.0.1:{closed_port()}/hook?token={SECRETS[1]}"
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    notifier = Notifier([dead, hook_url(httpserver, secret=True)]).check()
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        assert notifier.send(compose_notice(fixture_results(), 1, Path("/srv/out"))) == 1
    assert waiting.result
    assert len(messages(httpserver)) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"notification 1 of 2 ({describe_url(dead)}) was not "
                                  "delivered")
    assert describe_url(dead).startswith("json://127.0.0.1:")
    printed = capfd.readouterr()
    for secret in SECRETS:
        assert secret not in caplog.text + printed.out + printed.err + repr(notifier)


@pytest.mark.parametrize(("notify_on", "exit_code", "statuses", "expected"), [
    ("changes", 0, ["skipped", "skipped"], False),  # nothing built: no message
    ("changes", 0, ["ok", "skipped"], True),
    ("changes", 0, None, True),  # the build could not run (and yet exit 0 cannot happen)
    ("failure", 0, ["ok", "warning"], False),
    ("failure", 1, ["ok", "warning"], True),  # --strict made the warning fail the build
    ("failure", 2, None, True),
    ("always", 0, ["skipped"], True),
])
def test_when_a_message_is_sent(notify_on, exit_code, statuses, expected):
    results = None if statuses is None else [
        ReportResult(f"r{i}", "R", s, 0.0) for i, s in enumerate(statuses)]
    assert wanted(notify_on, exit_code, results) is expected


def test_an_unreadable_url_is_refused_before_the_build_without_its_secret():
    with pytest.raises(ParameterError) as caught:
        Notifier(["json://x.example.org/hook", f"nosuchservice://{SECRETS[1]}"]).check()
    assert str(caught.value).startswith("--notify URL 2 of 2 (nosuchservice://…): apprise "
                                        "cannot read it")
    assert SECRETS[1] not in str(caught.value)


def test_without_apprise_notify_says_which_extra_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "apprise", None)  # as if it were not installed
    with pytest.raises(UnavailableError):
        Notifier(["json://127.0.0.1:1/hook"]).check()
    code = main(["build", "--all", "--output-dir", str(tmp_path / "out"),
                 "--notify", f"json://bot:{SECRETS[0]}@127.0.0.1:1/hook"])
    assert code == EXIT_UNAVAILABLE == 69
    err = capsys.readouterr().err
    assert "--notify needs the apprise library" in err
    assert "pip install 'coopreport[notify]'" in err
    assert SECRETS[0] not in err
    assert not (tmp_path / "out").exists()


def test_a_build_that_cannot_start_sends_its_error(httpserver: HTTPServer, tmp_path, capsys):
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    missing = tmp_path / "missing.yaml"
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        code = main(["build", str(missing), "--output-dir", str(tmp_path / "out"),
                     "--notify", hook_url(httpserver, secret=True)])
    assert code == 2 and waiting.result
    [message] = messages(httpserver)
    assert message["type"] == "failure"
    assert str(message["title"]).startswith("coopreport build FAILED (exit 2): ")
    assert "missing.yaml" in str(message["message"])
    err = capsys.readouterr().err
    assert all(secret not in err for secret in SECRETS)


def test_a_refused_command_line_sends_one_message(httpserver: HTTPServer, tmp_path):
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        code = main(["build", "--all", "--jobs", "-1", "--output-dir", str(tmp_path / "out"),
                     "--notify", hook_url(httpserver)])
    assert code == 2 and waiting.result
    [message] = messages(httpserver)
    assert message["title"] == ("coopreport build FAILED (exit 2): the build did not start: "
                                "its command line was refused (the log says why)")


@pytest.mark.slow
def test_a_real_build_notifies_its_failure_then_only_what_notify_on_asks(
        httpserver: HTTPServer, tmp_path):
    """Two tiny reports, one failing: one message with the counts and the failure's page; the
    same build with nothing changed sends nothing by default and one message with --notify-on
    always. (Done-when of issue 28: a notification reaches a local test webhook.)"""
    from tests.build.test_build import OPT_IN, params_file

    out = tmp_path / "out"
    good = params_file(tmp_path, "good", label="first")
    flaky = params_file(tmp_path, "flaky", label="v1", fail=True)
    args = ["build", OPT_IN, "--output-dir", str(out), "--jobs", "1", "--renderer", "builtin",
            "--portal-url", PORTAL, "--notify", hook_url(httpserver, secret=True)]
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        assert main([*args, str(good), str(flaky)]) == 1
    assert waiting.result
    [message] = messages(httpserver)
    assert message["title"] == ("coopreport build FAILED: 2 report(s): 1 built, 0 up to date, "
                                "1 failed")
    assert message["type"] == "failure"
    body = str(message["message"]).splitlines()
    assert body[:3] == ["2 report(s): 1 built, 0 up to date, 1 failed (exit 1).", "",
                        "Failed:"]
    assert body[3].startswith("- flaky: ")
    assert body[3].endswith(f"(what went wrong: {PORTAL}_failed/flaky.html)")
    assert (out / "_failed" / "flaky.html").is_file()  # the page the link names
    assert f"Portal: {PORTAL}index.html" in body

    httpserver.clear_log()
    assert main([*args, str(good)]) == 0  # nothing to do, and --notify-on changes: silent
    assert messages(httpserver) == []
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        assert main([*args, "--notify-on", "always", str(good)]) == 0
    assert waiting.result
    [message] = messages(httpserver)
    assert (message["title"], message["type"]) == (
        "coopreport build ok: 1 report(s): 0 built, 1 up to date, 0 failed", "info")


def test_urls_in_the_environment_are_used_once_each(httpserver: HTTPServer, tmp_path,
                                                     monkeypatch):
    """COOPREPORT_NOTIFY carries URLs without showing them on a command line; one also given
    with --notify gets one message, not two."""
    url = hook_url(httpserver, secret=True)
    monkeypatch.setenv("COOPREPORT_NOTIFY", f"  {url}\n")
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        code = main(["build", str(tmp_path / "missing.yaml"), "--output-dir",
                     str(tmp_path / "out"), "--notify", url])
    assert code == 2 and waiting.result
    assert len(messages(httpserver)) == 1


def test_a_stopped_build_sends_its_signal(httpserver: HTTPServer, tmp_path, monkeypatch):
    """A build stopped by SIGTERM (a scheduler's time limit) says so, then exits 143 as before."""
    import signal

    from analysis.build.signals import BuildInterrupted
    from analysis.cli import commands

    def stopped(*args: object) -> int:  # the build's signal handler raises this mid-build
        raise BuildInterrupted(signal.SIGTERM)

    monkeypatch.setattr(commands, "_cmd_build", stopped)
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        code = main(["build", "--all", "--output-dir", str(tmp_path / "out"),
                     "--notify", hook_url(httpserver), "--notify-on", "failure"])
    assert code == 143 and waiting.result
    [message] = messages(httpserver)
    assert message["title"] == ("coopreport build FAILED (exit 143): stopped by SIGTERM; the "
                                "reports that had finished were published")


def test_the_projects_notify_setting_is_used_without_the_option(httpserver: HTTPServer,
                                                                 tmp_path, monkeypatch):
    """coopreport.yaml's `notify:` list tells about every build, as --notify does."""
    url = hook_url(httpserver, secret=True)
    project = tmp_path / "project"
    project.mkdir()
    (project / "coopreport.yaml").write_text(f"notify: ['{url}']\n", encoding="utf-8")
    monkeypatch.setenv("COOPREPORT_ROOT", str(project))
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        code = main(["build", str(tmp_path / "missing.yaml"), "--output-dir",
                     str(tmp_path / "out")])
    assert code == 2 and waiting.result
    [message] = messages(httpserver)
    assert "missing.yaml" in str(message["message"])


def test_a_url_both_in_the_settings_and_on_the_command_line_gets_one_message(
        httpserver: HTTPServer, tmp_path, monkeypatch):
    url = hook_url(httpserver, secret=True)
    project = tmp_path / "project"
    project.mkdir()
    (project / "coopreport.yaml").write_text(f"notify: ['{url}']\n", encoding="utf-8")
    monkeypatch.setenv("COOPREPORT_ROOT", str(project))
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    with httpserver.wait(raise_assertions=True, stop_on_nohandler=True, timeout=WAIT) as waiting:
        code = main(["build", str(tmp_path / "missing.yaml"), "--output-dir",
                     str(tmp_path / "out"), "--notify", url])
    assert code == 2 and waiting.result
    assert len(messages(httpserver)) == 1


def test_a_bad_notify_setting_stops_the_build_naming_the_file(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    project.mkdir()
    (project / "coopreport.yaml").write_text("notify: json://localhost/hook\n",
                                             encoding="utf-8")
    monkeypatch.setenv("COOPREPORT_ROOT", str(project))
    assert main(["build", "--all", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "coopreport.yaml" in err and "notify" in err
    assert not (tmp_path / "out").exists()
