"""Early stopping for each member of an ``Ensemble`` on its own.

The members of an [`Ensemble`][seqkit.layers.Ensemble] share no weights and each trains
on its own part of every batch, so each can stop at its own best epoch: members that
correct different baselines, or that started from other random weights, rarely peak at
the same epoch, and one early-stopping epoch for all of them keeps some far from their
best. [`MemberEarlyStopping`][seqkit.presets.member_stopping.MemberEarlyStopping]
scores every member on the validation windows after each epoch, keeps each member's
weights from its own best epoch, stops when no member has improved for ``patience``
epochs and puts every member's best weights back;
[`MemberSnapshots`][seqkit.presets.member_stopping.MemberSnapshots] does the same for a
refit on every window, with the epoch counts found before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch

from seqkit.layers.ensemble import Ensemble

__all__ = ["MemberEarlyStopping", "MemberSnapshots", "member_outputs"]


def member_outputs(ensemble: Ensemble, x: Any) -> torch.Tensor:
    """Every member's output for ``x``, ``(members, batch, *output)``, in evaluation mode.

    Examples:
        >>> import torch, seqkit as sk
        >>> ensemble = sk.Ensemble([sk.Dense(2)], members=3)
        >>> ensemble.build((None, 4))
        >>> tuple(member_outputs(ensemble, torch.randn(5, 4)).shape)
        (3, 5, 2)
    """
    training = ensemble.training
    ensemble.eval()
    try:
        parameter = next(ensemble.parameters())
        values = torch.as_tensor(np.asarray(x), dtype=parameter.dtype, device=parameter.device)
        with torch.no_grad():
            outputs = []
            for member in ensemble.members:
                output = values
                for layer in member:  # type: ignore[union-attr]
                    output = layer(output).values
                outputs.append(output)
        return torch.stack(outputs)
    finally:
        ensemble.train(training)


def _snapshot(member: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in member.state_dict().items()}


class MemberEarlyStopping(pl.Callback):
    """Keeps each ensemble member's weights from its own best validation epoch.

    Args:
        ensemble: The model's ``Ensemble``.
        x: Validation windows.
        y: Their targets.
        patience: Epochs without any member improving before training stops.

    Attributes:
        best_epochs: Per member, the number of epochs its best weights had trained.
        best_mse: Per member, its best validation MSE.
    """

    def __init__(self, ensemble: Ensemble, x: Any, y: Any, patience: int) -> None:
        self.ensemble = ensemble
        self.x = np.asarray(x, dtype=np.float32)
        self.y = torch.as_tensor(np.asarray(y, dtype=np.float32))
        self.patience = patience
        count = ensemble.member_count
        self.best_mse = [float("inf")] * count
        self.best_epochs = [0] * count
        self._best: list[dict[str, torch.Tensor] | None] = [None] * count

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        outputs = member_outputs(self.ensemble, self.x).cpu()
        target = self.y.reshape(outputs.shape[1:])
        epoch = trainer.current_epoch + 1
        for index, member in enumerate(self.ensemble.members):
            mse = float(((outputs[index] - target) ** 2).mean())
            if np.isfinite(mse) and mse < self.best_mse[index]:
                self.best_mse[index], self.best_epochs[index] = mse, epoch
                self._best[index] = _snapshot(member)
        if epoch - max(self.best_epochs) >= self.patience:
            trainer.should_stop = True

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        for member, best in zip(self.ensemble.members, self._best, strict=True):
            if best is not None:
                member.load_state_dict(best)


class MemberSnapshots(pl.Callback):
    """Keeps member ``k``'s weights after ``epochs[k]`` epochs (a refit with the epoch
    counts [`MemberEarlyStopping`][seqkit.presets.member_stopping.MemberEarlyStopping]
    found) and puts them back when training ends; train for ``max(epochs)``."""

    def __init__(self, ensemble: Ensemble, epochs: list[int]) -> None:
        self.ensemble = ensemble
        self.epochs = list(epochs)
        self._kept: list[dict[str, torch.Tensor] | None] = [None] * len(epochs)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        for index, member in enumerate(self.ensemble.members):
            if self.epochs[index] == epoch:
                self._kept[index] = _snapshot(member)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        for member, kept in zip(self.ensemble.members, self._kept, strict=True):
            if kept is not None:
                member.load_state_dict(kept)
