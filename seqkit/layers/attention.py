"""``MultiHeadAttention``: Keras's layer as self-attention inside a ``Sequential``, on
``torch.nn.functional.scaled_dot_product_attention``, masked by the lengths."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from seqkit._checks import boolean, fraction, positive_int
from seqkit.errors import ConfigError, explain
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer, initialize
from seqkit.layers.masks import step_mask
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState

__all__ = ["MultiHeadAttention", "attention_mask"]


def attention_mask(lengths: Tensor | None, steps: int, causal: bool,
                   device: torch.device) -> Tensor | None:
    """The boolean mask of who may attend to whom (True: allowed), broadcastable to
    ``(batch, 1, steps, steps)``, or ``None`` when every step may see every step.

    A query sees the kept keys (the steps the lengths or step mask keep) and, with
    ``causal``, only those up to itself. Without ``causal`` the mask is ``(batch, 1, 1,
    steps)``, one row of keys per sequence (no ``steps x steps`` tensor). A query that
    could see nothing (a masked step) is let see every key, so the softmax stays finite;
    its output is zeroed afterwards.

    Examples:
        >>> import torch
        >>> mask = attention_mask(torch.tensor([2]), 3, False, torch.device("cpu"))
        >>> mask.shape, mask[0, 0].int().tolist()
        (torch.Size([1, 1, 1, 3]), [[1, 1, 0]])
        >>> attention_mask(torch.tensor([3]), 3, True, torch.device("cpu"))[0, 0].int().tolist()
        [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    if lengths is None and not causal:
        return None
    if lengths is None:
        allowed = torch.ones(1, 1, 1, steps, dtype=torch.bool, device=device)
    else:
        allowed = step_mask(lengths.to(device), steps)[:, None, None, :]
    if causal:
        allowed = allowed & torch.ones(steps, steps, dtype=torch.bool, device=device).tril()
    return allowed | ~allowed.any(dim=-1, keepdim=True)


@register
class MultiHeadAttention(Layer):
    """Multi-head self-attention over ``(batch, time, features)``: query, key and value
    are all the previous block's output, as Keras's ``MultiHeadAttention()(x, x)``.

    Each head projects every step to a query and a key of ``key_dim`` and a value of
    ``value_dim``, attends with ``softmax(q k^T / sqrt(key_dim))`` (one
    ``scaled_dot_product_attention`` call over the whole padded batch, no loop), and the
    heads' results are projected back to ``output_shape`` features (by default the
    input's, as in Keras). Masked steps (padding, ``Masking``, ``Embedding(mask_zero=True)``)
    are never attended to, so a padded batch gives each sequence its own result; the
    output at masked steps is zeros and the mask flows on.

    Weights are Keras's (``get_weights`` order: query kernel ``(in, heads, key_dim)``,
    bias ``(heads, key_dim)``, then key, value, and the output kernel ``(heads, value_dim,
    out)`` with bias ``(out,)``); Keras's initialisers by default.

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each head's query and key.
        value_dim: Size of each head's value (default ``key_dim``).
        dropout: Dropout on the attention weights in training.
        use_bias: Biases in the four projections.
        output_shape: Features of the output (default: the input's).
        causal: Each step attends only to itself and earlier steps (Keras's
            ``use_causal_mask=True``), for forecasting and generation.
        kernel_initializer: Initialiser of the four kernels (fans of Keras's shapes).
        bias_initializer: Initialiser of the biases.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> out = layer(torch.randn(3, 6, 8), lengths=torch.tensor([6, 4, 1]))
        >>> tuple(out.values.shape), out.lengths.tolist()
        ((3, 6, 8), [6, 4, 1])
        >>> bool((out.values[1, 4:] == 0).all())  # padding: zeros
        True
    """

    input_ranks = (3,)
    rank_fix = "attention runs over a time axis: give (batch, time, features)"

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: int | Sequence[int] | None = None,
        *,
        causal: bool = False,
        kernel_initializer: Initializer = "glorot_uniform",
        bias_initializer: Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        kind = "MultiHeadAttention"
        self.num_heads = positive_int(num_heads, "num_heads", kind)
        self.key_dim = positive_int(key_dim, "key_dim", kind)
        self.value_dim = (self.key_dim if value_dim is None
                          else positive_int(value_dim, "value_dim", kind))
        self._value_dim_given = value_dim is not None
        self.dropout = fraction(dropout, "dropout", kind)
        self.use_bias = boolean(use_bias, "use_bias", kind)
        self.output_shape = _output_features(output_shape)
        self.causal = boolean(causal, "causal", kind)
        self.kernel_initializer = check_initializer(kernel_initializer, "kernel_initializer",
                                                    kind)
        self.bias_initializer = check_initializer(bias_initializer, "bias_initializer", kind,
                                                  matrix=False)
        check_parameter_count(kind, self.num_heads * (2 * self.key_dim + self.value_dim),
                              f"num_heads={num_heads}, key_dim={key_dim}, "
                              f"value_dim={value_dim} (one input feature)")
        self.query: nn.Linear | None = None
        self.key: nn.Linear | None = None
        self.value: nn.Linear | None = None
        self.attention_output: nn.Linear | None = None

    def get_config(self) -> dict[str, Any]:
        return {"num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim if self._value_dim_given else None,
                "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self.output_shape, "causal": self.causal,
                "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer, "name": self.name}

    def _keras_shapes(self, features: int) -> list[tuple[str, tuple[int, ...],
                                                         tuple[int, ...]]]:
        """Per projection: its name, Keras's kernel shape and bias shape."""
        out = self.output_shape or features
        heads, key, value = self.num_heads, self.key_dim, self.value_dim
        return [("query", (features, heads, key), (heads, key)),
                ("key", (features, heads, key), (heads, key)),
                ("value", (features, heads, value), (heads, value)),
                ("attention_output", (heads, value, out), (out,))]

    def _build(self, input_shape: Shape) -> None:
        features = int(input_shape[-1])  # type: ignore[arg-type]
        shapes = self._keras_shapes(features)
        total = sum(math.prod(k) + self.use_bias * math.prod(b) for _, k, b in shapes)
        check_parameter_count(self.label, total, f"num_heads={self.num_heads}, key_dim="
                              f"{self.key_dim} on {features} features")
        for name, kernel, bias in shapes:
            inputs = math.prod(kernel[:-1]) if name == "attention_output" else kernel[0]
            linear = nn.Linear(inputs, math.prod(kernel) // inputs, bias=self.use_bias)
            initialize(self.kernel_initializer, linear.weight, kernel)
            if linear.bias is not None:
                initialize(self.bias_initializer, linear.bias, bias)
            setattr(self, name, linear)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape[:-1], self.output_shape or input_shape[-1])

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.query is not None and self.key is not None and self.value is not None
        assert self.attention_output is not None
        batch, steps, _ = values.shape
        values = zero_padding(values, lengths)  # padding may hold inf/nan

        def heads(linear: nn.Linear, size: int) -> Tensor:
            return linear(values).view(batch, steps, self.num_heads, size).transpose(1, 2)

        mask = attention_mask(lengths, steps, self.causal, values.device)
        attended = F.scaled_dot_product_attention(
            heads(self.query, self.key_dim), heads(self.key, self.key_dim),
            heads(self.value, self.value_dim), attn_mask=mask,
            dropout_p=self.dropout if self.training else 0.0)
        merged = attended.transpose(1, 2).reshape(batch, steps,
                                                  self.num_heads * self.value_dim)
        return LayerOutput(zero_padding(self.attention_output(merged), lengths), lengths, state)

    # -- Keras's weight layout (see seqkit.layers.keras_weights) -------------------------
    def keras_arrays(self) -> list[tuple[str, Tensor]]:
        """The weights as Keras holds them: per projection its kernel, then its bias."""
        named = []
        assert self.query is not None
        for name, kernel, bias in self._keras_shapes(self.query.in_features):
            linear: nn.Linear = getattr(self, name)
            named.append((f"{name}/kernel", linear.weight.detach().T.reshape(kernel)))
            if linear.bias is not None:
                named.append((f"{name}/bias", linear.bias.detach().reshape(bias)))
        return named

    def set_keras_arrays(self, arrays: list[Tensor]) -> None:
        """Sets the weights from arrays in Keras's layout (shapes already checked)."""
        index = 0
        for name in ("query", "key", "value", "attention_output"):
            linear: nn.Linear = getattr(self, name)
            linear.weight.copy_(arrays[index].reshape(linear.in_features, -1).T)
            index += 1
            if linear.bias is not None:
                linear.bias.copy_(arrays[index].reshape(-1))
                index += 1


def _output_features(output_shape: Any) -> int | None:
    """Keras's ``output_shape``: ``None``, an int or a one-element sequence."""
    if output_shape is None:
        return None
    if isinstance(output_shape, list | tuple) and len(output_shape) == 1:
        output_shape = output_shape[0]
    if isinstance(output_shape, bool) or not isinstance(output_shape, int) or output_shape < 1:
        raise ConfigError(explain(
            "MultiHeadAttention output_shape", expected="None (the input's features) or a "
            "positive int (features of each step)", received=f"output_shape={output_shape!r}"))
    return output_shape
