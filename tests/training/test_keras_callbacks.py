"""CSVLogger, TensorBoard, LearningRateScheduler and LambdaCallback with Keras's meaning."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import seqkit as sk

X = np.random.default_rng(0).normal(size=(32, 4, 2)).astype(np.float32)
Y = X.sum(axis=(1, 2))


def _model(**kwargs: object) -> sk.Sequential:
    return sk.Sequential([sk.Input((4, 2)), sk.GRU(2), sk.Dense(1)], loss="mse",
                         metrics=["mae"], **kwargs)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_logger_writes_keras_rows(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "training.csv"
    history = _model().fit(X, Y, epochs=3, validation_split=0.25, validation_freq=2,
                           verbose=0, callbacks=[sk.callbacks.CSVLogger(path)])
    rows = _rows(path)
    assert list(rows[0]) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert [row["val_loss"] for row in rows][::2] == ["NA", "NA"]  # not validated
    assert float(rows[1]["val_loss"]) == pytest.approx(history.history["val_loss"][0])
    assert [float(row["loss"]) for row in rows] == pytest.approx(history.history["loss"])
    _model().fit(X, Y, epochs=1, verbose=0,
                 callbacks=[sk.callbacks.CSVLogger(path, separator=";", append=True)])
    lines = path.read_text().splitlines()
    assert len(lines) == 5 and lines[-1].startswith("0;")  # one header, a row appended


def test_learning_rate_scheduler_has_keras_semantics() -> None:
    seen: list[tuple[int, float]] = []

    def schedule(epoch: int, lr: float) -> float:
        seen.append((epoch, lr))
        return lr * 0.5 if epoch >= 3 else lr

    history = _model(lr=0.1).fit(X, Y, epochs=5, initial_epoch=2, verbose=0, callbacks=[
        sk.callbacks.LearningRateScheduler(schedule)])
    assert seen == [(2, 0.1), (3, 0.1), (4, 0.05)]
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    by_epoch = sk.callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    assert _model().fit(X, Y, epochs=2, verbose=0, callbacks=[by_epoch]).history["lr"] \
        == pytest.approx([0.01, 0.02])
    with pytest.raises(sk.errors.ConfigError, match="a float"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[
            sk.callbacks.LearningRateScheduler(lambda epoch, lr: "fast")])


def test_learning_rate_scheduler_prints_keras_line(capsys: pytest.CaptureFixture) -> None:
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[
        sk.callbacks.LearningRateScheduler(lambda epoch, lr: 0.002, verbose=1)])
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.002." in \
        capsys.readouterr().out


def test_lambda_callback_calls_with_keras_arguments() -> None:
    calls: list[tuple] = []
    callback = sk.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append(("begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch", epoch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: calls.append(("end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("done", logs)))
    _model().fit(X, Y, batch_size=16, epochs=2, validation_split=0.5, verbose=0,
                 callbacks=[callback])
    epoch_end = ("end", 0, ["loss", "mae", "val_loss", "val_mae"])
    assert calls[:4] == [("begin", {}), ("epoch", 0), ("batch", 0, ["loss"]), epoch_end]
    assert calls[-1] == ("done", {}) and len(calls) == 8


def test_tensorboard_writes_keras_runs(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard",
                        reason="needs the tensorboard extra: pip install 'seqkit[tensorboard]'")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    history = _model().fit(X, Y, epochs=2, validation_split=0.25, verbose=0,
                           callbacks=[sk.callbacks.TensorBoard(tmp_path)])
    runs = {}
    for run in ("train", "validation"):
        events = EventAccumulator(str(tmp_path / run))
        events.Reload()
        runs[run] = events
    assert set(runs["train"].Tags()["scalars"]) == {"epoch_loss", "epoch_mae",
                                                    "epoch_learning_rate"}
    assert set(runs["validation"].Tags()["scalars"]) == {"epoch_loss", "epoch_mae"}
    values = [event.value for event in runs["validation"].Scalars("epoch_loss")]
    assert values == pytest.approx(history.history["val_loss"])
    assert [event.step for event in runs["train"].Scalars("epoch_loss")] == [0, 1]


def test_tensorboard_refuses_batch_updates() -> None:
    with pytest.raises(sk.errors.ConfigError, match="update_freq"):
        sk.callbacks.TensorBoard(update_freq="batch")
