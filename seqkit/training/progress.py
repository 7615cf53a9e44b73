"""Progress display: a rate-limited, Keras-style rich bar (verbose=1) and one line per
epoch (verbose=2).

Presentation only: both read values the model already logged, and neither runs per step
more than a clock check, so the default progress display costs (almost) nothing.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

import pytorch_lightning as pl
from pytorch_lightning.callbacks import RichProgressBar
from rich.progress import ProgressColumn, Task

from seqkit.training.progress_row import (
    KerasRowColumn,
    format_duration,
    format_step_time,
    metrics_text,
)

__all__ = ["EpochLine", "ThrottledRichProgressBar", "keras_order"]


def keras_order(values: Mapping[str, Any]) -> dict[str, Any]:
    """Training values first (loss, then metrics), then their ``val_`` counterparts.

    Examples:
        >>> list(keras_order({"val_loss": 1, "mae": 2, "loss": 3}))
        ['loss', 'mae', 'val_loss']
    """
    def rank(name: str) -> tuple[bool, bool]:
        base = name.removeprefix("val_")
        return name.startswith("val_"), base != "loss"

    return {name: values[name] for name in sorted(values, key=rank)}


class ThrottledRichProgressBar(RichProgressBar):
    """Lightning's ``RichProgressBar`` drawn as Keras draws it, redrawn at most
    ``max_per_second`` times per second.

    Each epoch leaves one row on screen, numbered from 1, such as
    ``Epoch 2/3 ━━━━━━━━━━━━━━━━━━━━ 20/20 1s 12ms/step - loss: 0.1234 - val_loss: 0.3``:
    steps, elapsed time (``ETA`` while running), time per step, then the loss, the metrics
    and their ``val_`` counterparts. A row never wraps: on a narrow terminal it is shortened
    (shorter bar, fewer decimals, no bar, then the values cut with ``…``). While an epoch
    runs the row shows the running loss only; the other values appear when it ends.

    Lightning updates its bar (and reads the logged metrics) after every batch; for small
    recurrent models that costs ~0.25 ms per step, a large share of the step. Here the
    training and validation batch hooks only check the clock. The running loss shown is the
    one the model accumulates on its device, read (one host sync) only at a redraw.

    Args:
        max_per_second: Most redraws per second.
        **kwargs: ``RichProgressBar`` arguments (``theme``, ``console_kwargs``);
            ``refresh_rate`` defaults to ``max_per_second`` rounded up.

    Examples:
        >>> bar = ThrottledRichProgressBar(max_per_second=2)
        >>> bar.refresh_rate
        2
    """

    def __init__(self, max_per_second: float = 4.0, **kwargs: Any) -> None:
        # The bar's drawing thread wakes `refresh_rate` times a second (Lightning's default:
        # 100) to look for work; it only finds some as often as the bar is redrawn.
        kwargs.setdefault("refresh_rate", max(1, math.ceil(max_per_second)))
        super().__init__(**kwargs)
        self._min_interval = 1.0 / max_per_second
        self._last_draw = 0.0
        self._row: KerasRowColumn | None = None

    def configure_columns(self, trainer: pl.Trainer) -> list[ProgressColumn]:
        self._row = KerasRowColumn(self.theme, shows_values=self._shows_values)
        return [self._row]

    def _init_progress(self, trainer: pl.Trainer) -> None:
        before = self.progress
        super()._init_progress(trainer)
        if self.progress is not None and self.progress is not before and self._row is not None:
            # One column draws the whole row (values included), so that the row can be
            # fitted to the terminal's width: it replaces Lightning's metrics column.
            self.progress.columns = (self._row,)
            self._metric_component = self._row  # type: ignore[assignment]

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if (self.is_enabled and not self._leave and self.progress is not None
                and self._row is not None and self.train_progress_bar_id is not None):
            # The finished epoch's row is printed above the live one, which then starts
            # the next epoch. (Lightning's leave=True restarts the display instead, and
            # waits up to a redraw interval, 0.25 s, for its drawing thread to stop.)
            self.progress.console.print(self._row.render(self.train_progress_bar))
        super().on_train_epoch_start(trainer, pl_module)

    def _shows_values(self, task: Task) -> bool:
        return task.id == self.train_progress_bar_id and self.trainer.state.fn == "fit"

    def _get_train_description(self, current_epoch: int) -> str:
        total = self.trainer.max_epochs
        return f"Epoch {current_epoch + 1}" + (f"/{total}" if total and total > 0 else "")

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                           outputs: Any, batch: Any, batch_idx: int) -> None:
        now = time.perf_counter()
        if (now - self._last_draw >= self._min_interval
                or batch_idx + 1 >= self.total_train_batches):  # the last batch: full bar
            self._last_draw = now
            super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)

    def on_validation_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                                outputs: Any, batch: Any, batch_idx: int,
                                dataloader_idx: int = 0) -> None:
        # Validation steps are shorter still (no backward): the same clock check.
        now = time.perf_counter()
        if (now - self._last_draw >= self._min_interval
                or batch_idx + 1 >= self.total_val_batches_current_dataloader):
            self._last_draw = now
            super().on_validation_batch_end(trainer, pl_module, outputs, batch, batch_idx,
                                            dataloader_idx)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        finish = getattr(pl_module, "finish_train_epoch", None)
        if finish is not None:  # seqkit's model logs its epoch values lazily
            finish()
        super().on_train_epoch_end(trainer, pl_module)

    def get_metrics(self, trainer: pl.Trainer, pl_module: pl.LightningModule
                    ) -> dict[str, Any]:
        running = getattr(pl_module, "running_loss", None)
        value = running() if running is not None else None
        if value is not None:  # mid-epoch: the other logged values are last epoch's
            return {"loss": value}
        items = super().get_metrics(trainer, pl_module)
        items.pop("v_num", None)
        return keras_order(items)


class EpochLine(pl.Callback):
    """Prints one line per epoch: ``Epoch 3/20 - 1s - 12ms/step - loss: 0.1234 - ...``,
    in the wording of the progress bar's row (and of ``evaluate``'s closing line)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stdout
        self._started = 0.0

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._started = time.perf_counter()

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.global_rank != 0:
            return
        finish = getattr(pl_module, "finish_train_epoch", None)
        if finish is not None:
            finish()
        seconds = time.perf_counter() - self._started
        values = metrics_text(keras_order(trainer.callback_metrics))
        total = trainer.max_epochs if trainer.max_epochs and trainer.max_epochs > 0 else "?"
        parts = [f"Epoch {trainer.current_epoch + 1}/{total}", format_duration(seconds)]
        steps = trainer.num_training_batches
        if isinstance(steps, int) and steps > 0:
            parts.append(format_step_time(seconds / steps))
        print(" - ".join(parts + ([values] if values else [])), file=self.stream, flush=True)
