"""Progress of a command's jobs on stderr: a live bar on a terminal, plain lines when piped.

Piped (a log file, CI, `2>&1 | tee`), a bar would be escape sequences or nothing at all, so
a plain line goes out at a steady pace instead: at most one per tenth of the jobs and never
more often than every few seconds, whichever is rarer, so a 3,000-job run logs a handful of
lines, not one per job.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from personagen.cli.terminal import echo

if TYPE_CHECKING:
    from personagen.run.outcomes import JobOutcome, ProgressHook

STEP = 0.10  # share of the jobs between two plain lines, at least
MIN_SECONDS = 5.0  # time between two plain lines, at least
_FINISHED = ("done", "reused", "failed", "skipped")


class JobTally:
    """Finished jobs and what they cost so far."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.finished = self.done = self.reused = self.failed = self.tokens = 0
        self.cost = 0.0

    def add(self, outcome: JobOutcome) -> bool:
        """Count one outcome; False for a status that finishes no job (a batch waiting)."""
        if outcome.state not in _FINISHED:
            return False
        self.finished += 1
        self.done += outcome.state == "done"
        self.reused += outcome.state == "reused"
        self.failed += outcome.state == "failed"
        self.tokens += outcome.usage.input_tokens + outcome.usage.output_tokens
        self.cost += outcome.usage.cost_usd
        return True

    def line(self) -> str:
        """'12 done, 3 reused, 0 failed, 41,230 tokens, $0.0123'."""
        return (
            f"{self.done} done, {self.reused} reused, {self.failed} failed, "
            f"{self.tokens:,} tokens, ${self.cost:.4f}"
        )


class PlainProgress:
    """Plain progress lines at a steady pace (see the module's docstring)."""

    def __init__(
        self,
        total: int,
        write: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tally = JobTally(total)
        self.write = write
        self.clock = clock
        self.started = self._last_time = clock()
        self._last_count = 0
        self._step = max(1, math.ceil(total * STEP))

    def advance(self, outcome: JobOutcome) -> None:
        """Count one outcome and print a line when enough jobs and enough time have passed."""
        finished = self.tally.add(outcome)
        now = self.clock()
        if now - self._last_time < MIN_SECONDS:
            return
        if not finished:  # a long wait (a Batch API job) still says what it waits for
            self._say(now, f"waiting: {outcome.job_id}")
            return
        tally = self.tally
        if tally.finished - self._last_count < self._step or tally.finished >= tally.total:
            return  # the summary line reports the end
        self._last_count = tally.finished
        share = 100 * tally.finished // max(1, tally.total)
        self._say(now, f"{tally.finished}/{tally.total} jobs ({share}%): {tally.line()}")

    def _say(self, now: float, text: str) -> None:
        self._last_time = now
        self.write(f"progress [{now - self.started:.0f}s] {text}")


class _Bar:
    """A rich progress bar on a terminal: jobs done/failed, tokens and cost."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.tally = JobTally(total)
        self.progress = Progress(
            SpinnerColumn(),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("starting", total=total)

    def advance(self, outcome: JobOutcome) -> None:
        """Count one outcome and redraw."""
        finished = self.tally.add(outcome)
        self.progress.update(
            self.task,
            advance=1 if finished else 0,
            description=f"{self.tally.line()}; last: {outcome.job_id}",
        )


@contextmanager
def job_progress(total: int) -> Iterator[ProgressHook]:
    """A progress hook for `total` jobs: a bar on a terminal, plain lines when piped."""
    from rich.console import Console

    if not Console(stderr=True).is_terminal:
        yield PlainProgress(total, lambda line: echo(line, err=True)).advance
        return
    bar = _Bar(total)
    with bar.progress:
        yield bar.advance
