"""The run store: SQLite (WAL) holding runs, jobs, finished results and the response cache.

One file under the user directory ($PERSONAGEN_HOME), private to its user (see
`store_file`). Every write is its own short transaction, so a run killed at any moment
loses at most the exchange in flight, and two processes can share the file (SQLite's
locking, with a busy timeout). An SQLite failure is a StoreError naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personagen.paths import home
from personagen.store_file import (
    check_tables,
    prepare_file,
    prepare_folder,
    store_failure,
    tighten,
)
from personagen.store_results import ResultsMixin

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    model TEXT NOT NULL,
    summary TEXT,
    pid INTEGER,
    host TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    run_id TEXT NOT NULL REFERENCES runs(id),
    job_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    job_key TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    usage TEXT,
    updated TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (run_id, job_id)
);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (job_key);
CREATE INDEX IF NOT EXISTS jobs_by_job ON jobs (job_id);
CREATE TABLE IF NOT EXISTS results (
    job_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    result TEXT NOT NULL,
    usage TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    body BLOB NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lineage (
    slot TEXT PRIMARY KEY,
    job_key TEXT NOT NULL,
    persona TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS views (
    folder TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    files TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    run_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (run_id, batch_id)
);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class JobRow:
    """A job as stored."""

    run_id: str
    job_id: str
    kind: str
    job_key: str
    state: str
    attempts: int
    error: str | None
    usage: dict[str, Any]
    updated: str
    detail: list[str]


class Store(ResultsMixin):
    """Access to the SQLite run store; safe to share between asyncio tasks and threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home() / "personagen.sqlite3"
        self.warnings: list[str] = []  # store files others can read that are not ours to fix
        prepare_folder(self.path.parent, self.warnings)
        prepare_file(self.path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        except sqlite3.Error as error:
            raise store_failure(self.path, error) from error
        self._db.row_factory = sqlite3.Row
        try:
            with self._lock:
                self._setup()
        except BaseException as error:
            self._db.close()
            if isinstance(error, sqlite3.Error):
                raise store_failure(self.path, error) from error
            raise
        tighten(self.path, self.warnings)  # only once it is known to be a store

    def _setup(self) -> None:
        """Check the file is a store (before any change to it), then journal mode and tables."""
        self._db.execute("PRAGMA busy_timeout=30000")
        tables = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        check_tables(self.path, {str(row[0]) for row in tables})
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # One transaction: a process opening the store at the same moment sees all of its
        # tables or none, never a part that would read as another program's database.
        self._db.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nCOMMIT;")
        # Stores written before jobs kept their details and runs their process.
        self._add_column("jobs", "detail", "TEXT")
        self._add_column("runs", "pid", "INTEGER")
        self._add_column("runs", "host", "TEXT")

    def _add_column(self, table: str, column: str, kind: str) -> None:
        """Add a column an older store lacks; another process may be adding it too."""
        columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        if column in columns:
            return
        try:
            self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except sqlite3.OperationalError as error:
            if "duplicate column" not in str(error):
                raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        try:
            with self._lock, self._db:
                self._db.execute(sql, params)
        except sqlite3.Error as error:
            raise store_failure(self.path, error) from error

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            with self._lock:
                return list(self._db.execute(sql, params))
        except sqlite3.Error as error:
            raise store_failure(self.path, error) from error

    # Runs and jobs.
    def start_run(self, name: str, source: str, model: str) -> str:
        """Record a new run and return its id."""
        run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self._write(
            "INSERT INTO runs (id, name, source, started, status, model, pid, host) "
            "VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
            (run_id, name, source, _now(), model, os.getpid(), socket.gethostname()),
        )
        return run_id

    def mark_interrupted(self, run_id: str) -> None:
        """Mark a run that is still `running` as interrupted (its process stopped)."""
        self._write(
            "UPDATE runs SET status = 'interrupted', finished = ? "
            "WHERE id = ? AND status = 'running'",
            (_now(), run_id),
        )

    def running_run(self, pid: int, host: str | None = None) -> str | None:
        """The newest run still `running` that process `pid` on `host` (default: here) began."""
        rows = self._read(
            "SELECT id FROM runs WHERE status = 'running' AND pid = ? AND host = ? "
            "ORDER BY started DESC, id DESC LIMIT 1",
            (pid, host if host is not None else socket.gethostname()),
        )
        return str(rows[0]["id"]) if rows else None

    def settle_runs(self) -> list[str]:
        """Mark interrupted every `running` run whose process on this host is gone.

        Runs started on another host, or before runs recorded their process, are left as
        they are: there is no way to tell from here whether they still run.
        """
        rows = self._read(
            "SELECT id, pid FROM runs WHERE status = 'running' AND pid IS NOT NULL AND host = ?",
            (socket.gethostname(),),
        )
        gone = [str(row["id"]) for row in rows if not process_alive(int(row["pid"]))]
        for run_id in gone:
            self.mark_interrupted(run_id)
        return gone

    def job_totals(self, run_id: str) -> dict[str, Any]:
        """Counts, tokens and cost summed from a run's jobs (for runs with no summary)."""
        jobs = self.jobs(run_id)
        totals: dict[str, Any] = {
            state: sum(1 for j in jobs if j.state == state)
            for state in ("done", "reused", "failed", "skipped", "running")
        }
        totals["jobs"] = len(jobs)
        earlier = self.earlier_work(run_id)  # done jobs split as `RunReport.trace` splits them
        totals["regenerated"] = sum(
            1 for j in jobs if j.state == "done" and earlier.get(j.job_id, (None, False))[1]
        )
        totals["written"] = totals["done"] - totals["regenerated"]
        totals["input_tokens"] = sum(int(j.usage.get("input_tokens", 0)) for j in jobs)
        totals["output_tokens"] = sum(int(j.usage.get("output_tokens", 0)) for j in jobs)
        totals["cost_usd"] = round(sum(float(j.usage.get("cost_usd", 0.0)) for j in jobs), 6)
        return totals

    def earlier_work(self, run_id: str) -> dict[str, tuple[str | None, bool]]:
        """Per job of a run: the earliest other run that finished the same inputs (or None),
        and whether another run of the same name did this job on other inputs."""
        rows = self._read(
            "SELECT cur.job_id, (SELECT o.run_id FROM jobs o WHERE o.job_key = cur.job_key "
            "AND o.state = 'done' AND o.run_id != cur.run_id ORDER BY o.updated LIMIT 1) "
            "AS origin, "
            "EXISTS (SELECT 1 FROM jobs o JOIN runs r ON r.id = o.run_id "
            "WHERE o.job_id = cur.job_id AND o.run_id != cur.run_id AND o.job_key != cur.job_key "
            "AND o.state IN ('done', 'reused') AND r.name = (SELECT name FROM runs WHERE id = ?) "
            # runs recorded later do not make this run's work a regeneration (`personagen runs`)
            "AND r.rowid < (SELECT rowid FROM runs WHERE id = ?)) "
            "AS redone FROM jobs cur WHERE cur.run_id = ?",
            (run_id, run_id, run_id),
        )
        return {str(r["job_id"]): (r["origin"], bool(r["redone"])) for r in rows}

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        """Mark a run finished with its summary."""
        self._write(
            "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
            (_now(), status, json.dumps(summary), run_id),
        )

    def set_job(
        self,
        run_id: str,
        job_id: str,
        kind: str,
        job_key: str,
        state: str,
        *,
        error: str | None = None,
        usage: dict[str, Any] | None = None,
        attempt: bool = False,
        detail: list[str] | None = None,
    ) -> None:
        """Insert or update a job's state (and count an attempt when one starts).

        `detail` keeps every problem of a failed job (`runs show --verbose`).
        """
        self._write(
            "INSERT INTO jobs (run_id, job_id, kind, job_key, state, attempts, error, usage, "
            "updated, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(run_id, job_id) DO UPDATE SET job_key = excluded.job_key, "
            "state = excluded.state, attempts = jobs.attempts + excluded.attempts, "
            "error = excluded.error, usage = COALESCE(excluded.usage, jobs.usage), "
            "updated = excluded.updated, detail = excluded.detail",
            (
                run_id,
                job_id,
                kind,
                job_key,
                state,
                int(attempt),
                error,
                json.dumps(usage) if usage is not None else None,
                _now(),
                json.dumps(detail) if detail else None,
            ),
        )

    def jobs(self, run_id: str) -> list[JobRow]:
        """Every job of a run."""
        rows = self._read("SELECT * FROM jobs WHERE run_id = ? ORDER BY job_id", (run_id,))
        return [
            JobRow(
                run_id=row["run_id"],
                job_id=row["job_id"],
                kind=row["kind"],
                job_key=row["job_key"],
                state=row["state"],
                attempts=row["attempts"],
                error=row["error"],
                usage=json.loads(row["usage"]) if row["usage"] else {},
                updated=row["updated"],
                detail=json.loads(row["detail"]) if row["detail"] else [],
            )
            for row in rows
        ]

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent runs, newest first."""
        rows = self._read("SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT ?", (limit,))
        return [
            {**dict(row), "summary": json.loads(row["summary"]) if row["summary"] else {}}
            for row in rows
        ]

    def run(self, run_id: str) -> dict[str, Any] | None:
        """One run by id (or unique id prefix)."""
        rows = self._read("SELECT * FROM runs WHERE id LIKE ? ORDER BY id", (f"{run_id}%",))
        if len(rows) != 1:
            return None
        row = rows[0]
        return {**dict(row), "summary": json.loads(row["summary"]) if row["summary"] else {}}

    # Batch API jobs, so an interrupted wait resumes from the batch id.
    def add_batch(self, run_id: str, batch_id: str, kind: str) -> None:
        """Remember a submitted batch."""
        self._write(
            "INSERT OR IGNORE INTO batches (run_id, batch_id, kind, created) VALUES (?, ?, ?, ?)",
            (run_id, batch_id, kind, _now()),
        )

    def batches(self, kind: str) -> list[str]:
        """Submitted batch ids of a kind, oldest first."""
        rows = self._read("SELECT batch_id FROM batches WHERE kind = ? ORDER BY created", (kind,))
        return [row["batch_id"] for row in rows]


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (unknown counts as alive)."""
    if pid <= 0 or os.name == "nt":  # signal 0 means something else on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists but belongs to someone else
        return True
    return True


@contextmanager
def open_store(store: Store | None = None) -> Iterator[Store]:
    """`store` itself, or a new Store on the default path that is closed afterwards."""
    if store is not None:
        yield store
        return
    own = Store()
    try:
        yield own
    finally:
        own.close()
