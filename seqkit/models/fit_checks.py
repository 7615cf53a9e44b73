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

from seqkit._checks import boolean, check_seed, positive_int, positive_real
from seqkit.data.loader import ArrayLoader
from seqkit.errors import ConfigError, InputTypeError, explain

__all__ = ["check_compile_keywords", "check_fit_call", "trainer_argument_names"]


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


# Keras's compile arguments that seqkit has no use for, with what to do instead.
_KERAS_COMPILE = {
    "loss_weights": "a Sequential has one output: weigh samples with fit(sample_weight=)",
    "weighted_metrics": "metrics are weighted by fit's and evaluate's sample_weight already",
    "run_eagerly": "seqkit runs eagerly (PyTorch)",
    "steps_per_execution": "each step runs alone",
    "jit_compile": "pass a compiled model's Trainer settings, or leave it out",
    "auto_scale_loss": "use fit(precision='16-mixed'), which scales the loss",
}


def check_compile_keywords(kwargs: dict[str, Any], lr: float | None) -> float | None:
    """``compile``'s extra keywords: Keras's ``learning_rate`` is ``lr``; Keras's arguments
    seqkit does not use, and unknown names, are refused naming the closest valid one.

    Examples:
        >>> check_compile_keywords({"learning_rate": 0.01}, None)
        0.01
    """
    kwargs = dict(kwargs)
    if "learning_rate" in kwargs:
        if lr is not None:
            raise ConfigError(explain("compile learning_rate", expected="lr or learning_rate",
                                      received="both", fix="pass one of them"))
        lr = positive_real(kwargs.pop("learning_rate"), "learning_rate", "compile")
    for name in kwargs:
        if name in _KERAS_COMPILE:
            raise ConfigError(explain(f"compile {name}", expected="an argument seqkit uses",
                                      received=f"{name}=", fix=_KERAS_COMPILE[name]))
        valid = ["optimizer", "loss", "metrics", "lr", "learning_rate", "weight_decay",
                 "scheduler"]
        close = get_close_matches(name, valid, n=1, cutoff=0.6)
        raise ConfigError(explain("compile keyword", expected="one of " + ", ".join(valid),
                                  received=f"{name}=",
                                  fix=f"did you mean {close[0]!r}?" if close else None))
    return lr


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
