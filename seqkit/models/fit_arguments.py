"""Keras's ``fit`` arguments that Lightning's ``Trainer`` carries out: ``steps_per_epoch``,
``validation_steps``, ``validation_freq`` and ``initial_epoch``."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

from seqkit._checks import as_int, positive_int
from seqkit.errors import ConfigError, explain

__all__ = ["check_initial_epoch", "keras_trainer_arguments", "start_at_epoch"]

# Keras's argument -> the Trainer argument that does the same.
_TRAINER_ARGUMENTS = {"steps_per_epoch": "limit_train_batches",
                      "validation_steps": "limit_val_batches",
                      "validation_freq": "check_val_every_n_epoch"}


def keras_trainer_arguments(keras: dict[str, int | None], trainer: pl.Trainer | None,
                            trainer_kwargs: dict[str, Any]) -> dict[str, Any]:
    """The Trainer arguments for Keras's ``steps_per_epoch``, ``validation_steps`` and
    ``validation_freq`` (``None``, or 1 for ``validation_freq``, means Keras's default).

    Examples:
        >>> keras_trainer_arguments({"steps_per_epoch": 10, "validation_steps": None,
        ...                          "validation_freq": 2}, None, {})
        {'limit_train_batches': 10, 'check_val_every_n_epoch': 2}
    """
    settings: dict[str, Any] = {}
    for name, value in keras.items():
        if value is None or (name == "validation_freq" and value == 1):
            continue
        value = positive_int(value, name, "fit")
        target = _TRAINER_ARGUMENTS[name]
        if trainer is not None or target in trainer_kwargs:
            raise ConfigError(explain(
                f"fit {name}", expected=f"{name} or the Trainer's {target}, not both",
                received=f"{name}={value!r} with "
                + ("trainer=" if trainer is not None else f"{target}="),
                fix=f"pass {name} alone, or build your Trainer with {target}={value!r}"))
        settings[target] = value
    return settings


def check_initial_epoch(initial_epoch: int, ckpt_path: str | None) -> int:
    """Keras's ``initial_epoch``: a non-negative int, and not with a checkpoint (which
    carries its own epoch)."""
    number = as_int(initial_epoch)
    if number is None or number < 0:
        raise ConfigError(explain("fit initial_epoch", expected="an integer >= 0",
                                  received=f"initial_epoch={initial_epoch!r}"))
    if initial_epoch and ckpt_path is not None:
        raise ConfigError(explain("fit initial_epoch", expected="initial_epoch or ckpt_path",
                                  received="both", fix="a checkpoint resumes at its own "
                                  "epoch: drop initial_epoch"))
    return number


def start_at_epoch(trainer: pl.Trainer, initial_epoch: int) -> None:
    """Makes the Trainer count ``initial_epoch`` epochs done, as Keras's ``fit`` starts
    at epoch ``initial_epoch`` and runs until ``epochs``: ``History.epoch``, callbacks
    and ``validation_freq`` see the absolute epoch index."""
    if initial_epoch:
        progress = trainer.fit_loop.epoch_progress.current
        progress.ready = progress.started = progress.processed = progress.completed = \
            initial_epoch
