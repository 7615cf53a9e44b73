"""Keras-named callbacks in model.fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.callbacks import monitor_mode


@pytest.mark.parametrize(("monitor", "mode"), [("val_loss", "min"), ("loss", "min"),
                                               ("val_mae", "min"), ("accuracy", "max"),
                                               ("val_f1", "max"), ("val_auroc", "max")])
def test_mode_follows_the_monitored_metric(monitor: str, mode: str) -> None:
    assert monitor_mode(monitor) == mode


def test_early_stopping_restores_the_best_weights(regression_data) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.LSTM(8), sk.Dense(1)], loss="mse", lr=0.5)  # unstable on purpose
    stop = sk.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                      restore_best_weights=True)
    history = model.fit(x, y, epochs=30, verbose=0, seed=0, validation_split=0.25,
                        callbacks=[stop])
    losses = history.history["val_loss"]
    assert len(losses) < 30
    best = min(losses)
    assert model.evaluate(x[192:], y[192:]) == pytest.approx(best, rel=1e-4)


def test_model_checkpoint_keeps_the_best(tmp_path: Path, regression_data) -> None:
    x, y = regression_data
    saver = sk.callbacks.ModelCheckpoint(tmp_path / "best.ckpt", monitor="val_loss")
    model = sk.Sequential([sk.LSTM(8), sk.Dense(1)], loss="mse", lr=1e-2)
    model.fit(x, y, epochs=3, verbose=0, seed=0, validation_split=0.25, callbacks=[saver])
    assert (tmp_path / "best.ckpt").exists()
    restored = sk.Sequential.load_from_checkpoint(tmp_path / "best.ckpt")
    assert restored.evaluate(x[192:], y[192:]) == pytest.approx(
        float(saver.best_model_score), rel=1e-4)


def test_reduce_lr_on_plateau_lowers_the_learning_rate(regression_data) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse", lr=1e-9)  # cannot improve
    reduce = sk.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                            min_delta=1.0)
    history = model.fit(x, y, epochs=4, verbose=0, seed=0, callbacks=[reduce])
    # History records each epoch's lr before the callback lowers it at that epoch's end.
    np.testing.assert_allclose(history.history["lr"], [1e-9, 1e-9, 5e-10, 2.5e-10])
