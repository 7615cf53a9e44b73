"""windows over many series: each cut on its own, concatenated."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqkit.data import windows
from seqkit.errors import InputError


def test_many_series_are_cut_apart_and_concatenated() -> None:
    first, second = np.arange(7.0), 50 + np.arange(5.0)
    x, y = windows([first, second], lookback=3, horizon=1)
    assert x.shape == (4 + 2, 3, 1)
    np.testing.assert_array_equal(x[4, :, 0], [50.0, 51.0, 52.0])  # no window spans both
    np.testing.assert_array_equal(y[:, 0], [3.0, 4.0, 5.0, 6.0, 53.0, 54.0])
    tx, ty = windows([torch.arange(7.0), torch.arange(5.0)], lookback=3)
    assert tx.shape == (6, 3, 1) and ty.shape == (6, 1)
    with pytest.raises(InputError, match="series 1: windows series"):
        windows([first, np.arange(2.0)], lookback=3)
