"""The block every seqkit layer builds on: config, lazy build, shape inference, forward.

A block maps ``(values, lengths, state) -> (values, lengths, state)``:

* ``values``: the batch, batch-major (``(batch, time, features)`` for sequences).
* ``lengths``: the valid length of each sequence (``(batch,)`` int64), a ``(batch, time)``
  bool step mask (True where a step counts: left padding, masked inner steps; see
  [`seqkit.layers.masks`][]) or ``None`` when every step counts; blocks that drop the time
  axis return ``None``.
* ``state``: the final [`RecurrentState`][seqkit.layers.RecurrentState] of the latest recurrent
  block, passed through the others, so a recurrent block can start from it
  (``initial_state="previous"``).

Following Keras, ``__init__`` validates and stores the constructor arguments, ``build()``
creates weights once the input shape is known (from the first batch or
``Sequential.build``), and ``get_config()`` returns exactly the constructor arguments so
``cls.from_config(layer.get_config())`` rebuilds the layer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NamedTuple, TypeVar

from torch import Tensor, nn

from seqkit._checks import input_shape_argument
from seqkit.errors import ConfigError, InputError, explain
from seqkit.layers.input import per_sample_shape
from seqkit.layers.state import RecurrentState

__all__ = ["LAYER_REGISTRY", "Layer", "LayerOutput", "Shape", "counted_parameters",
           "layer_from_spec", "register"]

Shape = tuple[int | None, ...]
"""A shape with ``None`` for unknown sizes; the batch axis comes first (always ``None``)."""

LAYER_REGISTRY: dict[str, type[Layer]] = {}
"""Layer classes by name: the allow-list that configs (and saved files) may name."""

_LayerT = TypeVar("_LayerT", bound="type[Layer]")


def register(cls: _LayerT) -> _LayerT:
    """Class decorator adding a layer to [`LAYER_REGISTRY`][] under its class name."""
    LAYER_REGISTRY[cls.__name__] = cls
    return cls


def layer_from_spec(spec: dict[str, Any], what: str) -> Layer:
    """A new layer from ``{"class_name": ..., "config": ...}`` (a registered class only).

    ``what`` names the config in the error message.

    Examples:
        >>> layer_from_spec({"class_name": "Dense", "config": {"units": 2}}, "config").units
        2
    """
    class_name = spec.get("class_name")
    if class_name not in LAYER_REGISTRY:
        raise ConfigError(explain(what, expected=f"class_name in {sorted(LAYER_REGISTRY)}",
                                  received=f"class_name={class_name!r}"))
    return LAYER_REGISTRY[class_name].from_config(spec.get("config", {}))


class LayerOutput(NamedTuple):
    """What a block returns: new values, their lengths (or step mask), and the carried
    recurrent state."""

    values: Tensor
    lengths: Tensor | None = None
    state: RecurrentState | None = None


_RANK_WORDS = {
    2: "2D input (batch, features)",
    3: "3D input (batch, time, features)",
}



def counted_parameters(module: nn.Module) -> Iterator[nn.Parameter]:
    """``module``'s parameters as Keras counts them: an LSTM's or SimpleRNN's frozen
    ``bias_hh`` (kept at zero so that ``bias_ih`` alone is Keras's one bias) is left out.

    Examples:
        >>> lstm = nn.LSTM(2, 3)
        >>> _ = lstm.bias_hh_l0.requires_grad_(False)
        >>> sum(p.numel() for p in counted_parameters(lstm))
        72
    """
    structural = {id(parameter) for lstm in module.modules()
                  if isinstance(lstm, nn.LSTM | nn.RNN)
                  for name, parameter in lstm.named_parameters()
                  if name.startswith("bias_hh") and not parameter.requires_grad}
    return (p for p in module.parameters() if id(p) not in structural)

class Layer(nn.Module):
    """Base class of seqkit blocks.

    Subclasses set ``input_ranks`` (the input ranks they accept, batch axis included), and
    override ``_build`` (create weights), ``compute_output_shape`` and ``call``.

    Args:
        name: Name of the layer inside a model; unique names are assigned by
            ``Sequential`` when left ``None``.
    """

    input_ranks: ClassVar[tuple[int, ...]] = (2, 3)
    checks_features: ClassVar[bool] = True  # last input axis must keep the built size
    rank_fix: ClassVar[str | None] = None

    declared_input_shape: Shape | None = None  # from Keras 2's input_shape= / input_dim=

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _accepting_input_shape(cls.__init__)  # type: ignore[method-assign]

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__()
        if name is not None and (not isinstance(name, str) or not name.isidentifier()):
            raise ConfigError(
                explain(
                    f"{type(self).__name__} name",
                    expected="a Python identifier (letters, digits, underscores)",
                    received=f"name={name!r}",
                )
            )
        self.name = name
        self.built = False
        self.input_shape: Shape | None = None

    # -- configuration -------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Returns the constructor arguments (JSON-able), so ``from_config`` rebuilds it."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Creates a layer from the output of [`get_config`][]."""
        return cls(**config)

    # -- shapes and weights ----------------------------------------------------------------
    @property
    def label(self) -> str:
        """``Type 'name'`` for messages."""
        return f"{type(self).__name__} {self.name!r}" if self.name else type(self).__name__

    def check_input_shape(self, input_shape: Shape) -> None:
        """Raises [`InputError`][] if ``input_shape`` cannot feed this layer."""
        if len(input_shape) not in self.input_ranks:
            expected = " or ".join(_RANK_WORDS.get(r, f"{r}D input") for r in self.input_ranks)
            received = f"shape {tuple(input_shape)}"
            fix = self.rank_fix if len(input_shape) < min(self.input_ranks) else None
            raise InputError(explain(f"{self.label} input", expected=expected,
                                     received=received, fix=fix))
        if self.checks_features and self.built and self.input_shape is not None:
            want, got = self.input_shape[-1], input_shape[-1]
            if want is not None and got is not None and want != got:
                raise InputError(
                    explain(
                        f"{self.label} input",
                        expected=f"{want} features on the last axis (the size it was built with)",
                        received=f"shape {tuple(input_shape)}",
                        fix="give the same features as during training, or build a new model",
                    )
                )

    def build(self, input_shape: Shape) -> None:
        """Creates the weights for inputs of ``input_shape`` (batch axis first, may be None;
        every size an integer >= 1 or ``None``)."""
        input_shape = input_shape_argument(input_shape, f"{self.label}.build")
        self.check_input_shape(input_shape)
        if not self.built:
            self._build(input_shape)
            self.train(self.training)  # new submodules follow an earlier .eval()/.train()
            self.input_shape = (None, *input_shape[1:])
            self.built = True

    def _build(self, input_shape: Shape) -> None:
        """Creates weights; the default has none."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """Output shape for ``input_shape``; the default keeps the shape."""
        return tuple(input_shape)

    def count_params(self) -> int:
        """Number of weights, as Keras counts them (0 before build): see
        ``seqkit.layers.base.counted_parameters``."""
        return sum(p.numel() for p in counted_parameters(self))

    # -- forward ---------------------------------------------------------------------------
    def forward(
        self,
        values: Tensor,
        lengths: Tensor | None = None,
        state: RecurrentState | None = None,
    ) -> LayerOutput:
        """Runs the block, building it from ``values.shape`` on first use."""
        self.ensure_built(values)
        return self.call(values, lengths, state)

    def ensure_built(self, values: Tensor) -> None:
        """Builds from ``values.shape`` on first use; afterwards checks rank and features."""
        if not self.built:
            self.check_input_shape(tuple(values.shape))  # messages show the real batch size
            self.build((None, *values.shape[1:]))
        elif values.dim() not in self.input_ranks or (
            self.checks_features and values.shape[-1] != self.input_shape[-1]
        ):
            self.check_input_shape(tuple(values.shape))

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        """The computation; subclasses override. Default: identity."""
        return LayerOutput(values, lengths, state)

    def extra_repr(self) -> str:
        args = {k: v for k, v in self.get_config().items() if k != "name"}
        return ", ".join(f"{k}={v!r}" for k, v in args.items())


def _accepting_input_shape(init: Callable[..., None]) -> Callable[..., None]:
    """A layer's ``__init__`` that also takes Keras 2's ``input_shape=`` (per sample, no
    batch axis) or, for layers reading features on the last axis, ``input_dim=``
    (``input_shape=(input_dim,)``): on a model's first layer, the model builds for
    ``(None, *input_shape)`` at once."""

    @functools.wraps(init)
    def wrapped(self: Layer, *args: Any, **kwargs: Any) -> None:
        shape = kwargs.pop("input_shape", None)
        # input_dim is the features of the last axis (an Embedding's is its vocabulary)
        dim = kwargs.pop("input_dim", None) if type(self).checks_features else None
        init(self, *args, **kwargs)
        kind = type(self).__name__
        if shape is not None and dim is not None:
            raise ConfigError(explain(f"{kind} input_shape", expected="input_shape or "
                                      "input_dim", received="both", fix="pass one of them"))
        if shape is not None:
            self.declared_input_shape = (None, *per_sample_shape(shape, kind, "input_shape"))
        elif dim is not None:
            self.declared_input_shape = (None, *per_sample_shape(dim, kind, "input_dim"))

    return wrapped
