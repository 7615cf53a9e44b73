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
from pytorch_lightning.callbacks import ModelSummary, ProgressBar
from pytorch_lightning.profilers import PassThroughProfiler
from rich.console import Console

from seqkit._checks import positive_int
from seqkit.errors import ConfigError, explain
from seqkit.training.history import History
from seqkit.training.progress import EpochLine, ThrottledRichProgressBar

__all__ = ["make_trainer", "quiet_lightning", "resolve_verbose", "stdout_redraws",
           "user_trainer_display"]

_LIGHTNING_LOGGERS = ("pytorch_lightning", "lightning.pytorch", "lightning_fabric")
_DATAMODULE_HOOK_WARNING = (
    "You have overridden `transfer_batch_to_device` in `LightningModule` but have passed in a"
    " `LightningDataModule`. It will use the implementation from `LightningModule` instance.")


def resolve_verbose(verbose: int | str, where: str = "fit") -> int:
    """The display ``fit`` shows: 0 nothing, 1 a progress bar, 2 one line per epoch.

    ``"auto"`` and ``1`` both draw the bar only where it can be redrawn in place (a
    terminal, or a notebook); elsewhere (a file, a pipe, a CI log) they print a line per
    epoch instead, so that a log holds no bar redraws. Keras prints the bar anyway.

    Examples:
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()):  # not a terminal
        ...     levels = resolve_verbose("auto"), resolve_verbose(1), resolve_verbose(0)
        >>> levels
        (2, 2, 0)
    """
    if verbose not in (0, 1, 2, "auto"):
        raise ConfigError(explain(f"{where} verbose", expected="0, 1, 2 or 'auto'",
                                  received=f"verbose={verbose!r}",
                                  fix="pass verbose=0 (silent), 1 (progress bar), 2 (one "
                                      "line per epoch) or 'auto'"))
    if verbose in (1, "auto"):
        return 1 if stdout_redraws() else 2
    return int(verbose)


def stdout_redraws() -> bool:
    """Whether standard output is a terminal or a notebook, where a bar redraws in place
    (a file, a pipe or a CI log is neither, even with ``FORCE_COLOR`` set).

    Examples:
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     redraws = stdout_redraws()
        >>> redraws
        False
    """
    isatty = getattr(sys.stdout, "isatty", None)
    if isatty is not None and isatty():
        return True
    # A notebook's stdout is no terminal, but rich redraws there. FORCE_COLOR, which
    # makes rich treat a CI log as a terminal, asks for colours, not redraws: not counted.
    return Console(file=sys.stdout).is_jupyter


@contextlib.contextmanager
def user_trainer_display(trainer: pl.Trainer, verbose: int | str) -> Iterator[None]:
    """Applies ``fit``'s ``verbose`` to a user's ``Trainer`` for the length of the fit.

    ``verbose=0`` turns the Trainer's progress bar and model summary off (and back on
    afterwards), so that the fit prints nothing. Otherwise the Trainer's own display is
    used as it was built; an explicit ``verbose=1`` or ``2`` that it cannot honour gets a
    warning saying so.

    Examples:
        >>> trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False)
        >>> with user_trainer_display(trainer, 0):
        ...     trainer.progress_bar_callback.is_enabled
        False
        >>> trainer.progress_bar_callback.is_enabled
        True
    """
    if verbose != 0:
        bar = trainer.progress_bar_callback
        if verbose == 2 or (verbose == 1 and bar is None):
            shown = "no progress display" if bar is None else f"its {type(bar).__name__}"
            warnings.warn(
                f"fit(verbose={verbose}) with trainer=: the Trainer's own display wins, and "
                f"it has {shown}. Build the Trainer with the progress callback you want, or "
                "pass verbose=0 to silence it.", UserWarning, stacklevel=4)
        yield
        return
    callbacks = list(trainer.callbacks)
    bars = [c for c in callbacks if isinstance(c, ProgressBar) and c.is_enabled]
    for bar in bars:
        bar.disable()
    trainer.callbacks = [c for c in callbacks if not isinstance(c, ModelSummary)]
    try:
        yield
    finally:
        added = [c for c in trainer.callbacks if all(c is not k for k in callbacks)]
        trainer.callbacks = callbacks + added  # the summary back; any callback added stays
        for bar in bars:
            bar.enable()


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
