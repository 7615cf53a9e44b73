"""``BatchNormalization``: Keras's, with statistics over each sequence's valid steps."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from seqkit._checks import as_real, boolean
from seqkit.errors import ConfigError, explain
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer, initialize
from seqkit.layers.masks import step_mask
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState

__all__ = ["BatchNormalization"]


def _number(value: Any, arg: str, *, low: float, high: float | None) -> float:
    number = as_real(value)
    ok = (number is not None and math.isfinite(number) and number > low
          and (high is None or number < high))
    if not ok:
        interval = f"in ({low:g}, {high:g})" if high is not None else f"above {low:g}"
        raise ConfigError(explain(f"BatchNormalization {arg}", expected=f"a number {interval}",
                                  received=f"{arg}={value!r}"))
    return float(value)


@register
class BatchNormalization(Layer):
    """Normalizes each feature (the last axis) by statistics of the batch while training
    and by their moving averages at inference, then scales by ``gamma`` and shifts by
    ``beta``, as Keras's ``BatchNormalization(axis=-1)``.

    Keras's semantics: ``moving = moving * momentum + batch * (1 - momentum)`` (torch's
    ``momentum`` is ``1 - momentum``), the batch variance is the biased one (Keras's, in
    the moving average too; torch's ``BatchNorm1d`` moves the unbiased one) and
    ``epsilon`` is added to the variance. Length-aware: on a padded (or masked) batch the
    statistics are over the valid steps only, as Keras's with a mask, and padded steps
    come out as zeros.

    Args:
        axis: The features axis; only ``-1`` (channels last, Keras's default).
        momentum: Weight of the old moving statistics, in ``(0, 1)``.
        epsilon: Added to the variance, positive.
        center: Learn the shift ``beta``.
        scale: Learn the scale ``gamma``.
        beta_initializer: Initialiser of ``beta`` (``"zeros"``).
        gamma_initializer: Initialiser of ``gamma`` (``"ones"``).
        moving_mean_initializer: Initialiser of the moving mean (``"zeros"``).
        moving_variance_initializer: Initialiser of the moving variance (``"ones"``).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> norm = sk.BatchNormalization(momentum=0.5)
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])
        >>> out = norm(x, lengths=torch.tensor([2]))  # training: the two valid steps
        >>> [round(v, 3) for v in out.values[0, :, 0].tolist()]
        [-1.0, 1.0, 0.0]
        >>> norm.moving_mean.tolist(), norm.moving_variance.tolist()
        ([1.0], [1.0])
    """

    input_ranks = (2, 3, 4)

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        *,
        beta_initializer: Initializer = "zeros",
        gamma_initializer: Initializer = "ones",
        moving_mean_initializer: Initializer = "zeros",
        moving_variance_initializer: Initializer = "ones",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if axis != -1 or isinstance(axis, bool):
            raise ConfigError(explain(
                "BatchNormalization axis", expected="-1 (the features, channels last)",
                received=f"axis={axis!r}",
                fix="put the features on the last axis (seqkit's layout) and keep axis=-1"))
        self.axis = -1
        self.momentum = _number(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = _number(epsilon, "epsilon", low=0.0, high=None)
        self.center = boolean(center, "center", "BatchNormalization")
        self.scale = boolean(scale, "scale", "BatchNormalization")
        self.beta_initializer = check_initializer(beta_initializer, "beta_initializer",
                                                  "BatchNormalization", matrix=False)
        self.gamma_initializer = check_initializer(gamma_initializer, "gamma_initializer",
                                                   "BatchNormalization", matrix=False)
        self.moving_mean_initializer = check_initializer(
            moving_mean_initializer, "moving_mean_initializer", "BatchNormalization",
            matrix=False)
        self.moving_variance_initializer = check_initializer(
            moving_variance_initializer, "moving_variance_initializer", "BatchNormalization",
            matrix=False)
        self.gamma: nn.Parameter | None = None
        self.beta: nn.Parameter | None = None
        self.moving_mean: Tensor | None
        self.moving_variance: Tensor | None
        self.register_buffer("moving_mean", None)
        self.register_buffer("moving_variance", None)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": self.beta_initializer,
                "gamma_initializer": self.gamma_initializer,
                "moving_mean_initializer": self.moving_mean_initializer,
                "moving_variance_initializer": self.moving_variance_initializer,
                "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        features = input_shape[-1]
        check_parameter_count(self.label, 4 * features,
                              f"{features} input features (4 statistics each)")
        shape = (features,)
        if self.scale:
            self.gamma = nn.Parameter(torch.empty(shape))
            initialize(self.gamma_initializer, self.gamma, shape)
        if self.center:
            self.beta = nn.Parameter(torch.empty(shape))
            initialize(self.beta_initializer, self.beta, shape)
        self.moving_mean = torch.empty(shape)
        initialize(self.moving_mean_initializer, self.moving_mean, shape)
        self.moving_variance = torch.empty(shape)
        initialize(self.moving_variance_initializer, self.moving_variance, shape)

    def count_params(self) -> int:
        """Weights as Keras counts them: the moving statistics too (not trained)."""
        moving = 0 if self.moving_mean is None else 2 * self.moving_mean.numel()
        return super().count_params() + moving

    def _moments(self, values: Tensor, lengths: Tensor | None) -> tuple[Tensor, Tensor]:
        axes = tuple(range(values.dim() - 1))
        if lengths is None or values.dim() < 3:
            return values.mean(dim=axes), values.var(dim=axes, unbiased=False)
        mask = step_mask(lengths.to(values.device), values.shape[1])
        mask = mask.reshape(*mask.shape, *([1] * (values.dim() - 2)))
        count = (mask.sum() * math.prod(values.shape[2:-1])).clamp(min=1)
        mean = values.masked_fill(~mask, 0.0).sum(dim=axes) / count
        centered = (values - mean).masked_fill(~mask, 0.0)
        return mean, centered.square().sum(dim=axes) / count

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.moving_mean is not None and self.moving_variance is not None
        if self.training:
            mean, variance = self._moments(values, lengths)
            with torch.no_grad():
                self.moving_mean.mul_(self.momentum).add_(mean.detach(),
                                                          alpha=1 - self.momentum)
                self.moving_variance.mul_(self.momentum).add_(variance.detach(),
                                                              alpha=1 - self.momentum)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        out = (values - mean) * torch.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            out = out * self.gamma
        if self.beta is not None:
            out = out + self.beta
        return LayerOutput(zero_padding(out, lengths), lengths, state)
