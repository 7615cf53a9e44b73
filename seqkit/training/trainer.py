"""Building the Lightning ``Trainer`` that ``fit`` runs, lean by default."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.profilers import PassThroughProfiler

from seqkit._checks import positive_int
from seqkit.errors import ConfigError, explain
from seqkit.training.history import History
from seqkit.training.progress import EpochLine, ThrottledRichProgressBar

__all__ = ["make_trainer", "quiet_lightning", "resolve_verbose"]

_LIGHTNING_LOGGERS = ("pytorch_lightning", "lightning.pytorch", "lightning_fabric")
_DATAMODULE_HOOK_WARNING = (
    "You have overridden `transfer_batch_to_device` in `LightningModule` but have passed in a"
    " `LightningDataModule`. It will use the implementation from `LightningModule` instance.")


def resolve_verbose(verbose: int | str) -> int:
    """``"auto"`` is 1 (progress bar) on a terminal and 2 (a line per epoch) otherwise."""
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    if verbose not in (0, 1, 2):
        raise ConfigError(explain("fit verbose", expected="0, 1, 2 or 'auto'",
                                  received=f"verbose={verbose!r}"))
    return int(verbose)


class _LeanProfiler(PassThroughProfiler):
    """Lightning's default profiler (one that records nothing), without its per-call cost.

    Lightning wraps each hook call, ~30 per training step, in ``profiler.profile(name)``;
    ``PassThroughProfiler`` builds a generator-based context manager for each (~2 us).
    This one hands back one shared, reusable no-op context.
    """

    _nothing = contextlib.nullcontext()

    def profile(self, action_name: str) -> contextlib.AbstractContextManager[Any]:
        return self._nothing


def make_trainer(
    *,
    epochs: int,
    verbose: int,
    history: History,
    callbacks: list[pl.Callback] | None,
    **trainer_kwargs: Any,
) -> pl.Trainer:
    """A Trainer for ``fit``: no logger, checkpoints, sanity check or model summary unless
    asked; one device; a profiler that costs nothing; seqkit's History and progress display;
    user overrides win.

    Args:
        epochs: ``max_epochs``.
        verbose: 0 silent, 1 rich progress bar, 2 one line per epoch.
        history: The History callback to attach.
        callbacks: User callbacks, run after seqkit's.
        **trainer_kwargs: Any ``pytorch_lightning.Trainer`` argument.
    """
    positive_int(epochs, "epochs", "fit")
    own: list[pl.Callback] = [history]
    if verbose == 2:
        own.append(EpochLine())
    settings: dict[str, Any] = {
        "max_epochs": epochs,
        "logger": False,
        "enable_checkpointing": False,
        "enable_model_summary": False,
        "num_sanity_val_steps": 0,
        "enable_progress_bar": verbose == 1,
        "devices": 1,
    }
    if not trainer_kwargs.get("barebones"):  # barebones mode refuses any profiler
        settings["profiler"] = _LeanProfiler()
    if verbose == 1:
        own.append(ThrottledRichProgressBar())
    settings.update(trainer_kwargs)
    settings["callbacks"] = own + list(callbacks or [])
    if any(isinstance(c, pl.callbacks.ModelCheckpoint) for c in settings["callbacks"]):
        settings["enable_checkpointing"] = True
    return pl.Trainer(**settings)


@contextlib.contextmanager
def quiet_lightning(verbose: int) -> Iterator[None]:
    """Silences Lightning's start-up banners (devices, tips) and the warnings that do not
    apply to a seqkit model (e.g. its ``transfer_batch_to_device`` with a datamodule) while
    seqkit drives it."""
    saved = {name: logging.getLogger(name).level for name in _LIGHTNING_LOGGERS}
    for name in _LIGHTNING_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            for message in (".*does not have many workers.*", ".*Skipping val loop.*",
                            ".*LightningModule.*does not have a `validation_step`.*",
                            ".*GPU available but not used.*",
                            ".*is an invalid value for `num_nodes`.*",
                            ".*Consider setting `persistent_workers`.*",
                            # a SequenceDataModule without validation rows serves none
                            ".*Total length of `list` across ranks is zero.*",
                            # seqkit reduces epoch values over ranks itself before logging
                            ".*sync_dist=True.*",
                            ".*isinstance\\(treespec, LeafSpec\\)` is deprecated.*"):
                warnings.filterwarnings("ignore", message=message)
            # seqkit's own fast `transfer_batch_to_device` is meant to run with any datamodule
            warnings.filterwarnings("ignore", message=re.escape(_DATAMODULE_HOOK_WARNING))
            yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
