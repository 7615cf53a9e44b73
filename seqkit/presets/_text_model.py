"""The pieces of [`text_classifier`][seqkit.presets.text_classifier]'s model: the
vectorizer that keeps signal, the Wide & Deep body sized to the adapted vocabulary, and
early stopping on by default."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping as LightningEarlyStopping

from seqkit.callbacks import EarlyStopping
from seqkit.layers.embedding import Embedding
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.tfidf_linear import TfidfLinear
from seqkit.layers.wide_deep import WideAndDeep
from seqkit.presets._wide_fit import WideFit

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["PresetEarlyStopping", "size_to_vocabulary", "use_preset_callbacks",
           "watch_vocabulary"]


def size_to_vocabulary(model: Sequential, vectorizer: Any, vocab_size: int) -> None:
    """Gives the model's unbuilt embeddings and wide layers ``vocab_size`` ids and its
    ``TfidfLinear`` layers the tokens' strings (called by the vectorizer's ``adapt``), so
    a small vocabulary makes a small model."""
    for layer in model.layers:
        if isinstance(layer, WideAndDeep):
            layer.resize_vocabulary(vocab_size)
        elif isinstance(layer, Embedding) and not layer.built:
            layer.vocab_size = vocab_size
        elif isinstance(layer, Ensemble) and not layer.built:
            for member in layer.members:
                first = member[0]
                if isinstance(first, WideAndDeep):
                    first.resize_vocabulary(vocab_size)
                elif isinstance(first, Embedding):
                    first.vocab_size = vocab_size
    for module in model.modules():
        if isinstance(module, TfidfLinear) and not module.built:
            module.set_vocabulary(vectorizer.vocabulary)  # its character n-grams
    for layer in model.layers:
        if isinstance(layer, Ensemble) and not layer.built:
            # the Ensemble saves its members from its stack of configs: keep it in step
            first = layer.members[0][0]
            layer._stack_config[0] = {"class_name": type(first).__name__,
                                      "config": first.get_config()}


def watch_vocabulary(model: Sequential, vectorizer: Any) -> None:
    """Sizes ``model`` from ``vectorizer``'s vocabulary whenever it adapts."""
    vectorizer.adapt_listeners.append(
        functools.partial(size_to_vocabulary, model, vectorizer))


class PresetEarlyStopping(pl.Callback):
    """The presets' default early stopping: ``val_loss``, ``patience`` epochs, the best
    epoch's weights restored. Idle without validation data or when the trainer has an
    ``EarlyStopping`` of the user's."""

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.inner = EarlyStopping(monitor="val_loss", patience=patience,
                                   restore_best_weights=True)
        self.inner.strict = False  # no validation: nothing to watch, nothing to stop
        self.active = True

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self.active = not any(isinstance(callback, LightningEarlyStopping)
                              for callback in trainer.callbacks)
        if self.active:
            self.inner.setup(trainer, pl_module, stage)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.active:
            self.inner.on_train_epoch_end(trainer, pl_module)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.active:
            self.inner.on_train_end(trainer, pl_module)

    def start_from(self, score: float, pl_module: pl.LightningModule) -> None:
        """Makes ``score`` (and the weights ``pl_module`` has now) the best so far: an
        epoch is kept only if it does better."""
        if self.active and self.inner.restore_best_weights:
            self.inner.best_score = torch.tensor(score)
            self.inner._best_weights = {key: value.detach().clone()
                                        for key, value in pl_module.state_dict().items()}


def _callbacks(patience: int | None, wide_fit: bool) -> list[pl.Callback]:
    early = PresetEarlyStopping(patience) if patience else None
    callbacks: list[pl.Callback] = [] if early is None else [early]
    if wide_fit:  # after early stopping: its on_train_end restores the best weights first
        callbacks.append(WideFit(None if early is None else early.start_from))
    return callbacks


def use_preset_callbacks(model: Sequential, patience: int | None, wide_fit: bool) -> None:
    """Gives every ``fit`` of ``model`` (Lightning's ``configure_callbacks`` hook) the
    closed-form fit of its wide path first ([`WideFit`][seqkit.presets._wide_fit.WideFit])
    and early stopping with ``patience`` (``None`` or 0: never)."""
    if patience or wide_fit:
        model.configure_callbacks = functools.partial(  # type: ignore[method-assign]
            _callbacks, patience, wide_fit)
