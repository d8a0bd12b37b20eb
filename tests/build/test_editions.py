"""The output folder as editions: claimed only when it is ours, published with one rename, never
a mix of two editions, whatever moment the publishing process is killed at."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis.build import editions
from analysis.core.errors import BuildError


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_new_or_empty_folder_is_claimed_and_marked(tmp_path):
    for out in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        out.mkdir(parents=True, exist_ok=True) if out.name == "empty" else None
        editions.claim(out)
        marker = json.loads((out / editions.MARKER).read_text(encoding="utf-8"))
        assert marker == {"tool": "coopreport", "layout": 1}
        editions.claim(out)  # ours now: claiming again is fine


def test_a_folder_with_files_coopreport_did_not_make_is_refused_and_left_alone(tmp_path):
    write(tmp_path, "index.html", "<p>the team's own page</p>")
    (tmp_path / ".build").mkdir()
    with pytest.raises(BuildError) as caught:
        editions.claim(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path} holds files coopreport did not make (.build, index.html); it never "
        "replaces or deletes them: build into a new or empty folder, or into one coopreport "
        "built into before")
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "<p>the team's own page</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build", "index.html"]


def test_names_the_caller_keeps_do_not_make_a_folder_foreign(tmp_path):
    write(tmp_path, ".coopreport.lock", "")
    editions.claim(tmp_path, own_names=frozenset({".coopreport.lock"}))
    assert (tmp_path / editions.MARKER).is_file()


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    write(tmp_path, "out", "x")
    with pytest.raises(BuildError, match="is a file, not a folder"):
        editions.claim(tmp_path / "out")
    with pytest.raises(BuildError, match="cannot make the output folder"):
        editions.claim(tmp_path / "out" / "below")


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="runs as root (or not on POSIX): root writes to read-only folders, "
                           "so a read-only output folder cannot be shown refused here")
def test_a_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(BuildError, match="is not writable"):
            editions.claim(tmp_path)
    finally:
        tmp_path.chmod(0o755)


def publish_edition(out: Path, files: dict[str, str]) -> Path:
    edition = editions.begin(out)
    for name, text in files.items():
        write(edition, name, text)
    editions.publish(out, edition)
    return edition


def test_publishing_switches_every_file_at_once_through_stable_links(tmp_path):
    editions.claim(tmp_path)
    first = publish_edition(tmp_path, {"a.html": "a1", "a.pdf": "a1", "index.html": "1"})
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "a1"
    assert os.readlink(tmp_path / "a.html") == os.path.join("current", "a.html")

    second = editions.begin(tmp_path)
    # the new edition starts as a copy of the published one; writing to it changes nothing
    # a reader sees
    assert (second / "a.pdf").read_text(encoding="utf-8") == "a1"
    for name in ("a.html", "a.pdf"):
        write(second, name, "a2")
    write(second, "b.html", "b2")
    write(second, "index.html", "2")
    # until it is published, readers see the first edition only
    seen = [(tmp_path / n).read_text(encoding="utf-8") for n in ("a.html", "a.pdf", "index.html")]
    assert seen == ["a1", "a1", "1"]
    assert not (tmp_path / "b.html").exists()
    editions.publish(tmp_path, second)
    assert [(tmp_path / n).read_text(encoding="utf-8")
            for n in ("a.html", "a.pdf", "b.html", "index.html")] == ["a2", "a2", "b2", "2"]
    assert (first / "a.html").read_text(encoding="utf-8") == "a1"  # the previous stays


def test_links_to_names_an_edition_dropped_are_removed_and_foreign_files_kept(tmp_path):
    editions.claim(tmp_path)
    publish_edition(tmp_path, {"old.html": "x", "keep.html": "k"})
    edition = editions.begin(tmp_path)
    (edition / "old.html").unlink()
    editions.publish(tmp_path, edition)
    assert not (tmp_path / "old.html").exists() and not (tmp_path / "old.html").is_symlink()
    assert (tmp_path / "keep.html").read_text(encoding="utf-8") == "k"


def test_editions_of_killed_builds_are_removed_but_never_the_published_or_previous(tmp_path):
    editions.claim(tmp_path)
    first = publish_edition(tmp_path, {"a.html": "1"})
    second = publish_edition(tmp_path, {"a.html": "2"})
    killed = editions.begin(tmp_path)  # a build that never published
    write(killed, "a.html", "never seen")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "2"
    third = editions.begin(tmp_path)  # the next build cleans up first
    assert not killed.exists()
    assert first.exists() and second.exists()  # the one before the published one, and it
    editions.publish(tmp_path, third)
    editions.begin(tmp_path)
    assert not first.exists()  # older than the previous edition now: gone
    assert second.exists() and third.exists()


PUBLISHER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from analysis.build import editions

    out = Path(sys.argv[1])
    editions.claim(out)
    for number in range(1, 10_000):
        edition = editions.begin(out)
        for name in ("r1.html", "r1.pdf", "r2.html", "r2.pdf", "index.html"):
            (edition / name).write_text(f"edition {number}", encoding="utf-8")
        editions.publish(out, edition)
        print(number, flush=True)
""")


def test_a_publisher_killed_at_random_moments_never_leaves_a_mix(tmp_path):
    script = tmp_path / "publisher.py"
    script.write_text(PUBLISHER, encoding="utf-8")
    out = tmp_path / "out"
    chance = random.Random(20261130)
    for _ in range(12):
        process = subprocess.Popen([sys.executable, str(script), str(out)],
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        wanted = chance.randint(1, 6)  # editions to see published before the kill
        for _seen in range(wanted):
            assert process.stdout.readline(), "the publisher stopped early"
        process.send_signal(signal.SIGKILL)  # mid-way through some later step
        process.wait(timeout=60)
        texts = {(out / name).read_text(encoding="utf-8")
                 for name in ("r1.html", "r1.pdf", "r2.html", "r2.pdf", "index.html")}
        assert len(texts) == 1, texts  # one edition, never a mix
    # and the folder stays usable: one more complete run publishes normally
    editions.claim(out)
    publish_edition(out, {"r1.html": "final", "index.html": "final"})
    assert (out / "r1.html").read_text(encoding="utf-8") == "final"
    assert len([p for p in (out / editions.EDITIONS).iterdir() if p.name.startswith("e-")]) <= 3


class Watched:
    """``os`` for the editions module, checking before and after each call that changes the
    folder that readers see, at that moment, one whole edition through the stable names."""

    CHANGES = ("replace", "rename", "symlink", "unlink", "remove", "rmdir")

    def __init__(self, out: Path, names: tuple[str, ...]) -> None:
        self.out, self.names, self.checked = out, names, 0

    def check(self, when: str) -> None:
        seen = {(self.out / n).read_text(encoding="utf-8") if (self.out / n).exists() else None
                for n in self.names}
        assert len(seen) == 1 and None not in seen, f"{when}: readers see {seen}"
        self.checked += 1

    def __getattr__(self, name: str) -> object:
        real = getattr(os, name)
        if name not in self.CHANGES:
            return real

        def changing(*args: object, **kwargs: object) -> object:
            self.check(f"before os.{name}{args}")
            result = real(*args, **kwargs)
            self.check(f"after os.{name}{args}")
            return result
        return changing


NAMES = ("r1.html", "r1.pdf", "index.html")


def test_readers_see_one_whole_edition_between_any_two_steps_of_publishing(tmp_path,
                                                                            monkeypatch):
    """Deterministic, unlike the kill drill below: every file-system step publish takes is
    checked from a reader's side, before and after."""
    editions.claim(tmp_path)
    publish_edition(tmp_path, dict.fromkeys(NAMES, "one"))
    watched = Watched(tmp_path, NAMES)
    monkeypatch.setattr(editions, "os", watched)
    publish_edition(tmp_path, dict.fromkeys(NAMES, "two"))
    assert watched.checked > 4
    assert {(tmp_path / n).read_text(encoding="utf-8") for n in NAMES} == {"two"}


def test_the_check_catches_a_switch_that_is_not_atomic(tmp_path, monkeypatch):
    """The same check on the current link switched the naive way (remove it, then make it):
    it fails, so the test above can fail (code review, M19)."""
    def naive(target: Path, points_to: str) -> None:
        os.unlink(editions.os.fspath(target)) if target.is_symlink() else None
        editions.os.symlink(points_to, target)

    editions.claim(tmp_path)
    publish_edition(tmp_path, dict.fromkeys(NAMES, "one"))
    monkeypatch.setattr(editions, "os", Watched(tmp_path, NAMES))
    monkeypatch.setattr(editions, "_replace_link", naive)
    with pytest.raises(AssertionError, match="readers see"):
        publish_edition(tmp_path, dict.fromkeys(NAMES, "two"))


def test_a_disk_out_of_inodes_while_linking_publishes_nothing(tmp_path, monkeypatch):
    editions.claim(tmp_path)
    publish_edition(tmp_path, {"a.html": "a1", "index.html": "1"})
    symlink = os.symlink

    def out_of_inodes(source, target, *args, **kwargs):
        if "c.html" in os.fspath(target):
            raise OSError(28, "No space left on device")
        return symlink(source, target, *args, **kwargs)

    monkeypatch.setattr(editions.os, "symlink", out_of_inodes)
    with pytest.raises(BuildError, match="cannot publish the new edition") as caught:
        publish_edition(tmp_path, {"a.html": "a2", "b.html": "b2", "c.html": "c2",
                                   "index.html": "2"})
    assert caught.value.exit_code == 74
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "a1"  # the old edition
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "1"
    assert not (tmp_path / "b.html").is_symlink()  # no link left to what was not published
    assert not (tmp_path / "c.html").is_symlink()
    monkeypatch.undo()
    publish_edition(tmp_path, {"a.html": "a3", "b.html": "b3", "index.html": "3"})
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == "b3"


@pytest.mark.parametrize("hostile", [
    "../victim/thesis", "/tmp/victim-absolute", "..", "a/../../victim/x", ".", "",
    "victim\x00", "..\\victim",
])
def test_an_old_summary_never_makes_the_claim_delete_outside_the_folder(tmp_path, hostile):
    """A 0.1-style build-summary.json whose report names climb out of the folder (code review,
    3.2): nothing outside the output folder is touched, whatever the name."""
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("thesis.ipynb", "thesis.html", "thesis.pdf", "x.html"):
        write(victim, name, "keep me")
    out = tmp_path / "out"
    out.mkdir()
    write(out, "build-summary.json", json.dumps(
        {"built_at": "x", "renderer": "builtin", "reports": [{"name": hostile}]}))
    try:
        editions.claim(out)
    except BuildError:
        pass  # refused as someone else's folder: fine, as long as nothing was deleted
    assert sorted(p.name for p in victim.iterdir()) == ["thesis.html", "thesis.ipynb",
                                                        "thesis.pdf", "x.html"]
    assert (tmp_path / "out").is_dir()


def test_the_files_of_an_old_layout_are_retired_by_name(tmp_path):
    """The 0.1 layout's own files (named in its summary, inside the folder) are replaced."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("r.html", "r.pdf", "r.ipynb"):
        write(out, name, "old layout")
    (out / "_failed").mkdir()
    write(out / "_failed", "r.ipynb", "old")
    write(out, "index.html", "<p>by coopreport</p>")
    write(out, "build-summary.json", json.dumps(
        {"built_at": "x", "renderer": "builtin", "reports": [{"name": "r"}]}))
    editions.claim(out)
    assert sorted(p.name for p in out.iterdir()) == [editions.MARKER]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750), (0o077, 0o700)])
def test_editions_are_as_readable_as_the_umask_says(tmp_path, umask, mode):
    """A web server or sync job running as another user reads the published reports (editions
    were made 0700 whatever the umask)."""
    before = os.umask(umask)
    try:
        editions.claim(tmp_path)
        edition = publish_edition(tmp_path, {"a.html": "a"})
    finally:
        os.umask(before)
    assert edition.stat().st_mode & 0o777 == mode
    assert (edition / "a.html").stat().st_mode & 0o777 == mode & 0o666


# --- keeping the last N editions (issue 28, deliverable 6) ---

def publish_recorded(out: Path, files: dict[str, str], keep: int | None = None) -> Path:
    """An edition published as a build publishes it: its history lists it after those before
    it (what analysis.build.history writes), then the old ones are pruned to ``keep``."""
    edition = editions.begin(out)
    history = editions.published_editions(edition)
    entries = [{"edition": name} for name in [*history, edition.name]]
    write(edition, editions.HISTORY_NAME, json.dumps(entries))
    for name, text in files.items():
        write(edition, name, text)
    editions.publish(out, edition)
    if keep is not None:
        editions.prune(out, keep)
    return edition


def test_the_last_n_published_editions_are_kept_and_older_ones_removed(tmp_path):
    editions.claim(tmp_path)
    made = [publish_recorded(tmp_path, {"a.html": str(n)}, keep=3) for n in range(1, 6)]
    assert [e.exists() for e in made] == [False, False, True, True, True]
    assert editions.published_editions(made[-1]) == [e.name for e in made]
    # a build of a published edition keeps them: only a killed build's edition is stale
    killed = editions.begin(tmp_path)
    assert [e.exists() for e in made] == [False, False, True, True, True]
    after = editions.begin(tmp_path)
    assert not killed.exists() and after.exists()


def test_keeping_one_edition_still_keeps_the_previous_one_for_its_readers(tmp_path):
    editions.claim(tmp_path)
    first = publish_recorded(tmp_path, {"a.html": "1"}, keep=1)
    second = publish_recorded(tmp_path, {"a.html": "2"}, keep=1)
    assert first.exists() and second.exists()  # first: the previous, a reader may have it open
    third = publish_recorded(tmp_path, {"a.html": "3"}, keep=1)
    assert not first.exists() and second.exists() and third.exists()
    assert editions.kept_editions(tmp_path, 1) == {second.name, third.name}


def test_pruning_never_removes_what_coopreport_did_not_make(tmp_path):
    editions.claim(tmp_path)
    first = publish_recorded(tmp_path, {"a.html": "1"})
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    (outside / "inner").mkdir(parents=True)
    notes = tmp_path / editions.EDITIONS / "notes"
    notes.mkdir()
    (tmp_path / editions.EDITIONS / "e-linked").symlink_to(outside, target_is_directory=True)
    for n in range(2, 5):
        publish_recorded(tmp_path, {"a.html": str(n)}, keep=1)
    assert not first.exists()
    assert notes.is_dir() and (outside / "inner").is_dir()
    assert (tmp_path / editions.EDITIONS / "e-linked").is_symlink()


def test_a_history_naming_a_path_never_reaches_outside_the_editions(tmp_path):
    editions.claim(tmp_path)
    edition = publish_recorded(tmp_path, {"a.html": "1"})
    write(edition, editions.HISTORY_NAME,
          json.dumps([{"edition": "../../victim"}, {"edition": "e-/../x"}, {"edition": 3},
                      {"edition": edition.name}]))
    assert editions.published_editions(edition) == [edition.name]
