"""The synthetic data: a function of the config and the seed only, so every variant's
process builds the same arrays."""

from __future__ import annotations

import numpy as np

from benchmarks.suite.configs import Config

__all__ = ["regression_data", "text_data"]


def regression_data(config: Config, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``x (n, steps, features)`` float32 and a target ``y (n, 1)`` that depends on it."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((config.n, config.steps, config.features), dtype=np.float32)
    y = x[:, -8:, 0].sum(axis=1) - 0.5 * x[:, :, -1].mean(axis=1)
    return x, y[:, None].astype(np.float32)


def text_data(config: Config, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token ids ``(n, steps)`` int64, right-padded with 0; lengths; binary labels.

    Lengths run from ``min_length`` to ``steps``, skewed towards short (a cubed uniform),
    as real texts are; ids are drawn from ``1 .. vocab - 1``.
    """
    rng = np.random.default_rng(seed)
    span = config.steps - config.min_length
    lengths = config.min_length + np.round(rng.random(config.n) ** 3 * span).astype(np.int64)
    ids = rng.integers(1, config.vocab, size=(config.n, config.steps), dtype=np.int64)
    ids[np.arange(config.steps)[None, :] >= lengths[:, None]] = 0
    labels = rng.integers(0, 2, size=config.n, dtype=np.int64)
    return ids, lengths, labels
