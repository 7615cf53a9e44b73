"""Variant ``S``: what a seqkit user writes, ``Sequential(...).fit`` with the progress bar
on (rendered as on a terminal, so its cost is paid) and ``predict``; variant ``L`` (text
only): the same fit with ``bucket_by_length=True``."""

from __future__ import annotations

from typing import Any

import seqkit as sk
from benchmarks.suite.configs import Config
from benchmarks.suite.data import regression_data, text_data
from benchmarks.suite.reference import DROPOUT, LEARNING_RATE
from benchmarks.suite.timing import Stopwatch
from benchmarks.suite.variant_lightning import EpochTimer

__all__ = ["seqkit_fit", "seqkit_fit_bucketed"]


def seqkit_fit_bucketed(config: Config, device: str) -> list[float]:
    """Seconds per epoch of ``fit(..., bucket_by_length=True)``."""
    return seqkit_fit(config, device, bucket_by_length=True)


def seqkit_fit(config: Config, device: str, bucket_by_length: bool = False) -> list[float]:
    """Seconds per epoch (or per ``model.predict`` pass)."""
    accelerator = "gpu" if device.startswith("cuda") else "cpu"
    if config.task in ("text", "attention"):
        ids, _, labels = text_data(config)  # zero-padded ids: the Embedding finds lengths
        body = ([sk.MultiHeadAttention(config.heads, config.embed // config.heads),
                 sk.AttentionPooling1D()] if config.task == "attention"
                else [sk.LSTM(config.units, bidirectional=True)])
        model = sk.Sequential([sk.Embedding(config.vocab, config.embed, mask_zero=True),
                               *body, sk.Dense(2)],
                              optimizer="adam", lr=LEARNING_RATE, loss="cross_entropy")
        x: Any = ids
        y: Any = labels
    else:
        x, y = regression_data(config)
        layers = ([sk.Conv1D(config.units, 3, padding="causal", activation="relu"),
                   sk.MaxPooling1D(2), sk.LSTM(config.units), sk.Dense(1)]
                  if config.task == "cnn_lstm" else
                  [sk.LSTM(config.units, return_sequences=True), sk.LSTM(config.units),
                   sk.Dropout(DROPOUT), sk.Dense(1)])
        model = sk.Sequential(layers, optimizer="adam", lr=LEARNING_RATE, loss="mse")
    if config.task == "predict":
        model.build(x.shape)
        model.to(device)
        stopwatch = Stopwatch(device)
        for _ in range(config.passes):
            stopwatch.start()
            result = model.predict(x, batch_size=config.batch_size)
            stopwatch.stop()
        assert result.shape == (config.n, 1)
        return stopwatch.seconds
    timer = EpochTimer(device)
    model.fit(x, y, batch_size=config.batch_size, epochs=config.passes, verbose=1, seed=0,
              callbacks=[timer], accelerator=accelerator, devices=1,
              bucket_by_length=bucket_by_length)
    return timer.stopwatch.seconds
