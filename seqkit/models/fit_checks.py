"""Checks of ``fit``'s own arguments before any data is read or a Trainer is built:
``epochs``, ``shuffle``, ``seed``, ``callbacks``, unknown keywords, and data that cannot be
split (``validation_split`` with a loader or a generator).

Each refusal is a seqkit error naming the argument, instead of a Lightning ``TypeError``
(``Trainer.__init__() got an unexpected keyword argument``), an ``AttributeError`` deep in
a callback hook, or an argument taken silently (``shuffle="no"`` is truthy).

Examples:
    >>> check_fit_call([[1.0]], epochs=2, shuffle=True, seed=None, callbacks=None,
    ...                validation_split=0.0, trainer=None, trainer_kwargs={})
    (2, None)
    >>> try:
    ...     check_fit_call([[1.0]], epochs=1, shuffle=True, seed=None, callbacks=None,
    ...                    validation_split=0.0, trainer=None,
    ...                    trainer_kwargs={"max_epoch": 3})
    ... except ConfigError as error:
    ...     print(str(error).rpartition("; ")[2])
    did you mean 'max_epochs'?
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from difflib import get_close_matches
from functools import cache
from typing import Any

import pytorch_lightning as pl
import torch

from seqkit._checks import as_int, boolean, positive_int
from seqkit.data.loader import ArrayLoader
from seqkit.errors import ConfigError, InputTypeError, explain

__all__ = ["check_fit_call", "check_seed", "trainer_argument_names"]

_SEED_LIMIT = 2**32 - 1  # numpy's and Lightning's seeds are unsigned 32-bit


def check_fit_call(x: Any, *, epochs: Any, shuffle: Any, seed: Any, callbacks: Any,
                   validation_split: Any, trainer: pl.Trainer | None,
                   trainer_kwargs: dict[str, Any], fit: Callable[..., Any] | None = None
                   ) -> tuple[int, int | None]:
    """Checks ``fit``'s arguments that need no data; returns ``(epochs, seed)`` as Python
    ints (numpy integers such as ``np.int64(5)`` are accepted). ``fit``: the method whose
    argument names an unknown keyword is matched against, with the Trainer's."""
    epochs = positive_int(epochs, "epochs", "fit")
    boolean(shuffle, "shuffle", "fit")
    seed = check_seed(seed, "fit")
    _check_callbacks(callbacks)
    _check_keywords(trainer, trainer_kwargs, fit)
    _check_splittable(x, validation_split)
    return epochs, seed


def check_seed(seed: Any, owner: str) -> int | None:
    """``seed`` as an ``int`` in ``[0, 2**32 - 1]``, or ``None``.

    Examples:
        >>> import numpy as np
        >>> check_seed(np.int64(7), "fit"), check_seed(None, "fit")
        (7, None)
    """
    if seed is None:
        return None
    number = as_int(seed)
    if number is None or not 0 <= number <= _SEED_LIMIT:
        raise ConfigError(explain(f"{owner} seed", expected=f"an integer in [0, {_SEED_LIMIT}] "
                                  "or None", received=f"seed={seed!r}",
                                  fix="pass an integer such as seed=0"))
    return number


def _check_callbacks(callbacks: Any) -> None:
    if callbacks is None:
        return
    if isinstance(callbacks, pl.Callback) or not isinstance(callbacks, list | tuple):
        raise InputTypeError(explain(
            "fit callbacks", expected="a list of Lightning callbacks",
            received=f"callbacks={_short(callbacks)}",
            fix="wrap it in a list: callbacks=[callback]"))
    for index, callback in enumerate(callbacks):
        if not isinstance(callback, pl.Callback):
            keras = type(callback).__module__.startswith(("keras", "tensorflow"))
            raise InputTypeError(explain(
                f"fit callbacks[{index}]",
                expected="a pytorch_lightning.Callback (e.g. sk.callbacks.EarlyStopping)",
                received=f"a {type(callback).__module__}.{type(callback).__name__}",
                fix="use seqkit.callbacks' versions of Keras's callbacks" if keras else
                "subclass pytorch_lightning.Callback, or use sk.callbacks.LambdaCallback"))


@cache
def trainer_argument_names() -> frozenset[str]:
    """The keyword arguments of ``pytorch_lightning.Trainer``.

    Examples:
        >>> "accelerator" in trainer_argument_names()
        True
    """
    parameters = inspect.signature(pl.Trainer.__init__).parameters
    return frozenset(name for name in parameters if name != "self")


def _argument_names(function: Callable[..., Any] | None) -> frozenset[str]:
    if function is None:
        return frozenset()
    parameters = inspect.signature(function).parameters
    return frozenset(name for name, parameter in parameters.items()
                     if parameter.kind is not inspect.Parameter.VAR_KEYWORD
                     and name != "self")


def _check_keywords(trainer: pl.Trainer | None, trainer_kwargs: dict[str, Any],
                    fit: Callable[..., Any] | None) -> None:
    valid = trainer_argument_names() - {"callbacks"}
    for name in trainer_kwargs:
        if name not in valid:
            choices = sorted(valid | _argument_names(fit))
            close = get_close_matches(name, choices, n=1, cutoff=0.6)
            raise ConfigError(explain(
                "fit keyword", expected="one of fit's arguments or a Trainer argument ("
                + ", ".join(choices) + ")", received=f"{name}=",
                fix=f"did you mean {close[0]!r}?" if close else
                "see help(model.fit) and pytorch_lightning.Trainer"))
    if trainer is not None and not isinstance(trainer, pl.Trainer):
        raise InputTypeError(explain("fit trainer", expected="a pytorch_lightning.Trainer",
                                     received=f"a {type(trainer).__name__}",
                                     fix="pass pl.Trainer(...), or leave trainer= out"))
    if trainer is not None and trainer_kwargs:
        names = ", ".join(f"{name}=" for name in trainer_kwargs)
        raise ConfigError(explain(
            "fit trainer", expected="Trainer arguments or trainer=, not both",
            received=f"trainer= with {names}",
            fix="build your Trainer with those arguments, or leave trainer= out"))


def _check_splittable(x: Any, validation_split: Any) -> None:
    loader = isinstance(x, torch.utils.data.DataLoader | ArrayLoader)
    if isinstance(x, Iterator) and not loader:
        raise InputTypeError(explain(
            "fit x", expected="arrays, a list of sequences, a DataLoader or a "
            "LightningDataModule", received=f"a {type(x).__name__} (an iterator)",
            fix="collect it first (x = list(generator)) or wrap the data in a "
                "torch.utils.data.DataLoader"))
    if loader and validation_split not in (0, 0.0, None):
        raise ConfigError(explain(
            "fit validation_split", expected="arrays to split",
            received=f"validation_split={validation_split!r} with a {type(x).__name__}",
            fix="a loader cannot be split: pass validation_data=your_validation_loader, "
                "or pass the arrays to fit"))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
