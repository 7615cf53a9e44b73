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

``groups`` makes members stop together: a group is scored by its members' mean output
and all its members keep the weights of the group's best epoch, as if each group were
an ensemble trained on its own (a forecaster groups the members that correct the same
baseline, [`member_groups`][seqkit.presets.member_stopping.member_groups]).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch

from seqkit.layers.ensemble import Ensemble

__all__ = ["MemberEarlyStopping", "MemberSnapshots", "member_groups", "member_outputs"]


def member_groups(ensemble: Ensemble) -> list[list[int]]:
    """The members with the same ``member_overrides``, grouped (without overrides, each
    member is a group of its own).

    Examples:
        >>> import seqkit as sk
        >>> ensemble = sk.Ensemble([sk.Dense(1)], members=4, member_overrides=[
        ...     {"activation": "tanh"}, {}, {"activation": "tanh"}, {}])
        >>> member_groups(ensemble)
        [[0, 2], [1, 3]]
    """
    overrides = ensemble.member_overrides
    if overrides is None:
        return [[index] for index in range(ensemble.member_count)]
    keys: list[str] = []
    for override in overrides:
        key = repr(sorted(override.items()))
        if key not in keys:
            keys.append(key)
    return [[i for i, o in enumerate(overrides) if repr(sorted(o.items())) == key]
            for key in keys]


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
        patience: Epochs without any group improving before training stops.
        groups: Lists of member indices that stop together (``None``: each member alone).

    Attributes:
        best_epochs: Per member, the number of epochs its best weights had trained.
        best_mse: Per group, its best validation MSE.
    """

    def __init__(self, ensemble: Ensemble, x: Any, y: Any, patience: int,
                 groups: list[list[int]] | None = None) -> None:
        self.ensemble = ensemble
        self.x = np.asarray(x, dtype=np.float32)
        self.y = torch.as_tensor(np.asarray(y, dtype=np.float32))
        self.patience = patience
        count = ensemble.member_count
        self.groups = groups if groups is not None else [[i] for i in range(count)]
        self.best_mse = [float("inf")] * len(self.groups)
        self.best_epochs = [0] * count
        self._best: list[dict[str, torch.Tensor] | None] = [None] * count

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        outputs = member_outputs(self.ensemble, self.x).cpu()
        target = self.y.reshape(outputs.shape[1:])
        epoch = trainer.current_epoch + 1
        for number, group in enumerate(self.groups):
            mse = float(((outputs[group].mean(dim=0) - target) ** 2).mean())
            if np.isfinite(mse) and mse < self.best_mse[number]:
                self.best_mse[number] = mse
                for index in group:
                    self.best_epochs[index] = epoch
                    self._best[index] = _snapshot(self.ensemble.members[index])
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
