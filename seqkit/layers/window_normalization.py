"""``WindowNormalization``: each input window scaled by its own level and spread, and the
wrapped stack's forecast put back into the series' units.

A forecaster trained on raw values cannot answer outside the range it was trained on: a
series that keeps growing leaves it behind (the flat forecasts of an LSTM on trending
data). Normalizing every window by *its own* statistics (RevIN, DeepAR's mean scaling,
N-BEATS) removes the level and the scale; what is left to learn has the same range at any
point of the series.

For a window ``x`` (the target column of ``(lookback, features)``) the layer computes

* ``level``: the mean of the window's last ``season_length`` steps (its last value
  without a season),
* ``scale``: the window's standard deviation (never below ``epsilon``),

feeds ``(x - level) / scale`` to the wrapped stack, whose output ``z`` (``(batch,
horizon)``) is a forecast in those units, and answers ``base + scale * z``: the stack
learns what a simple forecast gets wrong, and a stack that outputs zeros *is* that
forecast. ``base`` is one of [`BASES`][seqkit.layers.window_normalization.BASES]:

* ``"seasonal_naive"`` (the default): the value one season before each forecast step;
* ``"seasonal_drift"``: seasonal naive plus the growth of the last season over the one
  before (``mean(x[-s:]) - mean(x[-2s:-s])``, once per season ahead); plain seasonal
  naive for windows shorter than two seasons;
* ``"level"``: the window's level.

Without a season both seasonal bases are the last value (naive). Every base is exact
under affine changes of units: ``a * x + b`` gives ``a * forecast + b``.

With ``linear=True`` the layer also holds a **linear path** beside the stack (the "wide"
part of wide-and-deep, the linear autoregression an ES-RNN or N-BEATS model keeps): the
normalized window's target column ``z`` (``(batch, lookback)``) gives ``z @ kernel +
bias``, and the answer is ``base + scale * (z @ kernel + bias + deep_weight * stack(z))``.
Its weights are buffers, not trained by gradient descent: a forecaster fits them in
closed form (ridge regression, [`seqkit.presets.linear_path`][]) before the stack trains
on what is left; ``deep_weight`` is 1, or 0 when the linear path alone did better on the
validation windows. They start at zero (the layer then answers as without the path) and
are saved and exported with the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from seqkit._checks import boolean, one_of, sequence_of_layers
from seqkit.errors import ConfigError, InputError, InputTypeError, explain
from seqkit.layers.base import Layer, LayerOutput, Shape, layer_from_spec, register
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.recurrent import RecurrentLayer
from seqkit.layers.state import RecurrentState

__all__ = ["BASES", "WindowNormalization"]

BASES = ("seasonal_naive", "seasonal_drift", "level")
"""What ``WindowNormalization``'s stack corrects (see the module's description)."""


@register
class WindowNormalization(Layer):
    """Normalizes each window by its own level and scale around a stack of layers.

    Args:
        layers: The stack that forecasts from the normalized window (layers or their
            ``get_config`` dicts); it must end without a time axis, ``(batch, horizon)``.
        season_length: Steps per season (12 for monthly data with a yearly pattern), at
            most the window's length; ``None``: no season (level and base are the last
            value).
        base: The forecast the stack corrects, one of
            [`BASES`][seqkit.layers.window_normalization.BASES].
        target: The input column that is the series (the others, covariates, pass
            through unchanged).
        epsilon: Smallest scale, for constant windows.
        linear: Add the linear path (``linear_kernel``, ``linear_bias`` and
            ``deep_weight`` buffers, see the module's description); the window length
            must then be fixed when the layer is built.
        name: Layer name.

    Raises:
        ConfigError: For an empty stack, a ``season_length`` below 1, a negative
            ``epsilon`` or an unknown ``base``; when built, a season longer than the window
            or a stack whose output keeps a time axis.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.WindowNormalization([sk.LSTM(4), sk.Dense(2)], season_length=3)
        >>> x = torch.arange(12.0).reshape(2, 6, 1)
        >>> tuple(layer(x).values.shape)
        (2, 2)
        >>> y = layer(10 * x + 5).values  # units change, forecast follows exactly
        >>> torch.allclose(y, 10 * layer(x).values + 5, atol=1e-4)
        True
    """

    checks_features: ClassVar[bool] = False  # the stack's first layer checks its input
    input_ranks: ClassVar[tuple[int, ...]] = (3,)
    rank_fix: ClassVar[str | None] = "window the series first: sk.data.windows(series, lookback)"

    def __init__(self, layers: Sequence[Layer | dict[str, Any]], season_length: int | None = None,
                 base: str = "seasonal_naive", target: int = 0, epsilon: float = 1e-6,
                 linear: bool = False, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.season_length = _season(season_length)
        self.base_kind = one_of(base, "base", "WindowNormalization", BASES)
        if isinstance(target, bool) or not isinstance(target, int) or target < 0:
            raise ConfigError(explain("WindowNormalization target", expected="a column index "
                                      ">= 0", received=f"target={target!r}"))
        self.target = target
        if not isinstance(epsilon, int | float) or not epsilon >= 0:
            raise ConfigError(explain("WindowNormalization epsilon", expected="a number >= 0",
                                      received=f"epsilon={epsilon!r}"))
        self.epsilon = float(epsilon)
        self.linear = boolean(linear, "linear", "WindowNormalization")
        self._stack_config = [_layer_config(layer) for layer in
                              sequence_of_layers(layers, "layers", "WindowNormalization")]
        if not self._stack_config:
            raise ConfigError(explain("WindowNormalization layers", expected="at least one "
                                      "layer", received="an empty list",
                                      fix="pass the forecasting stack, e.g. [sk.LSTM(64), "
                                          "sk.Dense(1)]"))
        self.stack = nn.ModuleList(layer_from_spec(spec, "WindowNormalization layer config")
                                   for spec in self._stack_config)

    def get_config(self) -> dict[str, Any]:
        return {"layers": [dict(spec) for spec in self._stack_config],
                "season_length": self.season_length, "base": self.base_kind,
                "target": self.target, "epsilon": self.epsilon, "linear": self.linear,
                "name": self.name}

    def extra_repr(self) -> str:
        return (f"season_length={self.season_length}, base={self.base_kind!r}, "
                f"target={self.target}, linear={self.linear}")

    def set_season_length(self, season_length: int | None) -> None:
        """Sets the season before the layer is built (a forecaster detects it in ``fit``).

        Examples:
            >>> import seqkit as sk
            >>> layer = sk.WindowNormalization([sk.LSTM(4), sk.Dense(1)])
            >>> layer.set_season_length(12)
            >>> layer.get_config()["season_length"]
            12
        """
        if self.built:
            raise ConfigError(explain("WindowNormalization season_length", expected="set "
                                      "before the layer is built", received="a built layer",
                                      fix="build a new model with season_length="))
        self.season_length = _season(season_length)

    # -- shapes and weights ----------------------------------------------------------------
    def check_input_shape(self, input_shape: Shape) -> None:
        super().check_input_shape(input_shape)
        steps, features = input_shape[1], input_shape[2]
        if features is not None and self.target >= features:
            raise InputError(explain(f"{self.label} input", expected=f"a column {self.target} "
                                     "(target=)", received=f"{features} feature(s)"))
        if steps is not None and self.season_length is not None and steps < self.season_length:
            raise InputError(explain(
                f"{self.label} input", expected=f"windows of at least season_length="
                f"{self.season_length} steps", received=f"{steps} steps",
                fix="use a lookback of at least one season (two is better)"))

    def _build(self, input_shape: Shape) -> None:
        shape = input_shape
        for layer in self.stack:
            layer.build(shape)  # type: ignore[operator]
            shape = layer.compute_output_shape(shape)  # type: ignore[operator]
        if len(shape) != 2:
            raise ConfigError(explain(
                "WindowNormalization stack output", expected="(batch, horizon): no time axis",
                received=f"shape {tuple(shape)}",
                fix="end the stack with a recurrent layer (return_sequences=False) and Dense"))
        if self.linear:
            steps = input_shape[1]
            if steps is None:
                raise ConfigError(explain(
                    "WindowNormalization(linear=True) input", expected="windows of a fixed "
                    "length", received=f"input shape {tuple(input_shape)}",
                    fix="build it on windows from sk.data.windows, or pass linear=False"))
            self.register_buffer("linear_kernel", torch.zeros(steps, shape[1]))
            self.register_buffer("linear_bias", torch.zeros(shape[1]))
            self.register_buffer("deep_weight", torch.ones(()))

    def set_linear(self, kernel: Any, bias: Any, deep_weight: float | None = None) -> None:
        """Sets the linear path's weights (``(lookback, horizon)`` and ``(horizon,)``) and,
        when given, the stack's weight (1: linear plus stack, 0: linear path alone).

        Examples:
            >>> import torch, seqkit as sk
            >>> layer = sk.WindowNormalization([sk.LSTM(2), sk.Dense(1)], linear=True)
            >>> layer.build((None, 4, 1))
            >>> layer.set_linear(torch.zeros(4, 1), torch.ones(1), deep_weight=0.0)
            >>> x = torch.tensor([[[1.0], [3.0], [2.0], [4.0]]])  # last value 4, std 1.29
            >>> round(layer(x).values.item(), 3)  # 4 + 1.291 * (0 + 1)
            5.291
        """
        self._require_linear("set_linear")
        kernel = torch.as_tensor(kernel, dtype=self.linear_kernel.dtype)
        bias = torch.as_tensor(bias, dtype=self.linear_bias.dtype)
        if tuple(kernel.shape) != tuple(self.linear_kernel.shape) \
                or tuple(bias.shape) != tuple(self.linear_bias.shape):
            raise InputError(explain(
                f"{self.label}.set_linear", expected=f"kernel {tuple(self.linear_kernel.shape)}"
                f" and bias {tuple(self.linear_bias.shape)}",
                received=f"{tuple(kernel.shape)} and {tuple(bias.shape)}"))
        with torch.no_grad():
            self.linear_kernel.copy_(kernel)
            self.linear_bias.copy_(bias)
            if deep_weight is not None:
                self.deep_weight.fill_(float(deep_weight))

    def _require_linear(self, what: str) -> None:
        if not self.built or not self.linear:
            raise ConfigError(explain(f"{self.label}.{what}", expected="a built layer with "
                                      "linear=True", received=f"built={self.built}, "
                                      f"linear={self.linear}",
                                      fix="build the model (fit or build) with linear=True"))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = input_shape
        for layer in self.stack:
            shape = layer.compute_output_shape(shape)  # type: ignore[operator]
        return shape

    # -- forward ---------------------------------------------------------------------------
    def statistics(self, values: Tensor) -> tuple[Tensor, Tensor]:
        """Each window's ``(level, scale)``, both ``(batch, 1)``.

        Examples:
            >>> import torch, seqkit as sk
            >>> layer = sk.WindowNormalization([sk.Dense(1)], season_length=2)
            >>> level, scale = layer.statistics(torch.tensor([[[1.0], [2.0], [3.0], [6.0]]]))
            >>> level.tolist(), round(scale.item(), 4)
            ([[4.5]], 2.1602)
        """
        series = values[..., self.target]
        if self.season_length is None:
            level = series[:, -1:]
        else:
            level = series[:, -self.season_length:].mean(dim=1, keepdim=True)
        scale = series.std(dim=1, keepdim=True, unbiased=True) if series.shape[1] > 1 \
            else torch.ones_like(level)
        return level, scale.clamp_min(self.epsilon)

    def base(self, values: Tensor, level: Tensor, horizon: int) -> Tensor:
        """What the stack's output corrects, ``(batch, horizon)`` (see ``base=``)."""
        if self.base_kind == "level":
            return level.expand(-1, horizon)
        series = values[..., self.target]
        steps, season = series.shape[1], self.season_length
        if season is None:
            return series[:, -1:].expand(-1, horizon)
        ahead = torch.arange(horizon, device=series.device)
        naive = series[:, steps - season + ahead % season]
        if self.base_kind == "seasonal_naive" or steps < 2 * season:
            return naive
        drift = series[:, -season:].mean(dim=1, keepdim=True) \
            - series[:, -2 * season:-season].mean(dim=1, keepdim=True)
        return naive + drift * (1 + ahead // season).to(series.dtype)

    def call(self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
             ) -> LayerOutput:
        if lengths is not None:
            raise InputError(explain(f"{self.label} input", expected="full windows of equal "
                                     "length", received="padded sequences with lengths",
                                     fix="cut the series with sk.data.windows"))
        level, scale = self.statistics(values)
        normalized = values.clone()
        normalized[..., self.target] = (values[..., self.target] - level) / scale
        output = normalized
        for layer in self.stack:
            if isinstance(layer, RecurrentLayer | Bidirectional):
                output, _, _ = layer(output, None, None, None, False)
            else:
                output, _, _ = layer(output, None, None)
        if self.linear:
            window = normalized[..., self.target]
            output = window @ self.linear_kernel.to(window.dtype) \
                + self.linear_bias.to(window.dtype) + self.deep_weight.to(window.dtype) * output
        return LayerOutput(self.base(values, level, output.shape[1]) + scale * output, None,
                           state)


def _season(season_length: Any) -> int | None:
    if season_length is None:
        return None
    if isinstance(season_length, bool) or not isinstance(season_length, int) \
            or season_length < 1:
        raise ConfigError(explain("WindowNormalization season_length", expected="an integer "
                                  ">= 1 or None", received=f"season_length={season_length!r}"))
    return season_length


def _layer_config(layer: Layer | dict[str, Any]) -> dict[str, Any]:
    if isinstance(layer, dict):
        return {"class_name": layer.get("class_name"), "config": dict(layer.get("config", {}))}
    if not isinstance(layer, Layer):
        raise InputTypeError(explain("WindowNormalization layers", expected="seqkit layers",
                                     received=f"{type(layer).__name__}",
                                     fix="pass e.g. [sk.LSTM(64), sk.Dense(1)]"))
    return {"class_name": type(layer).__name__, "config": layer.get_config()}
