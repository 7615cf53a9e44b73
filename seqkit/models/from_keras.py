"""``sk.from_keras``: a Keras model, object or file, as a seqkit ``Sequential``.

The file is read by [`seqkit.saving.keras_file`][] (no Keras, no TensorFlow), each layer
converted by the registry of [`seqkit.layers.keras_config`][], and the weights set in
Keras's layout by [`seqkit.layers.keras_weights`][]. A Keras ``Sequential`` converts, and
so does a functional ``Model`` whose layers form one chain (each takes the previous one's
output: ``MultiHeadAttention()(x, x)`` included); branches, merges, several inputs or
outputs have no ``Sequential`` form and are refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from seqkit.errors import ConfigError, InputTypeError, ModelFileError, explain
from seqkit.layers import keras_converters  # noqa: F401  (registers the converters)
from seqkit.layers.input import Input
from seqkit.layers.keras_config import KERAS_CONVERTERS, convert_layer
from seqkit.layers.keras_weights import set_layer_weights
from seqkit.models._keras_compile import compile_like_keras
from seqkit.models.sequential import Sequential
from seqkit.saving.format import MAX_LAYERS
from seqkit.saving.keras_file import (
    KerasModelFile,
    WeightGroup,
    keras3_group_names,
    read_keras_file,
)

__all__ = ["from_keras"]

_FUNCTIONAL = ("Functional", "Model")
_SUBLAYER_ORDER = tuple(dict.fromkeys(
    name for converter in KERAS_CONVERTERS.values() for name in converter.weight_order))
"""Every converter's sublayer order, for wrappers holding them (``TimeDistributed`` of a
``Bidirectional``): the names are Keras's attributes, never ambiguous."""
_Chain = list[tuple[dict[str, Any], dict[str, Any]]]


def from_keras(source: Any) -> Sequential:
    """A seqkit ``Sequential`` equal to a Keras model: architecture and weights.

    Args:
        source: A Keras 3 ``Sequential`` (or a functional ``Model`` whose layers form one
            chain), or the path of a ``.keras`` file or a legacy Keras 2 ``.h5`` model
            file. Reading a file needs only ``h5py`` (``pip install 'seqkit[keras]'``).

    Returns:
        A built ``Sequential`` whose predictions equal Keras's, masks included; layers
        keep their Keras names. It is compiled as the Keras model was when seqkit has its
        optimizer, loss and metrics by name (otherwise a warning says what was left out).

    Raises:
        ConfigError: A layer seqkit has no converter for (``Lambda``, a custom object,
            an unsupported class), an argument it cannot honour, or a functional model
            that is not a chain. The message names the layer.
        ModelFileError: A file that is not a Keras model file, is damaged or exceeds the
            reading bounds.
        InputTypeError: ``source`` is neither a path nor a Keras model.

    Examples:
        >>> import seqkit as sk
        >>> try:
        ...     sk.from_keras(42)
        ... except sk.errors.InputTypeError as error:
        ...     print(str(error).split(" but")[0])
        from_keras source: expected a Keras model or the path of a .keras / .h5 file
    """
    if isinstance(source, str | os.PathLike):
        keras_file = read_keras_file(source)
    else:
        keras_file = _from_object(source)
    chain, model_shape = _chain(keras_file)
    converted = [convert_layer(spec, call) for spec, call in chain]
    layers = [layer for layer, _, _ in converted if not isinstance(layer, Input)]
    inputs = [layer for layer, _, _ in converted if isinstance(layer, Input)]
    shape = inputs[0].shape if inputs else _declared_shape(chain, model_shape)
    if shape is None:
        raise ConfigError(explain("from_keras", expected="a built Keras model (its input "
                                  "shape known)", received="a model never built",
                                  fix="build it in Keras first (keras.Input(shape), or "
                                  "model.build((None, time, features)))"))
    model = Sequential([Input(shape), *layers],
                       name=_model_name(keras_file.config))
    for (layer, converter, keras), key in zip(converted, _weight_keys(keras_file, chain),
                                              strict=True):
        if isinstance(layer, Input):
            continue
        group = keras_file.weights.get(key, WeightGroup())
        arrays = group.flatten((*converter.weight_order, *_SUBLAYER_ORDER))
        if arrays or layer.count_params():
            set_layer_weights(layer, arrays)
        if keras.config.get("trainable") is False:
            layer.requires_grad_(False)
    compile_like_keras(model, keras_file.config.get("compile_config"))
    return model


def _weight_keys(keras_file: KerasModelFile, chain: _Chain) -> list[str]:
    """Where each layer's weights are in ``keras_file.weights``."""
    names = [str((spec.get("config") or {}).get("name")) for spec, _ in chain]
    if not keras_file.by_class:
        return names
    # A Keras 3 Sequential's container leaves its InputLayer out; a functional one keeps it
    functional = keras_file.config.get("class_name") != "Sequential"
    counted = [index for index, (spec, _) in enumerate(chain)
               if functional or spec.get("class_name") != "InputLayer"]
    groups = keras3_group_names([str(chain[i][0].get("class_name")) for i in counted])
    keys = list(names)
    for index, group in zip(counted, groups, strict=True):
        keys[index] = group
    return keys


def _model_name(config: dict[str, Any]) -> str | None:
    inner = config.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    return name if isinstance(name, str) and name.isidentifier() else None


def _from_object(model: Any) -> KerasModelFile:
    """The config and weights of a live Keras model (Keras itself is imported by the
    caller's object; seqkit never imports it)."""
    if not (type(model).__module__.startswith("keras") and hasattr(model, "get_config")
            and hasattr(model, "layers")):
        raise InputTypeError(explain(
            "from_keras source", expected="a Keras model or the path of a .keras / .h5 file",
            received=f"{type(model).__name__} {model!r}"[:200]))
    # As a file holds it: tuples become lists, objects Keras did not serialise their repr
    compiled = getattr(model, "get_compile_config", lambda: None)()
    optimizer = getattr(model, "optimizer", None)
    if isinstance(compiled, dict) and hasattr(optimizer, "get_config"):  # a live object
        compiled = {**compiled, "optimizer": {"class_name": type(optimizer).__name__,
                                              "config": optimizer.get_config()}}
    config = json.loads(json.dumps({"class_name": type(model).__name__,
                                    "config": model.get_config(),
                                    "compile_config": compiled}, default=repr))
    weights = {layer.name: WeightGroup(list(layer.get_weights())) for layer in model.layers}
    return KerasModelFile(config, weights, f"<{type(model).__name__} object>")


def _chain(keras_file: KerasModelFile) -> tuple[_Chain, Any]:
    """The layer specs in order with their call arguments, and the model's build shape."""
    config = keras_file.config
    class_name, inner = config.get("class_name"), config.get("config")
    layers = inner if isinstance(inner, list) else (
        inner.get("layers") if isinstance(inner, dict) else None)
    if not isinstance(layers, list) or not all(isinstance(s, dict) for s in layers):
        raise ModelFileError(explain(f"from_keras {keras_file.source!r}",
                                     expected="a model config with a list of layers",
                                     received=f"class_name={class_name!r}"))
    if len(layers) > MAX_LAYERS:
        raise ModelFileError(explain(f"from_keras {keras_file.source!r}",
                                     expected=f"at most {MAX_LAYERS} layers",
                                     received=f"{len(layers)} layers"))
    shape = inner.get("build_input_shape") if isinstance(inner, dict) else None
    if class_name == "Sequential":
        return [(spec, {}) for spec in layers], shape
    if class_name in _FUNCTIONAL or (isinstance(inner, dict) and "input_layers" in inner):
        return _functional_chain(inner, layers), None
    raise ConfigError(explain("from_keras model", expected="a Keras Sequential or a "
                              "functional Model", received=f"class_name={class_name!r}"))


def _functional_chain(config: dict[str, Any], layers: list[dict[str, Any]]) -> _Chain:
    """The layers of a functional model whose graph is one chain, with call arguments."""
    def refuse(problem: str) -> ConfigError:
        return ConfigError(explain(
            "from_keras functional model", expected="one chain of layers (each taking the "
            "previous one's output), which a Sequential can hold", received=problem,
            fix="rebuild it as a Sequential, or in seqkit by hand"))

    ends = [_names(config.get(key)) for key in ("input_layers", "output_layers")]
    if len(ends[0]) != 1 or len(ends[1]) != 1:
        raise refuse(f"{len(ends[0])} inputs and {len(ends[1])} outputs")
    chain: _Chain = []
    previous: str | None = None
    masks = _mask_only(layers)
    for spec in layers:
        name = spec.get("name", spec.get("config", {}).get("name"))
        if name in masks:
            continue
        nodes = spec.get("inbound_nodes") or []
        if previous is None:
            if nodes or spec.get("class_name") != "InputLayer":
                raise refuse(f"layer {name!r} first, not the InputLayer")
            chain.append((spec, {}))
        else:
            if len(nodes) != 1:
                raise refuse(f"layer {name!r} called {len(nodes)} times")
            sources, call = _node(nodes[0])
            if sources != {(previous, 0)}:
                raise refuse(f"layer {name!r} taking {sorted(sources)}, not only "
                             f"{previous!r}'s output")
            chain.append((spec, call))
        previous = name
    if previous != ends[1][0]:
        raise refuse(f"output {ends[1][0]!r}, not the last layer {previous!r}")
    return chain


def _mask_only(layers: list[dict[str, Any]]) -> set[str]:
    """Layers whose outputs only ever feed ``mask=`` arguments (Keras 3 records how it
    passes a mask on, e.g. a ``NotEqual`` of the token ids, as operations of the graph):
    seqkit passes masks on itself, so they are left out."""
    readers: dict[str, set[tuple[str, bool]]] = {}
    for spec in layers:
        name = str(spec.get("name", (spec.get("config") or {}).get("name")))
        for node in spec.get("inbound_nodes") or []:
            if not isinstance(node, dict):
                continue
            kwargs = node.get("kwargs") or {}
            for key, value in [("", node.get("args")), *kwargs.items()]:
                for history in _tensors(value):
                    readers.setdefault(str(history[0]), set()).add((name, key == "mask"))
    masks: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, reads in readers.items():
            if name not in masks and all(as_mask or reader in masks
                                         for reader, as_mask in reads):
                masks.add(name)
                changed = True
    return masks


def _names(value: Any) -> list[str]:
    """Layer names of Keras's ``input_layers`` / ``output_layers`` (one or a list)."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [value[0]]
    if isinstance(value, list):
        return [item[0] for item in value if isinstance(item, list) and item]
    return []


def _node(node: Any) -> tuple[set[tuple[str, int]], dict[str, Any]]:
    """The (layer, tensor index) pairs a call reads, and its other keyword arguments."""
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        kwargs = {k: v for k, v in (node.get("kwargs") or {}).items() if k != "mask"}
        tensors = list(_tensors(node.get("args"))) + list(_tensors(kwargs))
        call = {k: v for k, v in kwargs.items() if not list(_tensors(v)) and v is not None}
        return {(t[0], t[2]) for t in tensors}, call
    if isinstance(node, list):  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
        call: dict[str, Any] = {}
        for item in node:
            if isinstance(item, list) and len(item) > 3 and isinstance(item[3], dict):
                call.update(item[3])
        return {(item[0], item[2]) for item in node if isinstance(item, list)
                and len(item) > 2}, call
    return set(), {}


def _tensors(value: Any) -> Iterator[list[Any]]:
    """Every ``keras_history`` of Keras 3's serialised tensors inside ``value``."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if isinstance(history, list) and len(history) == 3:
                yield history
            return
        for item in value.values():
            yield from _tensors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tensors(item)


def _declared_shape(chain: _Chain, model_shape: Any) -> tuple[int | None, ...] | None:
    """The input shape of a Keras model without an ``InputLayer``: its build shape, or
    the first layer's (Keras 2's ``batch_input_shape``, Keras 3's ``build_config``)."""
    spec = chain[0][0] if chain else {}
    config = spec.get("config") if isinstance(spec.get("config"), dict) else {}
    build = spec.get("build_config") if isinstance(spec.get("build_config"), dict) else {}
    for shape in (model_shape, config.get("batch_input_shape"), build.get("input_shape")):
        if isinstance(shape, list | tuple) and len(shape) >= 2:
            return Input(list(shape)[1:]).shape
    return None
