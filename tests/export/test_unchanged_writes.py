"""Atomic writes leave a file that already holds the new bytes alone, replace any other."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from personagen.atomic import holds, write_bytes_atomic, write_text_atomic
from personagen.errors import InputError, WriteError


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


def test_identical_bytes_leave_inode_and_mtime_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "out" / "copy.json"
    write_text_atomic(path, '{"a": 1}\n')
    before = _identity(path)
    write_text_atomic(path, '{"a": 1}\n')
    assert _identity(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["copy.json"]  # no temp left


@pytest.mark.parametrize(
    "old, new",
    [
        (b"same size A", b"same size B"),  # equal size, other bytes
        (b"short", b"a longer text"),
        (b"a longer text", b"short"),
        (b"prefix", b"prefix and more"),
        (b"", b"x"),
        (b"x", b""),
    ],
)
def test_changed_bytes_are_replaced(tmp_path: Path, old: bytes, new: bytes) -> None:
    path = tmp_path / "f.txt"
    write_bytes_atomic(path, old)
    inode = os.stat(path).st_ino
    write_bytes_atomic(path, new)
    assert path.read_bytes() == new
    assert os.stat(path).st_ino != inode  # a new file renamed in place, not edited


def test_an_empty_file_written_empty_again_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    write_bytes_atomic(path, b"")
    before = _identity(path)
    write_bytes_atomic(path, b"")
    assert _identity(path) == before


def test_a_link_to_a_file_with_the_same_bytes_is_still_refused(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("same")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        write_text_atomic(link, "same")
    assert link.is_symlink()


def test_a_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe"):
        write_text_atomic(fifo, "data")
    assert not holds(fifo, b"")  # the comparison alone never blocks on a pipe either


def test_holds_compares_size_then_content(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert holds(path, b"abc")
    assert not holds(path, b"abd") and not holds(path, b"ab") and not holds(path, b"abcd")
    assert not holds(tmp_path / "missing", b"")
    assert not holds(tmp_path, b"")  # a folder is no match


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_changed_file_in_a_read_only_folder_is_a_write_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "f.txt").write_text("old")
    folder.chmod(0o555)
    try:
        write_text_atomic(folder / "f.txt", "old")  # nothing to write: no error
        with pytest.raises(WriteError):
            write_text_atomic(folder / "f.txt", "new")
        assert (folder / "f.txt").read_text() == "old"
    finally:
        folder.chmod(0o755)


def test_a_replaced_file_still_follows_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")
    path.chmod(0o600)
    previous = os.umask(0o022)
    try:
        write_text_atomic(path, "new")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_os_error_on_a_changed_file_is_a_write_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(WriteError):
        write_text_atomic(blocker / "f.txt", "new")
