"""The Keras-style row of seqkit's progress bars, shortened to fit the terminal.

``Epoch 2/3 ━━━━━━━━━━━━━━━━━━━━ 20/20 1s 12ms/step - loss: 0.1234 - val_loss: 0.3000``:
description, bar, steps done, elapsed time (or ``ETA`` while running), time per step,
then the logged values. When the row is wider than the terminal it is shortened, never
wrapped: a shorter bar, fewer decimals, no bar, no time per step, and finally the values
cut with ``…``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pytorch_lightning.callbacks.progress.rich_progress import RichProgressBarTheme
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.progress import ProgressColumn, Task
from rich.progress_bar import ProgressBar
from rich.table import Column, Table
from rich.text import Text

__all__ = ["KerasRowColumn", "RowPlan", "format_duration", "format_step_time",
           "metrics_text", "plan_row"]

# (bar width, decimals, time per step shown), tried in order until the row fits.
_PLANS = ((20, 4, True), (10, 4, True), (10, 3, True), (0, 3, True), (0, 2, True),
          (0, 2, False))


def format_duration(seconds: float) -> str:
    """Keras's short durations: seconds, then ``m:ss``, then ``h:mm:ss``.

    Examples:
        >>> format_duration(5.4), format_duration(187), format_duration(3723)
        ('5s', '3:07', '1:02:03')
    """
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_step_time(seconds: float) -> str:
    """Time per step in Keras's units: ``s``, ``ms`` or ``us`` per step.

    Examples:
        >>> format_step_time(2.0), format_step_time(0.0123), format_step_time(0.00004)
        ('2s/step', '12ms/step', '40us/step')
    """
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _number(value: float, decimals: int) -> str:
    if math.isfinite(value) and (value == 0 or 1e-3 <= abs(value) < 1e6):
        return f"{value:.{decimals}f}"
    return f"{value:.{max(1, decimals - 1)}e}"  # tiny, huge, nan, inf


def metrics_text(values: Mapping[str, float], decimals: int = 4) -> str:
    """``name: value`` pairs joined by ``" - "``, as Keras prints them.

    Examples:
        >>> metrics_text({"loss": 0.123456, "val_loss": 0.00001}, decimals=3)
        'loss: 0.123 - val_loss: 1.00e-05'
    """
    return " - ".join(f"{name}: {_number(float(value), decimals)}"
                      for name, value in values.items())


@dataclass(frozen=True)
class RowPlan:
    """How a row fits its width: the bar's width (0: no bar), whether the time per step
    is shown, and the values' text."""

    bar_width: int
    step_time: bool
    metrics: str


def plan_row(fixed: Iterable[str], values: Mapping[str, float], width: int,
             step_time: str = "") -> RowPlan:
    """Chooses the widest bar and the most decimals for which the row fits ``width``.

    ``fixed`` are the row's cells before the values (description, steps, time), one space
    apart, and ``step_time`` an optional cell after them, dropped last. The values follow
    as ``- name: value - ...``; when even the shortest form is too wide they are cut with
    an ellipsis.

    Examples:
        >>> plan_row(["Epoch 1/3", "20/20", "1s"], {"loss": 0.5}, 80, "12ms/step")
        RowPlan(bar_width=20, step_time=True, metrics='- loss: 0.5000')
        >>> values = {"loss": 0.5, "val_loss": 0.25}
        >>> plan_row(["Epoch 1/3", "20/20", "1s"], values, 48, "12ms/step").metrics
        '- loss: 0.50 - val_loss: 0.25'
        >>> plan_row(["Epoch 1/3", "20/20", "1s"], values, 40, "12ms/step").metrics
        '- loss: 0.50 - val_l…'
    """
    cells = [cell for cell in fixed if cell]
    base = sum(cell_len(cell) for cell in cells) + max(0, len(cells) - 1)
    text = ""
    for bar_width, decimals, with_step_time in _PLANS:
        text = f"- {metrics_text(values, decimals)}" if values else ""
        used = (base + (bar_width + 1 if bar_width else 0) + (cell_len(text) + 1 if text else 0)
                + (cell_len(step_time) + 1 if step_time and with_step_time else 0))
        if used <= width:
            return RowPlan(bar_width, with_step_time and bool(step_time), text)
    room = width - base - 1  # the values' cell, after one space
    if room < 2:
        return RowPlan(0, False, "")
    return RowPlan(0, False, text[:room - 1] + "…")


def _time_texts(task: Task) -> tuple[str, str]:
    """(``1s``, ``12ms/step``) once finished; (``ETA 3s``, ``12ms/step``) while running."""
    done = task.completed
    if done <= 0:
        return "", ""
    if task.finished and task.finished_time is not None:
        elapsed = task.finished_time
        return format_duration(elapsed), format_step_time(elapsed / done)
    per_step = (task.elapsed or 0.0) / done
    if task.total is None or not math.isfinite(task.total):
        return format_duration(task.elapsed or 0.0), format_step_time(per_step)
    remaining = per_step * max(0.0, task.total - done)
    return f"ETA {format_duration(remaining)}", format_step_time(per_step)


def _steps_text(task: Task) -> str:
    total = task.total
    shown = "?" if total is None or not math.isfinite(total) else str(int(total))
    return f"{int(task.completed)}/{shown}"


class _Row:
    """One task's row, laid out when rich knows the width it may take."""

    def __init__(self, task: Task, values: Mapping[str, float],
                 theme: RichProgressBarTheme) -> None:
        self.task = task
        self.values = values
        self.theme = theme

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        task, theme = self.task, self.theme
        description = Text.from_markup(task.description) if task.description else Text()
        steps, (time, step_time) = _steps_text(task), _time_texts(task)
        plan = plan_row([description.plain, steps, time], self.values, options.max_width,
                        step_time)
        cells: list[tuple[Text | ProgressBar, Column]] = []
        if description.plain:
            cells.append((description, Column(no_wrap=True, overflow="ellipsis")))
        if plan.bar_width:
            finite = task.total is not None and math.isfinite(task.total)
            bar = ProgressBar(total=max(0.0, task.total) if finite else None,  # type: ignore[arg-type]
                              completed=max(0.0, task.completed), width=plan.bar_width,
                              pulse=not finite, animation_time=task.get_time(),
                              complete_style=theme.progress_bar,
                              finished_style=theme.progress_bar_finished,
                              pulse_style=theme.progress_bar_pulse)
            cells.append((bar, Column(width=plan.bar_width, no_wrap=True)))
        cells.append((Text(steps, style=theme.batch_progress), Column(no_wrap=True)))
        if time:
            shown = f"{time} {step_time}" if plan.step_time else time
            cells.append((Text(shown, style=theme.time), Column(no_wrap=True)))
        if plan.metrics:
            cells.append((Text(plan.metrics, style=theme.metrics),
                          Column(no_wrap=True, overflow="ellipsis")))
        grid = Table.grid(*(column for _, column in cells), padding=(0, 1), pad_edge=False)
        grid.add_row(*(cell for cell, _ in cells))
        yield grid


class KerasRowColumn(ProgressColumn):
    """A rich progress column drawing each task as one Keras-style row.

    It takes the logged values through ``update(values)`` (the interface of Lightning's
    ``MetricsTextColumn``) and shows them on the rows ``shows_values(task)`` accepts.

    Args:
        theme: Lightning's ``RichProgressBarTheme``: the styles of the bar, steps, time
            and values.
        shows_values: Which rows show the values (default: every row).

    Examples:
        >>> import io
        >>> from rich.console import Console
        >>> from rich.progress import Progress
        >>> column = KerasRowColumn()
        >>> column.update({"loss": 0.25})
        >>> console = Console(width=60, file=io.StringIO())
        >>> with Progress(column, console=console) as progress:
        ...     task = progress.add_task("Epoch 1/1", total=4)
        ...     progress.update(task, completed=4)
        >>> row = console.file.getvalue().strip()
        >>> row.startswith("Epoch 1/1 ━━━━━━━━━━ 4/4 0s"), row.endswith("/step - loss: 0.2500")
        (True, True)
    """

    def __init__(self, theme: RichProgressBarTheme | None = None,
                 shows_values: Callable[[Task], bool] | None = None) -> None:
        super().__init__()
        self.theme = theme or RichProgressBarTheme()
        self.shows_values = shows_values or (lambda task: True)
        self.values: dict[str, float] = {}

    def update(self, values: Mapping[str, float]) -> None:
        """Sets the values shown (called at a redraw, never per step)."""
        self.values = dict(values)

    def get_table_column(self) -> Column:
        return Column(no_wrap=True)

    def render(self, task: Task) -> _Row:  # type: ignore[override]
        return _Row(task, self.values if self.shows_values(task) else {}, self.theme)
