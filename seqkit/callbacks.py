"""Keras-named callbacks, mapped onto Lightning's, for ``fit(callbacks=[...])``
(``CSVLogger``, ``TensorBoard``, ``LearningRateScheduler``, ``LambdaCallback`` and
``TerminateOnNaN`` live in ``seqkit.training.keras_callbacks``).

``mode="auto"`` reads the monitored name: losses and errors improve downwards, accuracy,
precision, recall, F1, AUROC and R2 upwards.

Example:
    >>> import seqkit as sk
    >>> stop = sk.callbacks.EarlyStopping(monitor="val_accuracy", patience=3)
    >>> stop.mode
    'max'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning import callbacks as pl_callbacks
from pytorch_lightning.utilities import rank_zero_warn
from torch import Tensor

from seqkit._checks import one_of
from seqkit.errors import ConfigError, explain
from seqkit.training.keras_callbacks import (
    CSVLogger,
    LambdaCallback,
    LearningRateScheduler,
    TensorBoard,
    TerminateOnNaN,
)
from seqkit.training.metrics import HIGHER_IS_BETTER

__all__ = ["CSVLogger", "EarlyStopping", "LambdaCallback", "LearningRateScheduler",
           "ModelCheckpoint", "ReduceLROnPlateau", "TensorBoard", "TerminateOnNaN",
           "monitor_mode"]

_HIGHER_IS_BETTER = HIGHER_IS_BETTER


def monitor_mode(monitor: str, mode: str = "auto") -> str:
    """``"min"`` or ``"max"`` for ``monitor``; ``mode="auto"`` infers it from the name.

    Example:
        >>> monitor_mode("val_loss"), monitor_mode("val_f1"), monitor_mode("mae")
        ('min', 'max', 'min')
    """
    one_of(mode, "mode", "callback", ("auto", "min", "max"))
    if mode != "auto":
        return mode
    base = monitor.removeprefix("val_").removeprefix("test_")
    return "max" if base in _HIGHER_IS_BETTER else "min"


class EarlyStopping(pl_callbacks.EarlyStopping):
    """Stops training when ``monitor`` stops improving (Lightning's ``EarlyStopping``).

    Args:
        monitor: A logged name: ``"val_loss"``, ``"loss"``, ``"val_accuracy"``...
        min_delta: Smallest change that counts as an improvement.
        patience: Epochs without improvement before stopping.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        restore_best_weights: Put back the weights of the best epoch when stopping or at
            the end of training.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False) -> None:
        super().__init__(monitor=monitor, min_delta=min_delta, patience=patience,
                         mode=monitor_mode(monitor, mode), check_on_train_epoch_end=True)
        self.restore_best_weights = restore_best_weights
        self._best_weights: dict[str, Any] | None = None

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        finish = getattr(pl_module, "finish_train_epoch", None)
        if finish is not None:
            finish()  # seqkit logs epoch values lazily: make sure they exist
        before = self.best_score.clone()
        super().on_train_epoch_end(trainer, pl_module)
        if self.restore_best_weights and not self.best_score.equal(before):
            self._best_weights = {k: v.detach().clone()
                                  for k, v in pl_module.state_dict().items()}

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.restore_best_weights and self._best_weights is not None:
            pl_module.load_state_dict(self._best_weights)


class ModelCheckpoint(pl_callbacks.ModelCheckpoint):
    """Saves Lightning checkpoints (resumable with ``fit(ckpt_path=...)``).

    Args:
        filepath: Checkpoint path, e.g. ``"checkpoints/best.ckpt"`` (the directory and the
            file name of Lightning's ``dirpath``/``filename``).
        monitor: The logged value that defines "best".
        save_best_only: Keep only the best checkpoint (else one per epoch).
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_last: Also write ``last.ckpt`` every epoch.

    An epoch whose monitored value is NaN or inf is never saved as a best (or per-epoch)
    checkpoint (Lightning's would be written while it has fewer than ``save_top_k``); a
    warning says so once. ``save_last`` still writes ``last.ckpt``.
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 save_best_only: bool = True, mode: str = "auto",
                 save_last: bool = False) -> None:
        path = Path(filepath)
        if path.suffix not in ("", ".ckpt"):
            raise ConfigError(explain("ModelCheckpoint filepath", expected="a .ckpt path",
                                      received=f"filepath={str(filepath)!r}",
                                      fix="use model.save(...) for .seqkit files"))
        super().__init__(dirpath=str(path.parent), filename=path.stem, monitor=monitor,
                         mode=monitor_mode(monitor, mode),
                         save_top_k=1 if save_best_only else -1, save_last=save_last,
                         auto_insert_metric_name=False, save_on_train_epoch_end=True)
        self._warned_non_finite = False

    def check_monitor_top_k(self, trainer: pl.Trainer, current: Tensor | None = None) -> bool:
        """Lightning's decision, refusing a non-finite ``current`` first."""
        if current is not None and not bool(torch.isfinite(current).all()):
            if not self._warned_non_finite:
                self._warned_non_finite = True
                rank_zero_warn(f"ModelCheckpoint: {self.monitor} is {float(current)} in "
                               f"epoch {trainer.current_epoch + 1}; no checkpoint is saved "
                               "for an epoch with a non-finite value")
            return False
        return super().check_monitor_top_k(trainer, current)


class ReduceLROnPlateau(pl.Callback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without
    improvement of ``monitor`` (Keras's callback; no scheduler to configure).

    Args:
        monitor: The logged value to watch.
        factor: Multiplier, in ``(0, 1)``.
        patience: Epochs without improvement before reducing.
        min_delta: Smallest change that counts as an improvement.
        min_lr: Lower bound of the learning rate.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 min_delta: float = 1e-4, min_lr: float = 0.0, mode: str = "auto") -> None:
        if not 0 < factor < 1:
            raise ConfigError(explain("ReduceLROnPlateau factor", expected="a number in (0, 1)",
                                      received=f"factor={factor!r}"))
        self.monitor, self.factor, self.patience = monitor, factor, patience
        self.min_delta, self.min_lr = min_delta, min_lr
        self.mode = monitor_mode(monitor, mode)
        self.best: float | None = None
        self.wait = 0
        self._warned = False

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        finish = getattr(pl_module, "finish_train_epoch", None)
        if finish is not None:
            finish()
        value = trainer.callback_metrics.get(self.monitor)
        if value is None:
            if not self._warned:
                self._warned = True
                rank_zero_warn(f"ReduceLROnPlateau: {self.monitor!r} was not logged (logged: "
                               f"{sorted(trainer.callback_metrics)}); the learning rate is "
                               "left unchanged")
            return
        current = float(value)
        better = (self.best is None or (current < self.best - self.min_delta
                                        if self.mode == "min"
                                        else current > self.best + self.min_delta))
        if better:
            self.best, self.wait = current, 0
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.wait = 0
            for optimizer in trainer.optimizers:
                for group in optimizer.param_groups:
                    group["lr"] = max(group["lr"] * self.factor, self.min_lr)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "wait": self.wait}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.best, self.wait = state_dict["best"], state_dict["wait"]
