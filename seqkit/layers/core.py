"""Core blocks: ``Dense``, ``Dropout``, ``Activation``, ``RepeatVector``."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from seqkit._checks import boolean, fraction, positive_int
from seqkit.layers._sizes import check_parameter_count, check_sample_size
from seqkit.layers.activations import get_activation
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer, initialize
from seqkit.layers.state import RecurrentState

__all__ = ["Activation", "Dense", "Dropout", "RepeatVector"]


@register
class Dense(Layer):
    """Fully connected layer on the last axis: per time step on a sequence.

    On ``(batch, time, features)`` it maps every step (the classic ``RegLSTM`` head that
    puts a ``Linear`` on each step); on ``(batch, features)`` it is an ordinary ``Linear``.

    Args:
        units: Output size.
        activation: Name of the activation (``None`` = linear), see
            [`ACTIVATIONS`][seqkit.layers.ACTIVATIONS].
        use_bias: Add a bias.
        kernel_initializer: Initialiser of the kernel, a name from
            [`INITIALIZERS`][seqkit.layers.initializers.INITIALIZERS] or a callable (see
            [`seqkit.layers.initializers`][]); Keras's ``"glorot_uniform"`` by default
            (fans of Keras's ``(in, units)`` kernel). ``"torch"`` keeps ``nn.Linear``'s.
        bias_initializer: Initialiser of the bias; Keras's ``"zeros"`` by default.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> tuple(sk.Dense(1)(torch.randn(4, 10, 8)).values.shape)
        (4, 10, 1)
        >>> layer = sk.Dense(3, kernel_initializer="he_normal", bias_initializer="ones")
        >>> layer.build((None, 5))
        >>> layer.linear.bias.tolist()
        [1.0, 1.0, 1.0]
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        *,
        use_bias: bool = True,
        kernel_initializer: Initializer = "glorot_uniform",
        bias_initializer: Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.units = positive_int(units, "units", "Dense")
        check_parameter_count("Dense", self.units, f"units={units} (one input feature)")
        self._activation = get_activation(activation)
        self.activation = activation
        self.use_bias = boolean(use_bias, "use_bias", "Dense")
        self.kernel_initializer = check_initializer(kernel_initializer, "kernel_initializer",
                                                    "Dense")
        self.bias_initializer = check_initializer(bias_initializer, "bias_initializer",
                                                  "Dense", matrix=False)
        self.linear: nn.Linear | None = None

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units, "activation": self.activation,
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer, "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        features = input_shape[-1]
        check_parameter_count(self.label, self.units * (features + self.use_bias),
                              f"units={self.units} on {features} input features")
        self.linear = nn.Linear(features, self.units, bias=self.use_bias)
        initialize(self.kernel_initializer, self.linear.weight, (features, self.units))
        if self.linear.bias is not None:
            initialize(self.bias_initializer, self.linear.bias, (self.units,))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape[:-1], self.units)

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.linear is not None
        return LayerOutput(self._activation(self.linear(values)), lengths, state)


@register
class Dropout(Layer):
    """Zeroes a fraction ``rate`` of values during training (inverted dropout).

    Args:
        rate: Fraction of values to drop, in ``[0, 1)``.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.Dropout(0.5).eval()
        >>> bool((layer(torch.ones(2, 3)).values == 1).all())
        True
    """

    input_ranks = (2, 3, 4)
    checks_features = False

    def __init__(self, rate: float, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.rate = fraction(rate, "rate", "Dropout")
        self.dropout = nn.Dropout(self.rate)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, "name": self.name}

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        return LayerOutput(self.dropout(values), lengths, state)


@register
class Activation(Layer):
    """Applies an activation function element-wise.

    Args:
        activation: Its name, e.g. ``"relu"``, ``"tanh"``, ``"softmax"`` (on the last axis).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> sk.Activation("relu")(torch.tensor([[-1.0, 1.0]])).values
        tensor([[0., 1.]])
    """

    input_ranks = (2, 3, 4)
    checks_features = False

    def __init__(self, activation: str, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._function = get_activation(activation)
        self.activation = activation

    def get_config(self) -> dict[str, Any]:
        return {"activation": self.activation, "name": self.name}

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        return LayerOutput(self._function(values), lengths, state)


@register
class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` vector ``n`` times: ``(batch, n, features)``.

    The bridge of an encoder-decoder: encode to one vector, repeat it for each output step.

    Args:
        n: Number of repetitions (output time steps).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> tuple(sk.RepeatVector(3)(torch.randn(2, 5)).values.shape)
        (2, 3, 5)
    """

    input_ranks = (2,)

    def __init__(self, n: int, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.n = positive_int(n, "n", "RepeatVector")
        check_sample_size("RepeatVector", self.n, f"n={n} (one feature)")

    def _build(self, input_shape: Shape) -> None:
        check_sample_size(self.label, self.n * input_shape[-1],
                          f"n={self.n} on {input_shape[-1]} features")

    def get_config(self) -> dict[str, Any]:
        return {"n": self.n, "name": self.name}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.n, input_shape[-1])

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        return LayerOutput(values.unsqueeze(1).expand(-1, self.n, -1), None, state)
