"""Keras-named callbacks for logs and schedules: ``CSVLogger``, ``TensorBoard``,
``LearningRateScheduler``, ``LambdaCallback`` and ``TerminateOnNaN`` (exported by
``seqkit.callbacks``).

Each sees an epoch's *logs* as Keras's callbacks do: the epoch's ``loss``, metrics and,
on epochs that validated, the ``val_`` values (``fit(validation_freq=...)`` skips some).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import pytorch_lightning as pl

from seqkit._checks import as_real
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.training.faults import NonFiniteLossGuard
from seqkit.training.progress import keras_order

__all__ = ["CSVLogger", "LambdaCallback", "LearningRateScheduler", "TensorBoard",
           "TerminateOnNaN", "epoch_logs"]


class _EpochLogs(pl.Callback):
    """Knows whether this epoch validated, so that stale ``val_`` values stay out."""

    _validated_epoch = -1

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule
                                ) -> None:
        if not trainer.sanity_checking:
            self._validated_epoch = trainer.current_epoch

    def logs(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict[str, float]:
        return epoch_logs(trainer, pl_module, self._validated_epoch == trainer.current_epoch)


def epoch_logs(trainer: pl.Trainer, pl_module: pl.LightningModule, validated: bool
               ) -> dict[str, float]:
    """The epoch's values by Keras name (loss first, then metrics, then ``val_`` ones when
    ``validated``), read once."""
    finish = getattr(pl_module, "finish_train_epoch", None)
    if finish is not None:  # seqkit logs epoch values lazily
        finish()
    return {name: float(value) for name, value in keras_order(trainer.callback_metrics).items()
            if validated or not name.startswith("val_")}


def _learning_rate(trainer: pl.Trainer) -> float:
    return float(trainer.optimizers[0].param_groups[0]["lr"])


class CSVLogger(_EpochLogs):
    """Keras's ``CSVLogger``: one row per epoch in ``filename`` (``epoch`` first, then the
    logged names in sorted order; ``NA`` where an epoch has no value, such as ``val_loss``
    on an epoch that did not validate). The file is Keras's, not Lightning's
    ``CSVLogger`` folder layout (``version_0/metrics.csv``), so Keras's tools read it.

    Args:
        filename: The CSV file.
        separator: Between columns.
        append: Add rows to an existing file (its header is kept) instead of starting over.

    Examples:
        >>> import numpy as np, pathlib, tempfile, seqkit as sk
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
        >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)], loss="mse")
        >>> _ = model.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0,
        ...               callbacks=[sk.callbacks.CSVLogger(path)])
        >>> path.read_text().splitlines()[0]
        'epoch,loss,val_loss'
    """

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",",
                 append: bool = False) -> None:
        self.filename, self.separator, self.append = Path(filename), separator, append
        self._file: TextIO | None = None
        self._writer: csv.DictWriter[str] | None = None
        self._keys: list[str] | None = None

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        header = not (self.append and self.filename.is_file()
                      and self.filename.stat().st_size > 0)
        self.filename.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.filename.open("a" if self.append else "w", newline="")
        self._header, self._writer, self._keys = header, None, None

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        logs = self.logs(trainer, pl_module)
        if self._file is None:
            return
        if self._keys is None:  # as Keras: the first epoch's names, val_ ones added
            self._keys = sorted(logs)
            if self._keys and not any(key.startswith("val_") for key in self._keys):
                self._keys += [f"val_{key}" for key in self._keys]
            self._writer = csv.DictWriter(self._file, ["epoch", *self._keys],
                                          delimiter=self.separator)
            if self._header:
                self._writer.writeheader()
        assert self._writer is not None
        self._writer.writerow({"epoch": trainer.current_epoch,
                               **{key: logs.get(key, "NA") for key in self._keys}})
        self._file.flush()

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    on_exception = on_train_end  # type: ignore[assignment]


class TensorBoard(_EpochLogs):
    """Keras's ``TensorBoard`` callback on Lightning's ``TensorBoardLogger``: per epoch,
    ``epoch_loss``, ``epoch_<metric>`` and ``epoch_learning_rate`` under
    ``log_dir/train``, the validation values (``val_`` dropped) under
    ``log_dir/validation``, as Keras writes them; ``tensorboard --logdir log_dir`` shows
    both runs. Needs the ``tensorboard`` extra: ``pip install 'seqkit[tensorboard]'``.

    Args:
        log_dir: The folder for the event files.
        update_freq: Only ``"epoch"`` (Keras's default).
    """

    def __init__(self, log_dir: str | os.PathLike[str] = "logs", update_freq: str = "epoch"
                 ) -> None:
        if update_freq != "epoch":
            raise ConfigError(explain("TensorBoard update_freq", expected="'epoch'",
                                      received=f"update_freq={update_freq!r}",
                                      fix="seqkit logs once per epoch"))
        from pytorch_lightning.loggers import TensorBoardLogger

        try:
            import tensorboard  # noqa: F401 - Lightning falls back to tensorboardX silently
        except ImportError as error:
            raise ImportError("TensorBoard needs the tensorboard package, which is not "
                              "installed; install it with: pip install "
                              "'seqkit[tensorboard]'") from error
        self.log_dir = Path(log_dir)
        self.loggers = {run: TensorBoardLogger(save_dir=str(self.log_dir), name=run,
                                               version="", default_hp_metric=False)
                        for run in ("train", "validation")}

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        logs = self.logs(trainer, pl_module)
        if not trainer.is_global_zero:
            return
        epoch = trainer.current_epoch
        train = {f"epoch_{k}": v for k, v in logs.items() if not k.startswith("val_")}
        if trainer.optimizers:
            train["epoch_learning_rate"] = _learning_rate(trainer)
        val = {f"epoch_{k[4:]}": v for k, v in logs.items() if k.startswith("val_")}
        for run, values in (("train", train), ("validation", val)):
            if values:
                self.loggers[run].log_metrics(values, step=epoch)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        for logger in self.loggers.values():
            logger.finalize("success")


class LearningRateScheduler(pl.Callback):
    """Keras's ``LearningRateScheduler``: at the start of each epoch, sets the learning
    rate to ``schedule(epoch, lr)`` (``epoch`` counted from 0, or from ``fit``'s
    ``initial_epoch``; ``lr`` the current rate). A ``schedule(epoch)`` of one argument
    works too, as in Keras.

    Args:
        schedule: ``(epoch, lr) -> new lr`` (a float).
        verbose: 1 prints Keras's line for each change.

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)], loss="mse", lr=0.1)
        >>> halve = sk.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)
        >>> model.fit(np.ones((8, 3)), np.ones(8), epochs=3, verbose=0,
        ...           callbacks=[halve]).history["lr"]
        [0.05, 0.025, 0.0125]
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        if not callable(schedule):
            raise InputTypeError(explain("LearningRateScheduler schedule",
                                         expected="a function (epoch, lr) -> lr",
                                         received=f"schedule={schedule!r}"))
        self.schedule, self.verbose = schedule, verbose

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule
                             ) -> None:
        epoch = trainer.current_epoch
        try:
            rate = self.schedule(epoch, _learning_rate(trainer))
        except TypeError:  # Keras's older one-argument schedules
            rate = self.schedule(epoch)
        if as_real(rate) is None:
            raise ConfigError(explain("LearningRateScheduler schedule", expected="a float",
                                      received=f"{rate!r} at epoch {epoch}"))
        for optimizer in trainer.optimizers:
            for group in optimizer.param_groups:
                group["lr"] = float(rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(rate)}.")


class LambdaCallback(_EpochLogs):
    """Keras's ``LambdaCallback``: functions called at Keras's hooks, with Keras's
    arguments: ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_train_begin(logs)``, ``on_train_end(logs)``, ``on_train_batch_begin(batch,
    logs)``, ``on_train_batch_end(batch, logs)``. ``logs`` is ``{}`` except at an epoch's
    end (the epoch's values) and a batch's end (the running ``loss`` of the epoch).

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> seen = []
        >>> log = sk.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: seen.append((epoch, sorted(logs))))
        >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)], loss="mse")
        >>> _ = model.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0, callbacks=[log])
        >>> seen
        [(0, ['loss']), (1, ['loss'])]
    """

    def __init__(self, on_epoch_begin: Callable[..., Any] | None = None,
                 on_epoch_end: Callable[..., Any] | None = None,
                 on_train_begin: Callable[..., Any] | None = None,
                 on_train_end: Callable[..., Any] | None = None,
                 on_train_batch_begin: Callable[..., Any] | None = None,
                 on_train_batch_end: Callable[..., Any] | None = None) -> None:
        self.functions = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                          "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                          "on_train_batch_begin": on_train_batch_begin,
                          "on_train_batch_end": on_train_batch_end}

    def _call(self, hook: str, *args: Any) -> None:
        function = self.functions[hook]
        if function is not None:
            function(*args)

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._call("on_train_begin", {})

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._call("on_train_end", {})

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule
                             ) -> None:
        self._call("on_epoch_begin", trainer.current_epoch, {})

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.functions["on_epoch_end"] is not None:
            self._call("on_epoch_end", trainer.current_epoch, self.logs(trainer, pl_module))

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                             batch: Any, batch_idx: int) -> None:
        self._call("on_train_batch_begin", batch_idx, {})

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                           outputs: Any, batch: Any, batch_idx: int) -> None:
        if self.functions["on_train_batch_end"] is not None:
            running = getattr(pl_module, "running_loss", None)
            loss = running() if running is not None else None
            self._call("on_train_batch_end", batch_idx, {} if loss is None else {"loss": loss})


class TerminateOnNaN(NonFiniteLossGuard):
    """Keras's ``TerminateOnNaN``: stops training at the first NaN or inf training loss.

    ``fit`` already does so by default (``stop_on_nan=True``); this callback does it with
    ``fit(stop_on_nan=False)`` too, and in a ``Trainer`` you drive yourself (where
    ``trainer.fit`` then raises
    [`NonFiniteLossError`][seqkit.errors.NonFiniteLossError]; ``model.fit`` turns it
    into a warning). Unlike Keras's, it stops before the non-finite step's update and puts
    back the weights of the last finite step, and the History keeps the finished epochs
    only (Keras also records the epoch that ended in NaN).

    Examples:
        >>> import torch, warnings, seqkit as sk
        >>> x, y = torch.ones(8, 3), torch.full((8, 1), float("nan"))
        >>> loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y))
        >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)], loss="mse")
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     history = model.fit(loader, epochs=2, verbose=0, stop_on_nan=False,
        ...                         callbacks=[sk.callbacks.TerminateOnNaN()])
        >>> history.epoch
        []
    """
