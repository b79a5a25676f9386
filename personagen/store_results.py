"""The run store's content-addressed parts: the response cache, finished results, the
lineage of copy across persona refreshes, the views last written into each output folder,
and a run's results for `runs diff`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any


def now() -> str:
    """The time as stored: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ResultsMixin:
    """Reads and writes of cached answers and results (the store supplies `_read`, `_write`)."""

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    # Response cache (the door's transport uses these two).
    def get_response(self, key: str) -> bytes | None:
        """The cached response body for a request key."""
        rows = self._read("SELECT body FROM responses WHERE key = ?", (key,))
        return bytes(rows[0]["body"]) if rows else None

    def put_response(self, key: str, task: str, body: bytes) -> None:
        """Cache a successful response body."""
        self._write(
            "INSERT OR REPLACE INTO responses (key, task, body, created) VALUES (?, ?, ?, ?)",
            (key, task, body, now()),
        )

    # Finished results, keyed by the content of the job's inputs.
    def get_result(self, job_key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """A finished job's result and usage, if a job with these inputs ever finished."""
        rows = self._read("SELECT result, usage FROM results WHERE job_key = ?", (job_key,))
        if not rows:
            return None
        return json.loads(rows[0]["result"]), json.loads(rows[0]["usage"])

    def put_result(
        self, job_key: str, kind: str, result: dict[str, Any], usage: dict[str, Any]
    ) -> None:
        """Keep a finished job's result so no later run pays for it again."""
        self._write(
            "INSERT OR REPLACE INTO results (job_key, kind, result, usage, created) "
            "VALUES (?, ?, ?, ?, ?)",
            (job_key, kind, json.dumps(result), json.dumps(usage), now()),
        )

    # The latest copy of a campaign's job (persona, channel, stage) and the persona it was
    # written for: copy stays valid across a persona refresh that left its claims alone.
    def get_lineage(self, slot: str) -> tuple[str, dict[str, Any]] | None:
        """The result key of a slot's latest copy and the persona it was written for."""
        rows = self._read("SELECT job_key, persona FROM lineage WHERE slot = ?", (slot,))
        return (str(rows[0]["job_key"]), json.loads(rows[0]["persona"])) if rows else None

    def put_lineage(self, slot: str, job_key: str, persona: dict[str, Any]) -> None:
        """Remember a slot's latest copy and its persona."""
        self._write(
            "INSERT OR REPLACE INTO lineage (slot, job_key, persona, created) VALUES (?, ?, ?, ?)",
            (slot, job_key, json.dumps(persona), now()),
        )

    # The derived files (decks, CSVs, evidence.csv) last written into an output folder:
    # what they were made from and each file's size and modification time.
    def get_views(self, folder: str) -> tuple[str, dict[str, list[int]]] | None:
        """The digest of a folder's last written views and their files' [size, mtime_ns]."""
        rows = self._read("SELECT digest, files FROM views WHERE folder = ?", (folder,))
        return (str(rows[0]["digest"]), json.loads(rows[0]["files"])) if rows else None

    def put_views(self, folder: str, digest: str, files: dict[str, list[int]]) -> None:
        """Remember what a folder's views were written from, and their files as written."""
        self._write(
            "INSERT OR REPLACE INTO views (folder, digest, files, created) VALUES (?, ?, ?, ?)",
            (folder, digest, json.dumps(files), now()),
        )

    def run_results(self, run_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(job id, kind, result) of every job of a run that has a stored result."""
        rows = self._read(
            "SELECT jobs.job_id, jobs.kind, results.result FROM jobs JOIN results "
            "ON results.job_key = jobs.job_key WHERE jobs.run_id = ? ORDER BY jobs.job_id",
            (run_id,),
        )
        return [(str(r["job_id"]), str(r["kind"]), json.loads(r["result"])) for r in rows]
