"""Regression and forecasting presets, and recursive multi-step forecasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from seqkit._checks import boolean, fraction, one_of, positive_int
from seqkit.data.adapters import to_series
from seqkit.data.covariates import covariate_matrix
from seqkit.errors import ConfigError, InputError, explain
from seqkit.layers.base import Layer
from seqkit.layers.core import Dense, Dropout
from seqkit.layers.recurrent import GRU, LSTM
from seqkit.layers.window_normalization import BASES
from seqkit.models.sequential import Sequential
from seqkit.preprocessing.normalization import Normalization
from seqkit.presets.forecast_output import (
    ForecastIntervals,
    conformal_bounds,
    future_index,
    with_index,
)
from seqkit.presets.forecaster_model import Forecaster, normalization_model

__all__ = ["forecast", "forecaster", "recurrent_stack", "regressor"]

_CELLS = {"lstm": LSTM, "gru": GRU}


def recurrent_stack(units: int, num_layers: int, dropout: float, bidirectional: bool,
                    cell: str, *, last_returns_sequences: bool) -> list[Layer]:
    """``num_layers`` recurrent layers (``Dropout`` between them when ``dropout > 0``)."""
    kind = _CELLS[one_of(cell, "cell", "preset", tuple(_CELLS))]
    positive_int(num_layers, "num_layers", "preset")
    fraction(dropout, "dropout", "preset")
    layers: list[Layer] = []
    for index in range(num_layers):
        last = index == num_layers - 1
        layers.append(kind(units, bidirectional=bidirectional,
                           return_sequences=last_returns_sequences or not last))
        if dropout > 0 and not last:
            layers.append(Dropout(dropout))
    return layers


def regressor(units: int = 64, num_layers: int = 1, dropout: float = 0.0, outputs: int = 1,
              per_step: bool = False, bidirectional: bool = False, cell: str = "lstm", *,
              lr: float = 1e-3, normalize: bool = True, scale_targets: bool = True
              ) -> Sequential:
    """A compiled recurrent regressor for ``(batch, time, features)`` inputs.

    ``Normalization`` (inputs) -> ``num_layers`` LSTM/GRU -> ``Dense(outputs)``, MSE loss,
    MAE and RMSE metrics, targets scaled for training and answered in original units.

    Args:
        units: Units per recurrent layer.
        num_layers: Stacked recurrent layers.
        dropout: Dropout between recurrent layers.
        outputs: Values predicted per sample (or per step).
        per_step: Predict at every time step (targets ``(batch, time[, outputs])``), the
            classic ``RegLSTM``; otherwise from each sequence's last valid step.
        bidirectional: Bidirectional recurrent layers (not with ``per_step`` forecasting of
            the future: a backward direction sees it).
        cell: ``"lstm"`` or ``"gru"``.
        lr: Adam's learning rate.
        normalize: Scale input features (adapted during ``fit``).
        scale_targets: Scale targets for training.

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.presets.regressor(units=8)
        >>> x = np.random.rand(32, 5, 2).astype("float32")
        >>> _ = model.fit(x, x.sum(axis=(1, 2)), epochs=1, verbose=0, seed=0)
        >>> model.predict(x[:3]).shape
        (3, 1)
    """
    positive_int(outputs, "outputs", "regressor")
    for flag, value in (("per_step", per_step), ("normalize", normalize),
                        ("scale_targets", scale_targets)):
        boolean(value, flag, "regressor")
    layers: list[Any] = [Normalization()] if normalize else []
    layers += recurrent_stack(units, num_layers, dropout, bidirectional, cell,
                              last_returns_sequences=per_step)
    layers.append(Dense(outputs))
    return Sequential(layers, loss="mse", metrics=["mae", "rmse"], lr=lr,
                      target_scaler="standard" if scale_targets else None, name="regressor")


def forecaster(lookback: int, horizon: int = 1, units: int = 64, num_layers: int = 1,
               dropout: float = 0.0, cell: str = "lstm", *, lr: float = 3e-3,
               season_length: int | str | None = "auto", members: int = 3,
               base: str | Sequence[str] = "seasonal_naive", linear: bool = False
               ) -> Forecaster:
    """A compiled forecaster: the last ``lookback`` steps in, the next ``horizon`` out.

    Train it on [`seqkit.data.windows`][seqkit.data.windows.windows]
    (``X, y = windows(series, lookback, horizon)``); ``horizon > 1`` predicts all steps at
    once (direct multi-output); [`forecast`][] goes further by feeding forecasts back
    (recursive).

    The model is ``members`` copies (an [`Ensemble`][seqkit.layers.Ensemble], averaged) of
    [`WindowNormalization`][seqkit.layers.WindowNormalization] around ``num_layers``
    LSTM/GRU layers and ``Dense(horizon)``: each window is scaled by its own level and
    spread, and the network learns the correction to the seasonal-naive forecast, so a
    trend or level never seen in training carries over. Its ``fit`` detects the season
    (unless given), holds out the most recent 20 % of the windows and stops early on them,
    restoring the best weights (see [`Forecaster`][seqkit.presets.forecaster_model.Forecaster]).

    Args:
        lookback: Steps in each input window (two seasons is a good choice).
        horizon: Steps predicted at once.
        units: Units per recurrent layer.
        num_layers: Stacked recurrent layers.
        dropout: Dropout between recurrent layers.
        cell: ``"lstm"`` or ``"gru"``.
        lr: Adam's learning rate.
        season_length: Steps per season; ``"auto"`` detects it from the training windows
            in ``fit``; ``None``: no season (the correction is to the last value).
        members: Independently trained copies averaged (1: a single network).
        base: What the network corrects: ``"seasonal_naive"``, ``"seasonal_drift"`` (plus
            the last season's growth) or ``"level"`` (see
            [`WindowNormalization`][seqkit.layers.WindowNormalization]); a list of them:
            the ensemble's members take them in turn (``Ensemble(member_overrides=)``).
        linear: A linear path beside the network: after training, an autoregression on
            the normalized window fitted in closed form (ridge regression) and blended
            with the network, the penalty and the blend chosen on the validation windows
            (see [`seqkit.presets.linear_path`][]). Off by default: on the dev panel it
            did not beat the network alone (see the Forecasting guide).

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> series = np.sin(np.arange(200) / 5).astype("float32")
        >>> x, y = sk.data.windows(series, lookback=12, horizon=3)
        >>> model = sk.presets.forecaster(lookback=12, horizon=3, units=8, members=1)
        >>> _ = model.fit(x, y, epochs=1, verbose=0, seed=0)
        >>> sk.forecast(model, series, steps=7).shape
        (7,)
    """
    positive_int(lookback, "lookback", "forecaster")
    positive_int(horizon, "horizon", "forecaster")
    positive_int(members, "members", "forecaster")
    if not isinstance(base, str) and (not isinstance(base, Sequence) or not base
                                      or not all(isinstance(b, str) for b in base)):
        raise ConfigError(explain("forecaster base", expected=f"one of {BASES} or a "
                                  "non-empty list of them (one per member, in turn)",
                                  received=f"base={base!r}"))
    detect = season_length == "auto"
    season = None if detect else season_length
    if season is not None and (isinstance(season, bool) or not isinstance(season, int)
                               or not 1 <= season <= lookback):
        raise ConfigError(explain(
            "forecaster season_length", expected=f"an integer from 1 to lookback={lookback}, "
            "\"auto\" or None", received=f"season_length={season_length!r}",
            fix="use a lookback of at least one season (two is better)"))
    stack: list[Any] = recurrent_stack(units, num_layers, dropout, False, cell,
                                       last_returns_sequences=False)
    stack.append(Dense(horizon, kernel_initializer="zeros"))  # starts as seasonal naive
    model = Forecaster(normalization_model(members, stack, season, base, linear), loss="mse",
                       metrics=["mae", "rmse"], lr=lr, name="forecaster")
    model.detect_season = detect
    model.model_name = "forecaster"
    model.forecast_window = (lookback, horizon)
    return model


def forecast(model: Sequential, history: Any, steps: int, intervals: float | None = None,
             *, covariates: Any = None, future_covariates: Any = None) -> Any:
    """Forecasts ``steps`` values after ``history`` (a 1-D series) with a forecaster.

    Each round feeds the last ``lookback`` values (forecasts included once they are
    needed) and takes the model's ``horizon`` outputs, until ``steps`` values exist.

    Args:
        model: A trained univariate forecaster (one input feature, ``horizon`` outputs).
        history: The series so far, at least ``lookback`` values: an array, a tensor, a
            list, or a pandas Series (with a ``DatetimeIndex`` or ``PeriodIndex`` the
            forecast is a Series indexed by the next periods).
        steps: How many values to forecast.
        intervals: A coverage such as 0.8: also return conformal bounds from the
            forecaster's validation residuals (see
            [`seqkit.presets.forecast_output`][]).
        covariates: The past-observed covariates the model was trained with
            (``windows(..., covariates=)``), one row per step of ``history``; they are
            not known past its end, so ``steps`` must not exceed the model's horizon.
        future_covariates: The known-future covariates
            (``windows(..., future_covariates=)``), one row per step of ``history``
            *and* of the ``steps`` forecast (a last round past ``steps`` reuses the last
            row).

    Returns:
        ``(steps,)`` float array (or pandas Series), in the series' units; with
        ``intervals``, a [`ForecastIntervals`][seqkit.presets.forecast_output.ForecastIntervals]
        ``(forecast, lower, upper, level)``.

    Examples:
        >>> import pandas as pd, seqkit as sk
        >>> months, passengers = sk.datasets.airline_passengers()
        >>> series = pd.Series(passengers, index=pd.PeriodIndex(months, freq="M"))
        >>> x, y = sk.data.windows(series, lookback=24)
        >>> model = sk.presets.forecaster(lookback=24, units=8, members=1)
        >>> _ = model.fit(x, y, epochs=2, verbose=0, seed=0)
        >>> result = sk.forecast(model, series, steps=3, intervals=0.8)
        >>> [str(p) for p in result.forecast.index]
        ['1961-01', '1961-02', '1961-03']
        >>> bool((result.lower < result.forecast).all() and (result.forecast < result.upper).all())
        True
    """
    lookback, horizon = _window_of(model)
    series = to_series(history, "forecast history")
    positive_int(steps, "steps", "forecast")
    if series.shape[0] < lookback:
        raise InputError(explain("forecast history", expected=f"at least lookback={lookback} "
                                 "values", received=f"{series.shape[0]} values",
                                 fix="pass the whole series so far, or a model with a "
                                 "shorter lookback"))
    columns = _covariate_columns(model, series.shape[0], steps, horizon, covariates,
                                 future_covariates)
    values = list(series[-lookback:])
    end = series.shape[0] - 1  # the time step of the window's last value
    produced: list[float] = []
    while len(produced) < steps:
        window = np.asarray(values[-lookback:], dtype=np.float32)[None, :, None]
        if columns is not None:
            window = np.concatenate([window, columns(end - lookback + 1, end + 1)[None]],
                                    axis=2).astype(np.float32)
        step = model.predict(window, verbose=0).reshape(-1)[:horizon]
        end += horizon
        produced.extend(step.tolist())
        values.extend(step.tolist())
    result = np.asarray(produced[:steps], dtype=np.float32)
    index = future_index(history, steps)
    name = getattr(history, "name", None)
    if intervals is None:
        return with_index(result, index, name)
    lower, upper = conformal_bounds(getattr(model, "validation_residuals", None), result,
                                    intervals, horizon)
    return ForecastIntervals(with_index(result, index, name), with_index(lower, index, name),
                             with_index(upper, index, name), float(intervals))


def _covariate_columns(model: Sequential, time: int, steps: int, horizon: int,
                       covariates: Any, future_covariates: Any) -> Any:
    """A function ``(start, stop) -> (stop - start, k)`` of the covariate columns beside
    the series' steps ``start .. stop - 1`` (``None`` without covariates)."""
    if covariates is None and future_covariates is None:
        return None
    parts: list[tuple[np.ndarray, int]] = []
    if covariates is not None:
        if steps > horizon:
            raise InputError(explain(
                "forecast covariates", expected=f"steps <= the model's horizon={horizon} "
                "(past-observed covariates are not known after the history)",
                received=f"steps={steps}", fix="train with horizon=steps, or pass "
                "features known in advance as future_covariates"))
        parts.append((covariate_matrix(covariates, time, "forecast covariates"), 0))
    if future_covariates is not None:
        future = covariate_matrix(future_covariates, time + steps, "forecast "
                                  "future_covariates", at_least=True)
        overhang = -(-steps // horizon) * horizon  # rows past the history the last round reads
        pad = max(0, time + overhang - future.shape[0])
        parts.append((np.concatenate([future, np.repeat(future[-1:], pad, axis=0)]),
                      horizon))
    width = 1 + sum(part.shape[1] for part, _ in parts)
    if getattr(model, "built", False) and model.input_shape[-1] not in (None, width):
        raise InputError(explain(
            "forecast covariates", expected=f"{model.input_shape[-1] - 1} covariate "
            "column(s), as in training", received=f"{width - 1}",
            fix="pass the same covariates and future_covariates as to sk.data.windows"))

    def columns(start: int, stop: int) -> np.ndarray:
        return np.concatenate([part[start + lead:stop + lead] for part, lead in parts], axis=1)

    return columns


def _window_of(model: Sequential) -> tuple[int, int]:
    window = getattr(model, "forecast_window", None)
    if window is None:
        model._require_built("forecast")
        shape = model.input_shape
        if len(shape) != 3 or shape[1] is None or shape[2] != 1:
            raise ConfigError(explain(
                "forecast", expected="a univariate forecaster (input (batch, lookback, 1))",
                received=f"a model built for {shape}",
                fix="use sk.presets.forecaster, or a model built with a fixed lookback"))
        window = (int(shape[1]), int(model.output_shape[-1] or 1))
    return window
