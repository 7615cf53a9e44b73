"""Cutting a long series into (lookback, horizon) training windows, without copying.

Window ``i`` covers the steps ``[i * stride, i * stride + lookback)`` of the series and its
targets are the ``horizon`` steps right after it. ``X`` is a strided *view* of the series
(numpy's ``sliding_window_view``, or ``Tensor.unfold`` for tensors), so a million windows
over a long series cost no more memory than the series itself.

Examples:
    >>> import numpy as np
    >>> x, y = windows(np.arange(6.0), lookback=3, horizon=2)
    >>> x.shape, y.shape
    ((2, 3, 1), (2, 2))
    >>> x[1, :, 0].tolist(), y[1].tolist()
    ([1.0, 2.0, 3.0], [4.0, 5.0])

Many series at once (each cut on its own):

    >>> x, y = windows([np.arange(6.0), 100 + np.arange(5.0)], lookback=3, horizon=2)
    >>> x.shape, y[-1].tolist()
    ((3, 3, 1), [103.0, 104.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view
from torch import Tensor

from seqkit._checks import positive_int
from seqkit.data.covariates import covariate_windows
from seqkit.errors import InputError, InputTypeError, explain

__all__ = ["windows"]

_Targets = int | str | Sequence[int | str] | None


@overload
def windows(series: Tensor, lookback: int, horizon: int = ..., stride: int = ...,
            targets: _Targets = ..., *, covariates: Any = ...,
            future_covariates: Any = ...) -> tuple[Tensor, Tensor]: ...


@overload
def windows(series: Any, lookback: int, horizon: int = ..., stride: int = ...,
            targets: _Targets = ..., *, covariates: Any = ...,
            future_covariates: Any = ...) -> tuple[np.ndarray, np.ndarray]: ...


def windows(series: Any, lookback: int, horizon: int = 1, stride: int = 1,
            targets: _Targets = None, *, covariates: Any = None,
            future_covariates: Any = None) -> tuple[Any, Any]:
    """Cuts a series into input windows ``X`` and the values that follow them, ``y``.

    Args:
        series: ``(time,)`` or ``(time, features)``: a numpy array, a torch tensor, a pandas
            Series or DataFrame, or a nested list. Must be finite (no NaN or inf). A list
            (or tuple) of arrays, tensors or pandas objects is *many series*: each is cut
            on its own (no window crosses two series) and the windows are concatenated in
            order, for one global model (a forecaster normalizes each window by itself).
        lookback: Steps in each input window.
        horizon: Steps to predict after each window.
        stride: Steps between the starts of consecutive windows.
        targets: Which columns of a 2-D series ``y`` holds: a column index (negative counts
            from the end), a list of them, or, for a DataFrame, column names (names win
            over positions). ``None``: every column (the series itself when 1-D).
        covariates: Past-observed features, one row per step of the series (``(time,)``
            or ``(time, k)``; a list of them for many series): appended to each window as
            extra columns at the window's own steps
            ([`seqkit.data.covariates`][]).
        future_covariates: Features known in advance, one row per step: appended led by
            the horizon (``future_covariates[t + horizon]`` beside ``series[t]``), so the
            window's last row holds their values at the last step forecast.

    Returns:
        ``(X, y)`` with ``X`` of shape ``(n, lookback, features)`` (``features`` is 1 for a
        1-D series) and ``y`` of shape ``(n, horizon)`` for a 1-D series or a single target,
        else ``(n, horizon, n_targets)``, where
        ``n = (time - lookback - horizon) // stride + 1``. Tensors for tensor input (views
        made with ``unfold``), otherwise numpy arrays; numpy views of the series are
        read-only, so call ``.copy()`` before writing into them. The dtype is kept.

    Raises:
        ConfigError: ``lookback``, ``horizon`` or ``stride`` is not a positive integer.
        InputError: The series is not 1-D or 2-D, is shorter than ``lookback + horizon``,
            holds NaN or inf, ``targets`` names a column that does not exist, or the
            covariates do not have one finite row per step of the series.
        InputTypeError: The series does not hold numbers.

    Examples:
        >>> import numpy as np
        >>> series = np.stack([np.arange(8.0), 10 * np.arange(8.0)], axis=1)  # (8, 2)
        >>> x, y = windows(series, lookback=4, horizon=2, stride=2, targets=1)
        >>> x.shape, y.shape
        ((2, 4, 2), (2, 2))
        >>> y.tolist()
        [[40.0, 50.0], [60.0, 70.0]]

        A known-future feature (here the step's month), led by the horizon:

        >>> month = np.arange(8.0) % 12
        >>> x, y = windows(np.arange(8.0), lookback=3, future_covariates=month)
        >>> x[0].tolist()  # series[t], month[t + 1]
        [[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]]
    """
    lookback = positive_int(lookback, "lookback", "windows")
    horizon = positive_int(horizon, "horizon", "windows")
    stride = positive_int(stride, "stride", "windows")
    if _many_series(series):
        return _many_windows(series, lookback, horizon, stride, targets, covariates,
                             future_covariates)
    columns = list(series.columns) if hasattr(series, "columns") else None
    values = _as_array(series)
    _check_shape(values, lookback, horizon)
    _check_finite(values)
    count = (values.shape[0] - lookback - horizon) // stride + 1
    width = 1 if values.ndim == 1 else values.shape[1]
    target_index = _target_index(targets, width, columns)  # a 1-D series is its own target
    if isinstance(values, Tensor):
        x, y = _tensor_windows(values, lookback, horizon, stride, count, target_index)
    else:
        x, y = _array_windows(values, lookback, horizon, stride, count, target_index)
    x = covariate_windows(x, values.shape[0], lookback, horizon, stride, covariates,
                          future_covariates)
    return x, y


def _many_series(series: Any) -> bool:
    return isinstance(series, list | tuple) and len(series) > 0 and all(
        isinstance(item, np.ndarray | Tensor) or hasattr(item, "to_numpy") for item in series)


def _many_windows(series: Sequence[Any], lookback: int, horizon: int, stride: int,
                  targets: _Targets, covariates: Any, future_covariates: Any
                  ) -> tuple[Any, Any]:
    """Each series' windows, concatenated (copies: one array cannot view them all)."""
    past = _per_series(covariates, len(series), "covariates")
    future = _per_series(future_covariates, len(series), "future_covariates")
    cut = []
    for number, item in enumerate(series):
        try:
            cut.append(windows(item, lookback, horizon, stride, targets,
                               covariates=past[number], future_covariates=future[number]))
        except (InputError, InputTypeError) as error:
            raise type(error)(f"series {number}: {error}") from None
    if all(isinstance(x, Tensor) for x, _ in cut):
        return torch.cat([x for x, _ in cut]), torch.cat([y for _, y in cut])
    if any(isinstance(x, Tensor) for x, _ in cut):
        raise InputTypeError(explain("windows series", expected="all numpy/pandas or all "
                                     "tensors", received="a mix", fix="convert them alike"))
    shapes = {x.shape[1:] for x, _ in cut}
    if len(shapes) > 1:
        raise InputError(explain("windows series", expected="the same columns in every "
                                 "series", received=f"window shapes {sorted(shapes)}"))
    return np.concatenate([x for x, _ in cut]), np.concatenate([y for _, y in cut])


def _per_series(values: Any, count: int, arg: str) -> list[Any]:
    if values is None:
        return [None] * count
    if not isinstance(values, list | tuple) or len(values) != count:
        raise InputError(explain(f"windows {arg}", expected=f"a list of {count} (one per "
                                 "series)", received=f"{type(values).__name__}"
                                 + (f" of {len(values)}" if isinstance(values, list | tuple)
                                    else ""),
                                 fix="pass one covariate array per series, in order"))
    return list(values)


def _array_windows(values: np.ndarray, lookback: int, horizon: int, stride: int, count: int,
                   target_index: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
    matrix = values[:, None] if values.ndim == 1 else values
    x = sliding_window_view(matrix, lookback, axis=0)[::stride][:count]  # (n, features, lookback)
    x = np.moveaxis(x, 2, 1)
    target = _future(values, lookback, target_index)
    y = sliding_window_view(target, horizon, axis=0)[::stride][:count]
    return x, (y if y.ndim == 2 else np.moveaxis(y, 2, 1))


def _tensor_windows(values: Tensor, lookback: int, horizon: int, stride: int, count: int,
                    target_index: list[int] | None) -> tuple[Tensor, Tensor]:
    matrix = values[:, None] if values.dim() == 1 else values
    x = matrix.unfold(0, lookback, stride)[:count].transpose(1, 2)
    target = _future(values, lookback, target_index)
    y = target.unfold(0, horizon, stride)[:count]
    return x, (y if y.dim() == 2 else y.transpose(1, 2))


def _future(values: Any, lookback: int, target_index: list[int] | None) -> Any:
    """The target columns from step ``lookback`` on: 1-D for one target, else 2-D."""
    if values.ndim == 1:
        return values[lookback:]
    if target_index is None and values.shape[1] == 1:
        target_index = [0]
    if target_index is None:
        return values[lookback:]
    if len(target_index) == 1:
        return values[lookback:, target_index[0]]  # a view
    return values[lookback:, target_index]


def _as_array(series: Any) -> np.ndarray | Tensor:
    if isinstance(series, Tensor):
        values: np.ndarray | Tensor = series.detach()
        kind_ok = series.dtype.is_floating_point or not (
            series.dtype.is_complex or series.dtype == torch.bool)
    else:
        if hasattr(series, "to_numpy"):  # pandas Series / DataFrame, without importing pandas
            series = series.to_numpy()
        try:
            values = np.asarray(series)
        except (ValueError, TypeError) as error:
            raise InputTypeError(explain("windows series", expected="a numeric array",
                                         received=f"{type(series).__name__} ({error})")) from None
        kind_ok = values.dtype.kind in "iuf"
    if not kind_ok:
        raise InputTypeError(explain("windows series", expected="numbers (int or float)",
                                     received=f"dtype {values.dtype}",
                                     fix="convert the columns to numbers first"))
    return values


def _check_shape(values: np.ndarray | Tensor, lookback: int, horizon: int) -> None:
    shape = tuple(values.shape)
    if len(shape) not in (1, 2) or 0 in shape[1:]:
        raise InputError(explain("windows series", expected="shape (time,) or (time, features)",
                                 received=f"shape {shape}",
                                 fix="pass one long series, not a batch of windows"))
    if shape[0] < lookback + horizon:
        raise InputError(explain(
            "windows series", expected=f"at least lookback + horizon = {lookback} + {horizon} "
            f"= {lookback + horizon} time steps", received=f"{shape[0]} time steps",
            fix="use a longer series or a smaller lookback or horizon"))


def _check_finite(values: np.ndarray | Tensor) -> None:
    if isinstance(values, Tensor):
        if not values.is_floating_point() or bool(torch.isfinite(values).all()):
            return
        bad = (~torch.isfinite(values)).nonzero().tolist()
    else:
        if values.dtype.kind != "f" or bool(np.isfinite(values).all()):
            return
        bad = np.argwhere(~np.isfinite(values)).tolist()
    where = f"time step {bad[0][0]}" + (f", column {bad[0][1]}" if len(bad[0]) == 2 else "")
    raise InputError(explain("windows series", expected="finite numbers",
                             received=f"{len(bad)} NaN or inf value(s), the first at {where}",
                             fix="drop or impute missing values before windowing"))


def _target_index(targets: _Targets, width: int, columns: list[Any] | None) -> list[int] | None:
    if targets is None:
        return None
    wanted = list(targets) if isinstance(targets, list | tuple) else [targets]
    index = [_column(target, width, columns) for target in wanted]
    if not index:
        raise InputError(explain("windows targets", expected="at least one column",
                                 received="targets=[]"))
    return index


def _column(target: Any, width: int, columns: list[Any] | None) -> int:
    if columns is not None and target in columns:
        return columns.index(target)
    if isinstance(target, int | np.integer) and not isinstance(target, bool) \
            and -width <= target < width:
        return int(target) % width
    valid = f"column indices 0..{width - 1} (or -{width}..-1)"
    if columns is not None:
        valid = f"column names {', '.join(repr(c) for c in columns)} or {valid}"
    raise InputError(explain("windows targets", expected=valid, received=f"target {target!r}"))
