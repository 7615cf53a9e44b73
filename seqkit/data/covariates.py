"""Covariates beside a series' windows: past-observed and known-future features.

[`windows`][seqkit.data.windows.windows] appends them to each input window as extra
columns after the series' own:

* ``covariates`` (past-observed, e.g. a related series): the values at the window's own
  steps, ``covariates[t]`` next to ``series[t]``;
* ``future_covariates`` (known in advance, e.g. a holiday flag, a price set ahead, the
  month): **led by the horizon**, ``future_covariates[t + horizon]`` next to
  ``series[t]``, so the window's last row holds the value at the last step to forecast
  and a recurrent layer reads what is coming before it forecasts.

Both must have one row per step of the series. A forecaster's
[`WindowNormalization`][seqkit.layers.WindowNormalization] normalizes only the series
column (``target=0``); covariates pass through as they are, so give them a moderate
scale (a flag, a month index divided by 12, a standardized price).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view
from torch import Tensor

from seqkit.errors import InputError, InputTypeError, explain

__all__ = ["covariate_matrix", "covariate_windows"]


def covariate_matrix(values: Any, steps: int, arg: str, at_least: bool = False
                     ) -> np.ndarray:
    """``values`` as a finite float ``(time, k)`` matrix of ``steps`` rows (at least
    ``steps`` with ``at_least``).

    Examples:
        >>> covariate_matrix([1, 2, 3], 3, "covariates").shape
        (3, 1)
    """
    if isinstance(values, Tensor):
        values = values.detach().cpu().numpy()
    elif hasattr(values, "to_numpy"):
        values = values.to_numpy()
    try:
        matrix = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputTypeError(explain(arg, expected="numbers", received=type(values).__name__,
                                     fix="convert the columns to numbers first")) from None
    matrix = matrix[:, None] if matrix.ndim == 1 else matrix
    rows = matrix.shape[0] if matrix.ndim == 2 else -1
    if matrix.ndim != 2 or (rows < steps if at_least else rows != steps):
        wanted = f"{'at least ' if at_least else ''}{steps} rows (one per step of the series)"
        raise InputError(explain(arg, expected=f"(time,) or (time, features) with {wanted}",
                                 received=f"shape {matrix.shape}",
                                 fix="align the covariates with the series: one row per "
                                     "step, the same start"))
    if not np.isfinite(matrix).all():
        step = int(np.argwhere(~np.isfinite(matrix))[0][0])
        raise InputError(explain(arg, expected="finite numbers",
                                 received=f"NaN or inf at time step {step}",
                                 fix="drop or impute missing values first"))
    return matrix


def covariate_windows(x: Any, time: int, lookback: int, horizon: int, stride: int,
                      covariates: Any, future_covariates: Any) -> Any:
    """``x`` (``(n, lookback, features)`` windows of a series of ``time`` steps) with the
    covariates' columns appended (see the module's description)."""
    count = x.shape[0]
    parts = []
    if covariates is not None:
        past = covariate_matrix(covariates, time, "windows covariates")
        parts.append(_cut(past, 0, lookback, stride, count))
    if future_covariates is not None:
        future = covariate_matrix(future_covariates, time, "windows future_covariates")
        parts.append(_cut(future, horizon, lookback, stride, count))
    if not parts:
        return x
    if isinstance(x, Tensor):
        extra = [torch.tensor(part, dtype=x.dtype, device=x.device) for part in parts]
        return torch.cat([x, *extra], dim=2)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return np.concatenate([x.astype(dtype), *(part.astype(dtype) for part in parts)], axis=2)


def _cut(matrix: np.ndarray, offset: int, lookback: int, stride: int, count: int
         ) -> np.ndarray:
    view = sliding_window_view(matrix[offset:], lookback, axis=0)[::stride][:count]
    return np.moveaxis(view, 2, 1)  # (n, lookback, k)
