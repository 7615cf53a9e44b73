"""Keras layer configs into seqkit layers: the registry ``sk.from_keras`` converts through.

One entry per Keras class name, a [`KerasConverter`][seqkit.layers.keras_config.KerasConverter]:
a function from the Keras layer's config (a [`KerasLayer`][seqkit.layers.keras_config.KerasLayer]
view) to the seqkit layer, and the order of its sublayers' weight groups in a ``.keras``
file where Keras's ``get_weights`` order differs from their names' (``Bidirectional``:
forward before backward). The entries are in ``seqkit.layers.keras_converters``; adding a
layer is one decorated function there:

    @keras_converter("GlobalMaxPooling1D")
    def _global_max(keras: KerasLayer) -> Layer:
        keras.expect("data_format", "channels_last")
        return GlobalMaxPooling1D(name=keras.name)

Whatever a converter does not read must be neutral (``None``, ``False``, empty) or one of
the arguments that never change a prediction (``IGNORED``: names, dtypes, seeds,
regularisers, constraints); anything else is refused with the argument named, so a model
never converts into one that predicts differently without saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seqkit.errors import ConfigError, SeqkitError, explain
from seqkit.layers.base import Layer
from seqkit.layers.initializers import INITIALIZERS
from seqkit.layers.input import Input

__all__ = ["IGNORED", "KERAS_CONVERTERS", "KerasConverter", "KerasLayer", "convert_layer",
           "keras_converter"]

IGNORED = frozenset({
    "name", "trainable", "dtype", "seed", "activity_regularizer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "embeddings_regularizer",
    "beta_regularizer", "gamma_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "embeddings_constraint", "beta_constraint", "gamma_constraint",
    "unroll", "implementation", "zero_output_for_mask", "input_length", "batch_input_shape",
    "batch_size", "input_shape", "build_config", "sparse", "ragged", "optional",
})
"""Keras arguments that never change what a built layer computes (training-only penalties
and constraints, seeds, dtypes, Keras 2's shape hints, how Keras unrolls a loop)."""


@dataclass(frozen=True)
class KerasConverter:
    """How one Keras class becomes a seqkit layer.

    Attributes:
        build: The Keras layer's config view to a seqkit layer (an
            [`Input`][seqkit.layers.Input] for ``InputLayer``).
        weight_order: Sublayer groups of a ``.keras`` weights file in ``get_weights``
            order, where that is not their names' order.
    """

    build: Callable[[KerasLayer], Any]
    weight_order: tuple[str, ...] = ()


KERAS_CONVERTERS: dict[str, KerasConverter] = {}
"""Converters by Keras class name."""


_Build = Callable[["KerasLayer"], Any]


def keras_converter(*class_names: str, weight_order: tuple[str, ...] = ()
                    ) -> Callable[[_Build], _Build]:
    """Decorator registering a converter under one or more Keras class names."""

    def register(build: _Build) -> _Build:
        for class_name in class_names:
            KERAS_CONVERTERS[class_name] = KerasConverter(build, weight_order)
        return build

    return register


class KerasLayer:
    """One Keras layer's serialised config, as converters read it.

    Args:
        spec: ``{"class_name": ..., "config": {...}, "module": ...}`` as Keras writes it.
        call: The keyword arguments of its call in a functional model (e.g.
            ``use_causal_mask``), empty in a ``Sequential``.

    Examples:
        >>> layer = KerasLayer({"class_name": "Dense", "config": {"name": "out", "units": 2}})
        >>> layer.name, layer.get("units"), layer.get("activation", "linear")
        ('out', 2, 'linear')
    """

    def __init__(self, spec: dict[str, Any], call: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.class_name = str(spec.get("class_name"))
        config = spec.get("config")
        self.config: dict[str, Any] = config if isinstance(config, dict) else {}
        self.call = call or {}
        self.read: set[str] = set()
        self.name = seqkit_name(self.config.get("name"))

    @property
    def label(self) -> str:
        """``Class 'name'`` for messages."""
        return f"Keras {self.class_name} {self.config.get('name')!r}"

    def get(self, key: str, default: Any = None) -> Any:
        """The argument ``key`` (``default`` when absent), marked as read."""
        self.read.add(key)
        return self.config.get(key, default)

    def expect(self, key: str, *allowed: Any, reason: str = "seqkit has no equivalent"
               ) -> Any:
        """The argument ``key``, refused unless absent or one of ``allowed``."""
        value = self.get(key, allowed[0])
        if _normal(value) not in [_normal(a) for a in allowed]:
            shown = " or ".join(repr(a) for a in allowed)
            raise ConfigError(explain(f"from_keras: {self.label} argument {key}",
                                      expected=f"{shown} ({reason})",
                                      received=f"{key}={value!r}"))
        return value

    def initializer(self, key: str, default: str) -> str:
        """Keras's initialiser ``key`` as a seqkit name (``default`` where seqkit has no
        such name: the weights are loaded over it anyway)."""
        value = self.get(key)
        if isinstance(value, dict):
            value = value.get("class_name")
        if not isinstance(value, str):
            return default
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", value).lower()
        return snake if snake in INITIALIZERS else default

    def activation(self, key: str = "activation") -> str:
        """Keras's activation ``key`` as a name (a serialised function: its name)."""
        value = self.get(key, "linear")
        if isinstance(value, dict):
            value = value.get("config", value.get("class_name"))
        return "linear" if value is None else str(value)

    def check_unread(self) -> None:
        """Refuses any argument left unread that is neither neutral nor ``IGNORED``."""
        for key, value in self.config.items():
            if key in self.read or key in IGNORED or value in (None, False, [], {}, ()):
                continue
            raise ConfigError(explain(
                f"from_keras: {self.label} argument {key}",
                expected="an argument seqkit converts (or a neutral value)",
                received=f"{key}={value!r}",
                fix="drop it in Keras, or build this layer in seqkit by hand"))


def _normal(value: Any) -> Any:
    """Lists and tuples compare alike (JSON turns tuples into lists)."""
    return list(value) if isinstance(value, tuple | list) else value


def seqkit_name(name: Any) -> str | None:
    """A Keras layer name as a seqkit one (a Python identifier).

    Examples:
        >>> seqkit_name("dense-1"), seqkit_name("lstm"), seqkit_name(None)
        ('dense_1', 'lstm', None)
    """
    if not isinstance(name, str) or not name:
        return None
    name = re.sub(r"\W", "_", name)
    return name if name.isidentifier() else f"layer_{name}"


def convert_layer(spec: Any, call: dict[str, Any] | None = None) -> tuple[
        Layer | Input, KerasConverter, KerasLayer]:
    """The seqkit layer (an ``Input`` for ``InputLayer``) for one Keras layer spec, its
    converter and config view.

    Raises:
        ConfigError: A class seqkit has no converter for (``Lambda``, custom objects), an
            argument it cannot honour, or a value the seqkit layer refuses.
    """
    if not isinstance(spec, dict):
        raise ConfigError(explain("from_keras layer", expected="a Keras layer config",
                                  received=f"{type(spec).__name__}"))
    keras = KerasLayer(spec, call)
    registered = spec.get("registered_name")
    custom = registered not in (None, keras.class_name) or (
        spec.get("module") not in (None, "keras.layers") and keras.class_name not in
        ("InputLayer",))
    if keras.class_name == "Lambda" or custom or keras.class_name not in KERAS_CONVERTERS:
        what = ("a Lambda layer (Python code, which a file cannot carry safely)"
                if keras.class_name == "Lambda" else
                f"a custom object ({registered or spec.get('module')})" if custom else
                "a layer seqkit has no equivalent of")
        raise ConfigError(explain(
            f"from_keras: {keras.label}", expected=f"a Keras layer seqkit converts: "
            f"{', '.join(sorted(KERAS_CONVERTERS))}", received=what,
            fix="replace it in Keras with supported layers, or build the model in seqkit "
            "and copy the weights with model.set_weights(keras_model.get_weights())"))
    converter = KERAS_CONVERTERS[keras.class_name]
    try:
        layer = converter.build(keras)
    except SeqkitError as error:
        if str(error).startswith("from_keras"):
            raise
        raise type(error)(f"from_keras: {keras.label}: {error}") from None
    keras.check_unread()
    return layer, converter, keras
