"""The forecaster's linear path, fitted in closed form and blended with the network.

A [`WindowNormalization`][seqkit.layers.WindowNormalization] built with ``linear=True``
forecasts ``base + scale * (z @ kernel + bias + deep_weight * stack(z))``, ``z`` the
normalized window; the path starts at zero, so the stack trains alone. After training a
forecaster fits the **linear forecast** ``z @ K + c``: the ridge regression of the
normalized targets ``(y - base) / scale`` on ``z``, an autoregression on each window's
own level and scale, solved exactly. The penalty (and whether rows count by their scale
squared, as the model's MSE in the series' units does) is the one with the lowest MSE on
the validation windows, and so is the **blend** ``w`` (one of [`BLENDS`][]): the layer is
set to ``kernel = w K``, ``bias = w c``, ``deep_weight = 1 - w``, the forecast
``(1 - w) * network + w * linear`` — a combination of two different forecasters, the
field's most reliable gain on short series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from seqkit.layers.window_normalization import WindowNormalization

__all__ = [
    "BLENDS",
    "PENALTIES",
    "LinearFit",
    "clear_linear_path",
    "fit_linear_path",
    "normalized_rows",
    "ridge",
    "set_linear_path",
]

PENALTIES = tuple(float(p) for p in np.logspace(-4, 1, 11))
"""Ridge penalties tried, per window of training data (``penalty * rows``)."""

BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The linear forecast's weights tried against the network's (1 - weight)."""


@dataclass(frozen=True)
class LinearFit:
    """The linear path chosen by [`fit_linear_path`][seqkit.presets.linear_path.fit_linear_path].

    Attributes:
        penalty: Ridge penalty per training row.
        weighted: Whether rows counted by their scale squared.
        weight: The linear forecast's weight in the blend (the network's is ``1 - weight``).
        validation_mse: The blend's one-step MSE on the validation windows (series' units).
        linear_mse: The linear forecast's own MSE there.
        network_mse: The network's own MSE there.
    """

    penalty: float
    weighted: bool
    weight: float
    validation_mse: float
    linear_mse: float
    network_mse: float


def normalized_rows(layer: WindowNormalization, x: Any, y: Any
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(z, r, scale, base)`` of windows ``x`` and targets ``y`` (float64): the normalized
    target column ``(n, lookback)``, the normalized targets ``(y - base) / scale`` ``(n,
    horizon)``, each window's scale ``(n, 1)`` and the base forecast ``(n, horizon)``.

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> layer = sk.WindowNormalization([sk.Dense(1)], season_length=2)
        >>> x = np.array([[[1.0], [2.0], [3.0], [6.0]]])
        >>> z, r, scale, base = normalized_rows(layer, x, np.array([[7.0]]))
        >>> base.tolist(), np.round(r, 3).tolist()  # seasonal naive 3; (7 - 3) / 2.16
        ([[3.0]], [[1.852]])
    """
    values = torch.as_tensor(np.asarray(x, dtype=np.float64))
    targets = np.asarray(y, dtype=np.float64).reshape(values.shape[0], -1)
    level, scale = layer.statistics(values)
    base = layer.base(values, level, targets.shape[1]).numpy()
    z = ((values[..., layer.target] - level) / scale).numpy()
    scale_np = scale.numpy()
    return z, (targets - base) / scale_np, scale_np, base


def ridge(z: np.ndarray, r: np.ndarray, penalty: float, weights: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """The ridge regression of ``r`` on ``z`` with an unpenalized intercept:
    ``(kernel (lookback, horizon), bias (horizon,))``; ``penalty`` is per row.

    Examples:
        >>> z = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> kernel, bias = ridge(z, 2 * z + 1, penalty=0.0)
        >>> np.round(kernel, 6).tolist(), np.round(bias, 6).tolist()
        ([[2.0]], [1.0])
    """
    w = np.ones(len(z)) if weights is None else weights / np.mean(weights)
    mean_z = np.average(z, axis=0, weights=w)
    mean_r = np.average(r, axis=0, weights=w)
    zc, rc = z - mean_z, r - mean_r
    gram = zc.T @ (zc * w[:, None]) + penalty * len(z) * np.eye(z.shape[1])
    kernel = np.linalg.lstsq(gram, zc.T @ (rc * w[:, None]), rcond=None)[0]
    return kernel, mean_r - mean_z @ kernel


def _predict(z: np.ndarray, scale: np.ndarray, base: np.ndarray,
             kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return base + scale * (z @ kernel + bias)


def fit_linear_path(layers: list[WindowNormalization], x: Any, y: Any,
                    validation: tuple[Any, Any], network: np.ndarray,
                    recursive_mse: Callable[[], float] | None = None) -> LinearFit:
    """Fits the linear forecast on ``(x, y)``, chooses its penalty and the blend with the
    network on ``validation`` (windows and targets; ``network``: the network's forecasts
    of them), sets every layer and returns the choice.

    The penalty is the one with the lowest one-step MSE on the validation windows. The
    blend is chosen the way the model is used: with ``recursive_mse`` (the MSE of the
    model's recursive forecast over the validation period, as set now), the weight
    minimizes the sum of the one-step and the recursive MSE, each relative to the
    network's own; a linear recursion that drifts away over many steps is not chosen for
    its one-step error alone.

    Examples:
        >>> import numpy as np, torch, seqkit as sk
        >>> series = np.sin(np.arange(80) / 3).astype("float32")
        >>> x, y = sk.data.windows(series, lookback=8)
        >>> layer = sk.WindowNormalization([sk.LSTM(2), sk.Dense(1)], linear=True)
        >>> layer.build((None, 8, 1))
        >>> network = layer(torch.tensor(x[60:])).values.detach().numpy()
        >>> choice = fit_linear_path([layer], x[:60], y[:60], (x[60:], y[60:]), network)
        >>> choice.weight, choice.linear_mse < 1e-3  # a sine is a linear recursion
        (1.0, True)
    """
    z, r, scale, _ = normalized_rows(layers[0], x, y)
    vz, _, vscale, vbase = normalized_rows(layers[0], *validation)
    actual = np.asarray(validation[1], dtype=np.float64).reshape(vbase.shape)
    network = np.asarray(network, dtype=np.float64).reshape(vbase.shape)
    best: tuple[float, float, bool, np.ndarray] | None = None
    for weighted in (False, True):
        for penalty in PENALTIES:
            kernel, bias = ridge(z, r, penalty, scale[:, 0] ** 2 if weighted else None)
            linear = _predict(vz, vscale, vbase, kernel, bias)
            mse = float(np.mean((linear - actual) ** 2))
            if np.isfinite(mse) and (best is None or mse < best[0]):
                best = (mse, penalty, weighted, linear)
    if best is None:  # no finite linear forecast: the network alone
        network_mse = float(np.mean((network - actual) ** 2))
        return LinearFit(PENALTIES[0], False, 0.0, network_mse, float("inf"), network_mse)
    linear_mse, penalty, weighted, linear = best
    errors = [float(np.mean(((1 - w) * network + w * linear - actual) ** 2)) for w in BLENDS]
    criterion = [e / max(errors[0], 1e-300) for e in errors]
    if recursive_mse is not None:
        recursive = []
        for w in BLENDS:
            set_linear_path(layers, x, y, penalty, weighted, w)
            recursive.append(recursive_mse())
        if all(np.isfinite(recursive)):
            criterion = [c + r / max(recursive[0], 1e-300)
                         for c, r in zip(criterion, recursive, strict=True)]
    choice = int(np.argmin(criterion))
    set_linear_path(layers, x, y, penalty, weighted, BLENDS[choice])
    return LinearFit(penalty, weighted, BLENDS[choice], errors[choice], linear_mse, errors[0])


def set_linear_path(layers: list[WindowNormalization], x: Any, y: Any, penalty: float,
                    weighted: bool, weight: float) -> None:
    """Fits the linear forecast on ``(x, y)`` with the given penalty and sets every
    layer to the blend ``(1 - weight) * network + weight * linear``."""
    z, r, scale, _ = normalized_rows(layers[0], x, y)
    kernel, bias = ridge(z, r, penalty, scale[:, 0] ** 2 if weighted else None)
    for layer in layers:
        layer.set_linear(weight * kernel, weight * bias, 1.0 - weight)


def clear_linear_path(layers: list[WindowNormalization]) -> None:
    """Sets every layer's linear path to zero (the network alone), as before training."""
    for layer in layers:
        layer.set_linear(torch.zeros_like(layer.linear_kernel),
                         torch.zeros_like(layer.linear_bias), 1.0)
