"""Each ensemble member stops at its own best validation epoch, in fit and in the refit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

import seqkit as sk
from seqkit.presets.member_stopping import MemberEarlyStopping, MemberSnapshots, member_groups


def _ensemble() -> sk.Ensemble:
    ensemble = sk.Ensemble([sk.Dense(1, use_bias=False)], members=2)
    ensemble.build((None, 1))
    return ensemble


def _set(ensemble: sk.Ensemble, weights: tuple[float, float]) -> None:
    with torch.no_grad():
        for member, weight in zip(ensemble.members, weights, strict=True):
            next(member.parameters()).fill_(weight)


def _weights(ensemble: sk.Ensemble) -> list[float]:
    return [float(next(member.parameters())) for member in ensemble.members]


def test_member_early_stopping_by_hand() -> None:
    ensemble = _ensemble()
    x, y = np.ones((4, 1)), np.full((4, 1), 2.0)
    callback = MemberEarlyStopping(ensemble, x, y, patience=2)
    trainer = SimpleNamespace(current_epoch=0, should_stop=False)
    history = [(2.0, 0.0), (1.0, 1.0), (0.0, 1.9), (0.5, 0.5), (0.4, 0.4)]
    for epoch, weights in enumerate(history):  # the weights after each epoch
        _set(ensemble, weights)
        trainer.current_epoch = epoch
        callback.on_train_epoch_end(trainer, None)  # type: ignore[arg-type]
        # Stops once no member has improved for 2 epochs: after epoch 5 (best: 3).
        assert trainer.should_stop is (epoch + 1 >= 5)
    assert callback.best_epochs == [1, 3]
    callback.on_train_end(trainer, None)  # type: ignore[arg-type]
    assert _weights(ensemble) == [2.0, 1.899999976158142]


def test_a_group_stops_together_at_its_mean_output_s_best_epoch() -> None:
    ensemble = _ensemble()
    x, y = np.ones((4, 1)), np.full((4, 1), 2.0)
    callback = MemberEarlyStopping(ensemble, x, y, patience=5, groups=[[0, 1]])
    trainer = SimpleNamespace(current_epoch=0, should_stop=False)
    # Mean outputs 2.0 (best), then 1.5; member 0 alone would be best at epoch 2.
    for epoch, weights in enumerate([(1.0, 3.0), (2.0, 1.0)]):
        _set(ensemble, weights)
        trainer.current_epoch = epoch
        callback.on_train_epoch_end(trainer, None)  # type: ignore[arg-type]
    assert callback.best_epochs == [1, 1]
    callback.on_train_end(trainer, None)  # type: ignore[arg-type]
    assert _weights(ensemble) == [1.0, 3.0]
    overridden = sk.Ensemble([sk.Dense(1)], members=3, member_overrides=[
        {"use_bias": False}, {}, {"use_bias": False}])
    assert member_groups(overridden) == [[0, 2], [1]]


def test_snapshots_keep_each_member_after_its_epoch_count() -> None:
    ensemble = _ensemble()
    callback = MemberSnapshots(ensemble, [1, 3])
    trainer = SimpleNamespace(current_epoch=0)
    for epoch, weights in enumerate([(5.0, 6.0), (7.0, 8.0), (9.0, 10.0)]):
        _set(ensemble, weights)
        trainer.current_epoch = epoch
        callback.on_train_epoch_end(trainer, None)  # type: ignore[arg-type]
    callback.on_train_end(trainer, None)  # type: ignore[arg-type]
    assert _weights(ensemble) == [5.0, 10.0]


def test_forecaster_refits_each_member_for_its_own_epochs() -> None:
    t = np.arange(150)
    noise = np.random.default_rng(0).normal(scale=0.3, size=150)
    series = (50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 6) + noise).astype(np.float32)
    x, y = sk.data.windows(series, lookback=12)
    model = sk.presets.forecaster(lookback=12, units=4, members=3,
                                  base=["seasonal_naive", "seasonal_drift", "level"])
    model.patience = 3
    model.member_stopping = True
    history = model.fit(x, y, epochs=40, verbose=0, seed=0)
    best = history.history["member_best_epochs"]
    assert len(best) == 3 and all(1 <= b <= 40 for b in best)
    assert len(history.history["refit_loss"]) == max(best)
    assert len(history.history["loss"]) <= max(best) + 3  # stopped when none improved
    again = sk.presets.forecaster(lookback=12, units=4, members=3)  # the default: off
    assert "member_best_epochs" not in again.fit(x, y, epochs=3, verbose=0, seed=0).history
