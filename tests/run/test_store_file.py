"""The run store's file: private to its user, refused (never replaced) when it is not a store."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from personagen.errors import StoreError
from personagen.store import Store
from personagen.store_file import store_failure


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under the umask given as its parameter."""
    old = os.umask(request.param)
    try:
        yield int(request.param)
    finally:
        os.umask(old)


@pytest.mark.parametrize("umask", [0o022, 0o000, 0o277], indirect=True)
def test_a_new_store_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "home"
    store = Store(home / "personagen.sqlite3")
    store.put_response("k", "task", b"a note's words")  # the -wal and -shm files now exist
    side = [store.path.with_name(store.path.name + s) for s in ("-wal", "-shm")]
    assert _mode(home) == 0o700
    assert [_mode(p) for p in (store.path, *side)] == [0o600, 0o600, 0o600]
    assert store.warnings == []
    store.close()


def test_an_existing_loose_store_is_made_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Store(home / "personagen.sqlite3").close()
    path = home / "personagen.sqlite3"
    wal = home / "personagen.sqlite3-wal"
    wal.touch()
    for loose, mode in ((home, 0o755), (path, 0o644), (wal, 0o666)):
        loose.chmod(mode)
    store = Store(path)
    assert [_mode(p) for p in (home, path, wal)] == [0o700, 0o600, 0o600]
    assert store.warnings == []
    store.close()


def test_a_loose_store_of_another_user_is_left_as_is_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "home" / "personagen.sqlite3"
    Store(path).close()
    path.chmod(0o644)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(path).st_uid + 1)
    store = Store(path)
    assert _mode(path) == 0o644
    assert any(w.startswith(f"{path}: other users may read the run store") for w in store.warnings)
    store.close()


def test_a_store_whose_mode_cannot_be_changed_still_opens_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "home" / "personagen.sqlite3"
    Store(path).close()
    path.chmod(0o644)

    def refuse(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refuse)
    store = Store(path)
    assert store.warnings[0] == (
        f"{path}: other users may read the run store (mode 644) and it could not be made "
        "private (operation not permitted)"
    )
    assert all("could not be made private" in w for w in store.warnings)  # -wal, -shm too
    assert store.runs() == []
    store.close()


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(5000))


def _truncated(path: Path) -> None:
    _filled(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _short_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)


def _pages_overwritten(path: Path) -> None:
    _filled(path)
    data = bytearray(path.read_bytes())
    noise = random.Random(2)
    for offset in range(4096, len(data), 4096):  # every page but the first (the header)
        data[offset : offset + 200] = noise.randbytes(200)
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    db.close()


def _filled(path: Path) -> None:
    store = Store(path)
    for n in range(200):
        store.put_response(f"k{n}", "task", b"x" * 3000)
    store.start_run("spring", "campaign.yaml", "gpt-4.1-mini")
    store.close()


DAMAGED = "not a personagen run store, or a damaged one"
DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "random bytes": (_random_bytes, f"{DAMAGED} (file is not a database)"),
    "truncated": (_truncated, "database disk image is malformed"),
    "shorter than a header": (_short_header, DAMAGED),
    "pages overwritten": (_pages_overwritten, "database disk image is malformed"),
    "another program's database": (_foreign, "not a personagen run store (its tables: invoices)"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_or_foreign_store_is_refused_and_kept(
    tmp_path: Path, damage: tuple[Callable[[Path], None], str]
) -> None:
    make, cause = damage
    path = tmp_path / "home" / "personagen.sqlite3"
    path.parent.mkdir()
    make(path)
    path.chmod(0o644)
    before = path.read_bytes()
    opened = False
    with pytest.raises(StoreError) as caught:
        store = Store(path)
        opened = True  # a store of ours (its tables are there), so its mode is made private
        store.runs()  # damage deep in the file shows when it is read
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and cause in message, message
    assert "move it aside" in message and "PERSONAGEN_HOME" in message
    assert path.read_bytes() == before  # never repaired, replaced or deleted
    assert opened or _mode(path) == 0o644  # a file refused at once keeps even its mode


def test_a_folder_at_the_store_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "personagen.sqlite3"
    path.mkdir(parents=True)
    with pytest.raises(StoreError, match="is a folder, not a personagen run store"):
        Store(path)


def test_a_file_where_the_store_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("notes")
    with pytest.raises(StoreError, match="the run store's folder is a file"):
        Store(tmp_path / "home" / "personagen.sqlite3")


def _disk_full_after_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections to the store may not grow it past its current size: SQLITE_FULL."""
    connect = sqlite3.connect

    def full(*args: object, **kwargs: object) -> sqlite3.Connection:
        db = connect(*args, **kwargs)  # type: ignore[arg-type]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return db

    monkeypatch.setattr(sqlite3, "connect", full)


def test_a_full_disk_under_the_store_is_one_error_and_keeps_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "home" / "personagen.sqlite3"
    Store(path).close()
    _disk_full_after_setup(monkeypatch)
    store = Store(path)
    store.put_response("small", "task", b"fits in a free page")
    with pytest.raises(StoreError) as caught:
        store.put_response("big", "task", b"x" * 50_000)
    assert str(caught.value).startswith(f"{path}: cannot write the run store: the disk is full")
    assert store.get_response("small") == b"fits in a free page"
    store.close()


def test_a_full_disk_when_the_store_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _disk_full_after_setup(monkeypatch)
    path = tmp_path / "home" / "personagen.sqlite3"
    with pytest.raises(StoreError, match="the disk is full"):
        Store(path)


def _sqlite_error(message: str, code: int) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("message", "code", "said"),
    [
        ("database is locked", 5, "stayed locked by another process (database is locked)"),
        ("disk I/O error", 10 | (3 << 8), "cannot read or write the run store (disk I/O error)"),
        ("attempt to write a readonly database", 8, "cannot read or write the run store"),
        ("database or disk is full", 13, "the disk is full (database or disk is full)"),
        ("database disk image is malformed", 11, "not a personagen run store, or a damaged"),
        ("no such column: x", 1, "the run store failed (no such column: x)"),
    ],
)
def test_sqlite_errors_say_what_happened_to_which_file(message: str, code: int, said: str) -> None:
    path = Path("/data/personagen.sqlite3")
    text = str(store_failure(path, _sqlite_error(message, code)))
    assert text.startswith(f"{path}: ") and said in text, text


def test_a_new_store_gets_all_its_tables_at_once_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process opening the store at the same moment must never see some of its
    tables (that reads as another program's database): a failure while creating them
    leaves none behind."""
    import personagen.store

    monkeypatch.setattr(
        personagen.store, "SCHEMA", personagen.store.SCHEMA + "\nCREATE TABLE runs (x);"
    )
    path = tmp_path / "personagen.sqlite3"
    with pytest.raises(StoreError):
        Store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == []
    monkeypatch.undo()
    Store(path).close()
