"""A progress display over the batches of ``evaluate`` and ``predict`` (no Trainer there).

Per batch it counts and reads the clock, nothing more; the bar appears only once the run
has lasted ``delay`` seconds, so short runs print nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, TaskID

from seqkit.errors import ConfigError, explain
from seqkit.training.progress_row import (
    KerasRowColumn,
    format_duration,
    format_step_time,
    metrics_text,
)
from seqkit.training.trainer import stdout_redraws

__all__ = ["BatchProgress", "resolve_loop_verbose"]


def resolve_loop_verbose(verbose: int | str, where: str) -> int:
    """``evaluate``/``predict`` display: 0 nothing, 1 a bar on long runs, 2 a closing line.

    ``"auto"`` is 1 on a terminal or in a notebook and 0 elsewhere, so that scripts and
    logs stay quiet; ``1`` where a bar cannot redraw in place becomes 2 (one line).

    Examples:
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()):  # not a terminal
        ...     levels = [resolve_loop_verbose(v, "predict") for v in ("auto", 0, 1, 2)]
        >>> levels
        [0, 0, 2, 2]
    """
    if verbose not in (0, 1, 2, "auto"):
        raise ConfigError(explain(f"{where} verbose", expected="0, 1, 2 or 'auto'",
                                  received=f"verbose={verbose!r}",
                                  fix="pass verbose=0 (silent), 1 (progress bar on long "
                                      "runs), 2 (one line at the end) or 'auto'"))
    if verbose == "auto":
        return 1 if stdout_redraws() else 0
    if verbose == 1:
        return 1 if stdout_redraws() else 2
    return int(verbose)


class BatchProgress:
    """Counts batches; draws a Keras-style bar on long runs, or prints one closing line.

    With ``verbose=1`` the bar appears once the run has lasted ``delay`` seconds, is
    redrawn at most ``max_per_second`` times a second, and stays on screen at the end (with
    ``finish``'s values). With ``verbose=2`` one line is printed at the end, such as
    ``8/8 - 0s - 3ms/step - loss: 0.1234``. ``verbose=0`` prints nothing.

    Args:
        total: Batches in the run.
        verbose: 0, 1 or 2 (see `resolve_loop_verbose`).
        delay: Seconds before the bar appears.
        max_per_second: Most redraws per second.
        stream: Where the closing line goes (default: standard output).
        console: The rich console the bar draws on (default: one on standard output).

    Examples:
        >>> with BatchProgress(total=3, verbose=2) as progress:
        ...     for _ in range(3):
        ...         progress.advance()
        ...     progress.finish({"loss": 0.5})  # doctest: +ELLIPSIS
        3/3 - 0s - ...s/step - loss: 0.5000
    """

    def __init__(self, total: int, verbose: int, *, delay: float = 1.0,
                 max_per_second: float = 4.0, stream: TextIO | None = None,
                 console: Console | None = None) -> None:
        self.total = total
        self.verbose = verbose
        self.done = 0
        self.delay = delay
        self.stream = stream
        self.console = console
        self._interval = 1.0 / max_per_second
        self._started = 0.0
        self._next_check = float("inf")
        self._values: dict[str, float] = {}
        self._progress: Progress | None = None
        self._row: KerasRowColumn | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> BatchProgress:
        self._started = time.perf_counter()
        if self.verbose == 1 and self.total > 1:
            self._next_check = self._started + self.delay
        return self

    def advance(self) -> None:
        """One batch done: a count and a clock check."""
        self.done += 1
        if self.verbose == 1:
            now = time.perf_counter()
            if now >= self._next_check:
                self._next_check = now + self._interval
                self._draw()

    def finish(self, values: Mapping[str, float] | None = None) -> None:
        """Ends the run: the bar (if drawn) shows ``values`` and stays; or the closing line."""
        self._values = dict(values or {})
        if self._progress is not None:
            self._draw()
            self._stop()
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._started
            parts = [f"{self.done}/{self.total}", format_duration(seconds),
                     format_step_time(seconds / max(1, self.done))]
            if self._values:
                parts.append(metrics_text(self._values))
            print(" - ".join(parts), file=self.stream or sys.stdout, flush=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop()

    def _draw(self) -> None:
        if self._progress is None:
            self._row = KerasRowColumn()
            self._progress = Progress(self._row, console=self.console or Console(),
                                      auto_refresh=False)
            self._progress.start()
            self._task = self._progress.add_task("", total=self.total)
            # the run's time so far counts, not just the time since the bar appeared
            self._progress.tasks[0].start_time = self._progress.get_time() - (
                time.perf_counter() - self._started)
        assert self._row is not None and self._task is not None
        self._row.update(self._values)
        self._progress.update(self._task, completed=self.done)
        self._progress.refresh()

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
