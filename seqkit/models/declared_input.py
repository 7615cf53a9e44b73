"""Keras's ways to give a ``Sequential`` its input shape up front, so that it builds at
once: an [`Input`][seqkit.layers.Input] first in the list, or ``input_shape=`` on the
first layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seqkit.errors import ConfigError, explain
from seqkit.layers.base import Layer
from seqkit.layers.input import Input
from seqkit.preprocessing.text import TextVectorizer

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["build_first_layer", "declare_input"]


def declare_input(model: Sequential, declared: Input) -> None:
    """Keeps an ``Input`` given before every layer and preprocessing step; refuses one
    anywhere else."""
    if model.blocks or model.preprocessing or model.declared_input is not None:
        raise ConfigError(explain(
            "Sequential Input", expected="Input(shape) as the first element only",
            received=f"{declared!r} after "
            f"{(model.layers or model.preprocessing or [model.declared_input])[-1]!r}",
            fix="put Input(...) first in the list, or leave it out (the model builds "
                "from its first batch)"))
    model.declared_input = declared


def build_first_layer(model: Sequential, layer: Layer) -> None:
    """Builds the model's first layer for the declared input shape, if there is one
    (``input_shape=`` on the layer wins over an ``Input``)."""
    shape = layer.declared_input_shape
    if shape is None and model.declared_input is not None:
        shape = model.declared_input.batch_shape
    if shape is None or layer.built:
        return
    if any(isinstance(step, TextVectorizer) for step in model.preprocessing) \
            and layer.declared_input_shape is None:
        raise ConfigError(explain(
            "Sequential Input", expected="no Input before a TextVectorizer (the layers' "
            "input is its token ids, sized by the texts)", received=repr(model.declared_input),
            fix="drop the Input: the model builds from the texts of its first fit"))
    layer.build(shape)
