"""The text preset's first step of ``fit``: its [`TfidfLinear`][seqkit.TfidfLinear] wide
path fitted to convergence, before the deep path trains on what it leaves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytorch_lightning as pl
import torch
from torch import Tensor, nn
from torchmetrics.functional.classification import multiclass_f1_score

from seqkit.layers.core import Dense
from seqkit.layers.tfidf_linear import TfidfLinear
from seqkit.layers.wide_deep import WideAndDeep
from seqkit.training.logistic import WideFitReport, fit_tfidf_linear

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["PRIOR_CORRECTIONS", "WideFit"]

PRIOR_CORRECTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Strengths ``s`` of the prior correction tried: ``-s * log(training share)`` is added to
each class's logit, so ``s = 1`` scores every class as if the classes were equally common
(logit adjustment, Menon et al. 2021); the one with the best validation macro-F1 is kept
(the smaller on ties; 0: none)."""


class WideFit(pl.Callback):
    """Before the first epoch of the first ``fit``: fits the model's frozen
    ``TfidfLinear`` layers (logistic regression on the training rows, ``C`` and the
    feature set chosen on the validation rows) and zeroes the deep path's head, so
    training starts from the fitted linear model and the deep path learns what it
    leaves. After the last epoch,
    the [`PRIOR_CORRECTIONS`][] strength with the best validation macro-F1 sets the
    ``WideAndDeep``'s ``logit_offset`` (rare classes are otherwise predicted too seldom).

    With ``start_best``, the linear model's validation loss becomes the best value so far
    of the preset's early stopping: the deep path's epochs are kept only if they beat it.
    The choice is ``model.wide_fit_report``.
    """

    def __init__(self, start_best: Any = None) -> None:
        self.start_best = start_best
        self.report: WideFitReport | None = None  # set when this fit fitted the wide path

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        layers = [m for m in pl_module.modules()
                  if isinstance(m, TfidfLinear) and not m.trainable]
        if not layers or _fitted(layers[0]):
            return  # nothing to fit, or a later fit: the linear model stays as it is
        model: Sequential = pl_module  # type: ignore[assignment]
        report = fit_tfidf_linear(layers[0], _batches(trainer.train_dataloader, model),
                                  _batches(_validation_loader(trainer), model))
        # Under DDP every rank sees its own shard: all take rank 0's fit
        _same_on_every_rank(trainer, layers[0])
        for other in layers[1:]:  # Ensemble members read the same features
            other.load_state_dict(layers[0].state_dict())
        for block in model.modules():
            if isinstance(block, WideAndDeep) and isinstance(block.deep[-1], Dense):
                _zero(block.deep[-1])
        model.wide_fit_report = self.report = report  # type: ignore[attr-defined]
        if self.start_best is not None and report.val_loss is not None:
            self.start_best(report.val_loss, model)


    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """After early stopping put the best weights back: the prior correction."""
        if self.report is None or not self.report.class_prior:
            return
        blocks = [m for m in pl_module.modules() if isinstance(m, WideAndDeep)]
        model: Sequential = pl_module  # type: ignore[assignment]
        probabilities, labels = _predictions(_validation_loader(trainer), model)
        if labels.numel() == 0 or not blocks:
            return
        prior = torch.tensor(self.report.class_prior).clamp(min=1e-6)
        scores = {}
        for strength in PRIOR_CORRECTIONS:
            offset = -strength * prior.log()
            predicted = (probabilities.log() + offset).argmax(1)
            # the macro-F1 that the model's "f1" metric reports
            scores[strength] = float(multiclass_f1_score(predicted, labels, len(prior),
                                                         average="macro"))
        best = max(scores, key=lambda s: (scores[s], -s))  # ties: the smaller correction
        self.report.prior_correction = best
        for block in blocks:
            block.logit_offset.copy_(-best * prior.log())
            _same_on_every_rank(trainer, block)


def _same_on_every_rank(trainer: pl.Trainer, module: nn.Module) -> None:
    if trainer.world_size > 1:
        state = {key: value.cpu() for key, value in module.state_dict().items()}
        module.load_state_dict(trainer.strategy.broadcast(state, src=0))


def _predictions(loader: Any, model: Sequential) -> tuple[Tensor, Tensor]:
    outputs, labels = [], []
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for values, lengths, y in _batches(loader, model):
            outputs.append(model.run_blocks(values, lengths)[0].float().clamp(min=1e-12).cpu())
            labels.append(y.reshape(-1).long().cpu())
    model.train(was_training)
    if not outputs:
        return torch.zeros(0, 1), torch.zeros(0, dtype=torch.long)
    return torch.cat(outputs), torch.cat(labels)


def _fitted(layer: TfidfLinear) -> bool:
    return bool((layer.idf != 1).any())  # a fitted idf exceeds 1 for rare features


def _zero(head: Dense) -> None:
    with torch.no_grad():
        for parameter in head.parameters():
            nn.init.zeros_(parameter)


def _validation_loader(trainer: pl.Trainer) -> Any:
    loop = trainer.fit_loop.epoch_loop.val_loop
    if not loop._data_source.is_defined():  # fit without validation data
        return None
    loop.setup_data()  # Lightning sets the loaders up at the first validation otherwise
    loaders = trainer.val_dataloaders
    if isinstance(loaders, list | tuple):
        return loaders[0] if loaders else None
    return loaders


def _batches(loader: Any, model: Sequential) -> Iterator[tuple[Tensor, Tensor | None, Tensor]]:
    if loader is None:
        return
    for raw in loader:
        batch = model._batch_from_loader(model.transfer_batch_to_device(raw, model.device, 0))
        if batch.y is not None:
            yield batch.x, batch.lengths, batch.y
