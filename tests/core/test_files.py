"""One atomic write for every file the toolkit replaces, and one file fingerprint."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from analysis.core import files
from analysis.core.files import atomic_write, sha256_file


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_sha256_of_a_file_is_that_of_its_bytes(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    # the SHA-256 test vector of "abc" (FIPS 180-2, appendix B.1)
    assert sha256_file(path) == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 20_000)  # read in blocks, not all at once
    assert sha256_file(big) == hashlib.sha256(bytes(range(256)) * 20_000).hexdigest()


def test_text_is_written_as_utf8_and_replaces_the_file(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old", encoding="utf-8")
    assert atomic_write(target, "новый ✓") == target
    assert target.read_bytes() == "новый ✓".encode()
    assert leftovers(tmp_path) == []


def test_the_mode_of_a_new_file_comes_from_the_umask(tmp_path):
    before = os.umask(0o027)
    try:
        atomic_write(tmp_path / "a.txt", b"x")
    finally:
        os.umask(before)
    assert mode_of(tmp_path / "a.txt") == 0o640  # 0o666 less 0o027


def test_an_explicit_mode_is_kept(tmp_path):
    atomic_write(tmp_path / "a.csv", b"x", mode=0o600)
    assert mode_of(tmp_path / "a.csv") == 0o600


def test_a_check_that_refuses_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "registry.csv"
    target.write_text("old", encoding="utf-8")
    seen = []

    def refuse(temporary):
        seen.append(temporary.read_text(encoding="utf-8"))  # complete before the check
        raise ValueError("does not validate")

    with pytest.raises(ValueError, match="does not validate"):
        atomic_write(target, "new", before_replace=refuse)
    assert seen == ["new"]
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("step", ["write", "replace"])
def test_a_full_disk_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch, step):
    """The disk fills up while the new content is written, or at the rename."""
    target = tmp_path / "index.html"
    target.write_text("old", encoding="utf-8")

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, step, full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_a_reader_sees_the_old_content_or_the_new_never_a_part(tmp_path, monkeypatch):
    """Until the rename the target holds the old bytes; the rename is the only change."""
    target = tmp_path / "summary.json"
    target.write_text("old", encoding="utf-8")
    during = []
    rename = os.replace

    def watched(src, dst):
        during.append(target.read_text(encoding="utf-8"))  # the moment before the switch
        rename(src, dst)

    monkeypatch.setattr(files.os, "replace", watched)
    atomic_write(target, "new")
    assert during == ["old"]
    assert target.read_text(encoding="utf-8") == "new"
