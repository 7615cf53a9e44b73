"""Variant ``D``: Keras 3 on its torch backend (the optional ``bench`` extra).

The worker sets ``KERAS_BACKEND=torch`` before this module is imported; Keras places its
tensors on the GPU by itself when torch sees one.
"""

from __future__ import annotations

from typing import Any

import keras

from benchmarks.suite.configs import Config
from benchmarks.suite.data import regression_data, text_data
from benchmarks.suite.reference import DROPOUT, LEARNING_RATE
from benchmarks.suite.timing import Stopwatch

__all__ = ["keras_fit"]


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self, device: str) -> None:
        super().__init__()
        self.stopwatch = Stopwatch(device)

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.stopwatch.start()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.stopwatch.stop()


def keras_fit(config: Config, device: str) -> list[float]:
    """Seconds per epoch (or per ``model.predict`` pass)."""
    keras.utils.set_random_seed(0)
    layers = keras.layers
    if config.task == "text":
        ids, _, labels = text_data(config)
        model = keras.Sequential([
            keras.Input((None,), dtype="int64"),
            layers.Embedding(config.vocab, config.embed, mask_zero=True),
            layers.Bidirectional(layers.LSTM(config.units)),
            layers.Dense(2),
        ])
        loss: Any = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        x, y = ids, labels
    else:
        x, y = regression_data(config)
        model = keras.Sequential([
            keras.Input((config.steps, config.features)),
            layers.LSTM(config.units, return_sequences=True),
            layers.LSTM(config.units),
            layers.Dropout(DROPOUT),
            layers.Dense(1),
        ])
        loss = "mse"
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss=loss)
    if config.task == "predict":
        stopwatch = Stopwatch(device)
        for _ in range(config.passes):
            stopwatch.start()
            result = model.predict(x, batch_size=config.batch_size, verbose=0)
            stopwatch.stop()
        assert result.shape == (config.n, 1)
        return stopwatch.seconds
    timer = _EpochTimer(device)
    model.fit(x, y, batch_size=config.batch_size, epochs=config.passes, shuffle=True,
              verbose=1, callbacks=[timer])
    return timer.stopwatch.seconds
