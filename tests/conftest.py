"""Shared fixtures: small learnable data sets, deterministic and fast."""

from __future__ import annotations

import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _two_threads() -> None:
    torch.set_num_threads(2)


@pytest.fixture
def regression_data() -> tuple[np.ndarray, np.ndarray]:
    """y is the mean of the last 3 steps of the first feature: needs the sequence."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8, 2)).astype(np.float32)
    y = x[:, -3:, 0].mean(axis=1).astype(np.float32)
    return x, y


@pytest.fixture
def classification_data() -> tuple[np.ndarray, np.ndarray]:
    """Three classes by the sign pattern of the sum of the first feature."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 6, 3)).astype(np.float32)
    total = x[:, :, 0].sum(axis=1)
    y = np.digitize(total, [-1.0, 1.0]).astype(np.int64)
    return x, y
