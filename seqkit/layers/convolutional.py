"""``Conv1D``: Keras's 1D convolution over time, length-aware."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn
from torch.nn import functional

from seqkit._checks import boolean, positive_int
from seqkit.errors import ConfigError, explain
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers._windows import (
    check_padding,
    check_span_fits,
    output_length,
    row_lengths,
    window_input,
    window_int,
    window_lengths,
)
from seqkit.layers.activations import get_activation
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer, initialize
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState

__all__ = ["Conv1D"]


@register
class Conv1D(Layer):
    """1D convolution over the time axis: ``(batch, time, features) -> (batch, time',
    filters)``, as Keras's ``Conv1D`` (channels last), on one batched ``conv1d`` call.

    Length-aware: on a padded batch each row gets what it would alone. Steps after a
    row's end are zeroed before the convolution, so they never reach a valid output (with
    ``"same"``, a row's last windows see zeros after it, as alone; with ``strides > 1``
    each row's padding is its own, as Keras computes it for that length), the output
    lengths follow the convolution arithmetic (``"valid"``: ``floor((L - span) / strides)
    + 1`` with ``span = dilation_rate * (kernel_size - 1) + 1``; ``"same"`` and
    ``"causal"``: ``ceil(L / strides)``) and outputs after them are zeros. A step mask
    that is not right padding (``Masking``, left padding) needs ``strides=1``: masked
    steps count as zeros and an output is kept with its step (``"valid"``: when its whole
    window is kept).

    Args:
        filters: Output channels.
        kernel_size: Window length (an int or a one-element tuple).
        strides: Step between windows.
        padding: ``"valid"`` (no padding), ``"same"`` (``ceil(L / strides)`` outputs) or
            ``"causal"`` (zeros before the sequence only: output ``t`` never sees a later
            step, for forecasting).
        dilation_rate: Gap between the window's taps; Keras refuses it with
            ``strides > 1``, and so does this layer.
        groups: Groups of input channels convolved separately (divides the input
            features and ``filters``).
        activation: Name of the activation (``None`` = linear).
        use_bias: Add a bias.
        kernel_initializer: Initialiser of the kernel (fans of Keras's ``(kernel_size,
            features / groups, filters)`` kernel); ``"glorot_uniform"`` by default.
        bias_initializer: Initialiser of the bias; ``"zeros"`` by default.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> conv = sk.Conv1D(4, 3)
        >>> out = conv(torch.randn(2, 10, 5), lengths=torch.tensor([10, 6]))
        >>> tuple(out.values.shape), out.lengths.tolist()
        ((2, 8, 4), [8, 4])
        >>> sk.Conv1D(4, 3, padding="causal", dilation_rate=2).compute_output_shape(
        ...     (None, 10, 5))
        (None, 10, 4)
    """

    input_ranks = (3,)
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int],
        strides: int | tuple[int] = 1,
        padding: str = "valid",
        *,
        dilation_rate: int | tuple[int] = 1,
        groups: int = 1,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: Initializer = "glorot_uniform",
        bias_initializer: Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.filters = positive_int(filters, "filters", "Conv1D")
        self.kernel_size = window_int(kernel_size, "kernel_size", "Conv1D")
        self.strides = window_int(strides, "strides", "Conv1D")
        self.padding = check_padding(padding, "Conv1D", causal=True)
        self.dilation_rate = window_int(dilation_rate, "dilation_rate", "Conv1D")
        self.groups = positive_int(groups, "groups", "Conv1D")
        if self.strides > 1 and self.dilation_rate > 1:
            raise ConfigError(explain(
                "Conv1D strides", expected="strides=1 with dilation_rate > 1 (as Keras)",
                received=f"strides={self.strides}, dilation_rate={self.dilation_rate}",
                fix="use dilation_rate=1 with strides, or strides=1 with dilation (a "
                "MaxPooling1D after it downsamples)"))
        if self.filters % self.groups:
            raise ConfigError(explain(
                "Conv1D groups", expected=f"a divisor of filters={self.filters}",
                received=f"groups={self.groups}", fix="make filters a multiple of groups"))
        check_parameter_count("Conv1D", self.filters * self.kernel_size,
                              f"filters={filters}, kernel_size={kernel_size}")
        self._activation = get_activation(activation)
        self.activation = activation
        self.use_bias = boolean(use_bias, "use_bias", "Conv1D")
        self.kernel_initializer = check_initializer(kernel_initializer, "kernel_initializer",
                                                    "Conv1D")
        self.bias_initializer = check_initializer(bias_initializer, "bias_initializer",
                                                  "Conv1D", matrix=False)
        self.conv: nn.Conv1d | None = None

    @property
    def span(self) -> int:
        """Steps one window covers: ``dilation_rate * (kernel_size - 1) + 1``."""
        return self.dilation_rate * (self.kernel_size - 1) + 1

    def get_config(self) -> dict[str, Any]:
        return {"filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": self.activation, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer, "name": self.name}

    def _window(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation_rate={self.dilation_rate}"

    def check_input_shape(self, input_shape: Shape) -> None:
        super().check_input_shape(input_shape)
        time, features = input_shape[1], input_shape[-1]
        if self.padding == "valid" and time is not None:
            check_span_fits(self.label, time, None, self.span, self._window())
        if features is not None and features % self.groups:
            raise ConfigError(explain(
                f"{self.label} groups", expected=f"a divisor of the {features} input features",
                received=f"groups={self.groups}",
                fix="make the input features a multiple of groups"))

    def _build(self, input_shape: Shape) -> None:
        features = input_shape[-1]
        per_group = features // self.groups
        check_parameter_count(self.label, self.filters * (self.kernel_size * per_group
                                                          + self.use_bias),
                              f"filters={self.filters} on {features} features")
        self.conv = nn.Conv1d(features, self.filters, self.kernel_size, stride=self.strides,
                              dilation=self.dilation_rate, groups=self.groups,
                              bias=self.use_bias)
        initialize(self.kernel_initializer, self.conv.weight,
                   (self.kernel_size, per_group, self.filters))
        if self.conv.bias is not None:
            initialize(self.bias_initializer, self.conv.bias, (self.filters,))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        time = output_length(input_shape[1], span=self.span, stride=self.strides,
                             padding=self.padding)
        return (input_shape[0], time, self.filters)

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.conv is not None
        rows = row_lengths(lengths, values.shape[1], self.strides, self.label)
        if self.padding == "valid":
            check_span_fits(self.label, values.shape[1], rows, self.span, self._window())
        ready = window_input(values, rows, span=self.span, stride=self.strides,
                             padding=self.padding, fill=0.0)
        out = functional.conv1d(ready.transpose(1, 2), self.conv.weight, self.conv.bias,
                                self.strides, 0, self.dilation_rate, self.groups)
        out = self._activation(out.transpose(1, 2))
        new_lengths = window_lengths(rows, span=self.span, stride=self.strides,
                                     padding=self.padding)
        return LayerOutput(zero_padding(out, new_lengths), new_lengths, state)
