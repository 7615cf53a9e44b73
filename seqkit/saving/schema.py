"""``config.json`` parsed safely and checked against its schema before anything uses it.

[`parse_json`][seqkit.saving.schema.parse_json] refuses NaN, infinities, integers beyond
64 bits and nesting deeper than [`MAX_DEPTH`][seqkit.saving.format.MAX_DEPTH] (without a
``RecursionError``). [`check_config`][seqkit.saving.schema.check_config] checks every
top-level key's type and range (``format_version`` an ``int``, not a ``bool``;
``batch_first`` a ``bool``; statistics finite, scales positive) and counts the layer specs;
each layer's own arguments are then checked by its constructor.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from seqkit.layers.base import LAYER_REGISTRY
from seqkit.preprocessing.base import PREPROCESSOR_REGISTRY
from seqkit.saving.archive import refuse
from seqkit.saving.forecasting import check_forecasting
from seqkit.saving.format import FORMAT_VERSION, MAX_DEPTH, MAX_LAYERS, WEIGHTS_HASH_KEY

__all__ = ["check_config", "parse_json"]

_KEYS = frozenset({"format_version", "seqkit_version", "model", "input_shape", "compile",
                   "preprocessing", "target_scaler", "label_encoder", "forecasting",
                   WEIGHTS_HASH_KEY})
_INT64 = 2**63
_MAX_SIZE = 2**31
_HEX = re.compile(r"[0-9a-f]{64}")


class _Refused(ValueError):
    """Raised inside ``json.loads`` hooks; reworded by ``parse_json``."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text} (beyond float range)")
    return value


def _int64(text: str) -> int:
    if len(text) > 20:
        raise _Refused(f"an integer of {len(text)} digits")
    value = int(text)
    if not -_INT64 <= value < _INT64:
        raise _Refused(f"the integer {text} (beyond 64 bits)")
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{text} (JSON holds finite numbers only)")


def parse_json(raw: bytes, source: Path | str, what: str) -> Any:
    """``raw`` as JSON, refusing non-finite numbers, huge integers and deep nesting.

    Examples:
        >>> from seqkit.errors import ModelFileError
        >>> parse_json(b'{"a": [1, 2.5]}', "m.seqkit", "config.json")
        {'a': [1, 2.5]}
        >>> try:
        ...     parse_json(b'{"mean": NaN}', "m.seqkit", "config.json")
        ... except ModelFileError as error:
        ...     print(str(error).split("received ")[1])
        a config.json holding NaN (JSON holds finite numbers only)
    """
    try:
        value = json.loads(raw.decode("utf-8"), parse_float=_finite, parse_int=_int64,
                           parse_constant=_constant)
    except _Refused as error:
        raise refuse(source, f"a {what} holding {error}") from None
    except RecursionError:
        raise refuse(source, f"a {what} nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise refuse(source, f"a {what} that is not valid JSON ({error})") from None
    _check_depth(value, source, what)
    return value


def _check_depth(value: Any, source: Path | str, what: str) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise refuse(source, f"a {what} nested deeper than {MAX_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list)):
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, (dict, list)))


def check_config(config: Any, source: Path | str) -> int:
    """Checks a parsed ``config.json`` against the schema; returns its format version.

    Raises:
        ModelFileError: A key is unknown, missing or of the wrong type or range.

    Examples:
        >>> from seqkit.errors import ModelFileError
        >>> config = {"format_version": True, "model": {"layers": []}}
        >>> try:
        ...     check_config(config, "m.seqkit")
        ... except ModelFileError as error:
        ...     print(str(error).split("received ")[1])
        format_version=True; it must be an integer from 1 to 3
    """
    if not isinstance(config, dict):
        raise refuse(source, "a config.json that is not an object")
    unknown = sorted(set(config) - _KEYS)
    if unknown:
        raise refuse(source, f"a config.json with unknown keys {unknown}")
    version = config.get("format_version")
    if type(version) is not int or version < 1:
        raise refuse(source, f"format_version={version!r}; it must be an integer from 1 to "
                     f"{FORMAT_VERSION}")
    if version > FORMAT_VERSION:
        raise refuse(source, f"format_version={version}, newer than this seqkit reads "
                     f"({FORMAT_VERSION})", fix="upgrade seqkit: pip install -U seqkit")
    _check_type(config, "seqkit_version", (str, type(None)), source)
    _check_model(config.get("model"), source)
    _check_input_shape(config.get("input_shape"), source)
    _check_type(config, "compile", (dict, type(None)), source)
    _check_steps(config.get("preprocessing"), source)
    _check_targets(config, source)
    check_forecasting(config, source)
    digest = config.get(WEIGHTS_HASH_KEY)
    if digest is not None and (not isinstance(digest, str) or not _HEX.fullmatch(digest)):
        raise refuse(source, f"{WEIGHTS_HASH_KEY}={_short(digest)}; it must be the weights' "
                     "SHA-256 as 64 lowercase hex digits")
    return version


def _check_type(mapping: dict[str, Any], key: str, types: tuple[type, ...],
                source: Path | str, where: str = "") -> None:
    value = mapping.get(key)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
        raise refuse(source, f"{where}{key}={_short(value)}; it must be {names}")


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


def _check_model(spec: Any, source: Path | str) -> None:
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        raise refuse(source, "a config.json without a model architecture")
    unknown = sorted(set(spec) - {"name", "batch_first", "layers"})
    if unknown:
        raise refuse(source, f"a model architecture with unknown keys {unknown}")
    _check_type(spec, "name", (str, type(None)), source, "model ")
    if "batch_first" in spec:
        _check_type(spec, "batch_first", (bool,), source, "model ")
    if not spec["layers"]:
        raise refuse(source, "an architecture without layers")
    count = 0
    stack: list[Any] = list(spec["layers"])
    while stack:
        entry = stack.pop()
        count += 1
        if count > MAX_LAYERS:
            raise refuse(source, f"an architecture of more than {MAX_LAYERS} layers")
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            raise refuse(source, f"a malformed layer entry {_short(entry)}")
        name = entry.get("class_name")
        if not isinstance(name, str) or name not in LAYER_REGISTRY:
            raise refuse(source, f"unknown layer class {_short(name)}",
                         fix=f"known layers: {', '.join(sorted(LAYER_REGISTRY))}")
        for value in entry["config"].values():  # nested layers: Bidirectional, Ensemble
            items = value if isinstance(value, list) else [value]
            stack.extend(item for item in items if isinstance(item, dict)
                         and "class_name" in item)


def _check_input_shape(shape: Any, source: Path | str) -> None:
    valid = (isinstance(shape, list) and 2 <= len(shape) <= 5
             and all(size is None or (type(size) is int and 1 <= size <= _MAX_SIZE)
                     for size in shape))
    if not valid:
        raise refuse(source, f"input_shape={_short(shape)}; it must be a list of 2 to 5 "
                     f"sizes, each null or an integer from 1 to {_MAX_SIZE}")


def _check_steps(steps: Any, source: Path | str) -> None:
    if steps is None:
        return
    if not isinstance(steps, list):
        raise refuse(source, f"preprocessing={_short(steps)}; it must be a list")
    for entry in steps:
        if (not isinstance(entry, dict) or not isinstance(entry.get("config"), dict)
                or not isinstance(entry.get("state", {}), dict)):
            raise refuse(source, f"a malformed preprocessing entry {_short(entry)}")
        name = entry.get("class_name")
        if not isinstance(name, str) or name not in PREPROCESSOR_REGISTRY:
            raise refuse(source, f"unknown preprocessing class {_short(name)}",
                         fix=f"known: {', '.join(sorted(PREPROCESSOR_REGISTRY))}")
        if name == "Normalization":
            _check_statistics(entry.get("state") or {}, source, "Normalization state")


def _check_targets(config: dict[str, Any], source: Path | str) -> None:
    scaler = config.get("target_scaler")
    if scaler is not None:
        if (not isinstance(scaler, dict) or not isinstance(scaler.get("config", {}), dict)
                or not isinstance(scaler.get("state"), dict)):
            raise refuse(source, f"target_scaler={_short(scaler)}; it must hold a config "
                         "and a state")
        _check_statistics(scaler["state"], source, "target_scaler state")
    encoder = config.get("label_encoder")
    if encoder is None:
        return
    state = encoder.get("state") if isinstance(encoder, dict) else None
    classes = state.get("classes") if isinstance(state, dict) else []
    if classes is None:
        return
    valid = isinstance(classes, list) and all(
        isinstance(label, (str, int, float, bool)) for label in classes)
    if not valid or len(set(classes)) != len(classes):
        raise refuse(source, f"label_encoder={_short(encoder)}; its state must hold "
                     "distinct labels (strings or numbers)")


def _check_statistics(state: Any, source: Path | str, what: str) -> None:
    """``shift`` and ``scale``: both null, or finite arrays of one shape, scales > 0."""
    if not isinstance(state, dict) or set(state) - {"shift", "scale"}:
        raise refuse(source, f"a {what} {_short(state)}; it holds shift and scale only")
    shift, scale = state.get("shift"), state.get("scale")
    if shift is None and scale is None:
        return
    try:
        shift_array = np.asarray(shift, dtype=np.float64)
        scale_array = np.asarray(scale, dtype=np.float64)
    except (TypeError, ValueError):
        raise refuse(source, f"a {what} whose shift and scale are not arrays of numbers"
                     ) from None
    if shift_array.shape != scale_array.shape or shift_array.size == 0:
        raise refuse(source, f"a {what} with shift of shape {shift_array.shape} and scale "
                     f"of shape {scale_array.shape}; they must match and not be empty")
    if not (np.isfinite(shift_array).all() and np.isfinite(scale_array).all()
            and (scale_array > 0).all()):
        raise refuse(source, f"a {what} with a non-finite shift or a scale that is not "
                     "positive (a damaged file: fit would have given finite statistics)")
