"""Reading a Keras model file without Keras or TensorFlow, and without trusting it.

Two formats are read, with ``h5py`` only (the ``keras`` extra):

* Keras 3's ``.keras``: a zip of ``config.json`` (the architecture), ``model.weights.h5``
  (each layer's arrays under ``layers/<name>/``, its own in ``vars/0, 1, ...`` and its
  sublayers' in named groups: ``cell``, ``forward_layer``, ``query_dense``...) and
  ``metadata.json``;
* the legacy Keras 2 ``.h5`` (also what Keras 3 writes for a ``.h5`` path): the
  architecture in the root's ``model_config`` attribute, each layer's arrays under
  ``model_weights/<name>/`` in the order its ``weight_names`` attribute lists.

Bounds, as ``seqkit.saving.archive`` sets them for ``.seqkit`` files: the path is checked
first (a regular file); zip entries are read at most ``MAX_CONFIG_BYTES`` (the
architecture) and ``WEIGHTS_EXPANSION`` times the file's size (the weights) whatever
the zip declares; duplicate, encrypted or foreign-compression entries are refused; at most
``MAX_TENSORS`` arrays, each numeric, no deeper than ``MAX_DEPTH``, their declared bytes
bounded the same way before any is read; links out of the file, external or virtual
datasets are refused. Every failure is a [`ModelFileError`][seqkit.errors.ModelFileError].
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqkit.errors import ModelFileError, explain
from seqkit.saving.archive import check_path
from seqkit.saving.format import (
    MAX_CONFIG_BYTES,
    MAX_DEPTH,
    MAX_TENSORS,
    WEIGHTS_EXPANSION,
    WEIGHTS_FLOOR_BYTES,
)

__all__ = ["KerasModelFile", "WeightGroup", "keras3_group_names", "read_keras_file"]

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_ZIP_ENTRIES = {"config.json", "model.weights.h5", "metadata.json"}
_FAILURES = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
             ValueError, KeyError, TypeError, IndexError, NotImplementedError,
             RuntimeError, RecursionError, UnicodeDecodeError)


def _refuse(source: Path | str, problem: str, fix: str | None = None) -> ModelFileError:
    return ModelFileError(explain(f"from_keras {str(source)!r}",
                                  expected="a Keras model file (.keras, or a Keras 2 .h5)",
                                  received=problem, fix=fix))


@dataclass
class WeightGroup:
    """One layer's arrays as a file holds them: its own (in order) and its sublayers'.

    Examples:
        >>> inner = WeightGroup([np.zeros(1)])
        >>> group = WeightGroup([np.ones(2)], {"b": inner, "a": WeightGroup([np.ones(3)])})
        >>> [a.shape for a in group.flatten(order=("b", "b"))]
        [(2,), (1,), (3,)]
    """

    arrays: list[np.ndarray] = field(default_factory=list)
    children: dict[str, WeightGroup] = field(default_factory=dict)

    def flatten(self, order: Sequence[str] = ()) -> list[np.ndarray]:
        """Every array: its own, then each sublayer's (at every depth those named in
        ``order`` first, in that order, then the rest by name), depth first."""
        names = [*dict.fromkeys(n for n in order if n in self.children),
                 *sorted(set(self.children) - set(order))]
        arrays = list(self.arrays)
        for name in names:
            arrays += self.children[name].flatten(order)
        return arrays


@dataclass
class KerasModelFile:
    """What a Keras file holds: the model's serialised config (``{"class_name":
    "Sequential", "config": {...}}``) and each layer's arrays by layer name."""

    config: dict[str, Any]
    weights: dict[str, WeightGroup]
    source: str
    keras_version: str | None = None
    by_class: bool = False
    """Whether ``weights`` are keyed as Keras 3's ``.keras`` files key them (by class
    name, see [`keras3_group_names`][seqkit.saving.keras_file.keras3_group_names]) rather
    than by layer name (legacy ``.h5`` files, live models)."""


def keras3_group_names(class_names: list[str]) -> list[str]:
    """The weight groups Keras 3 writes for a container of layers: not the layers' names
    (those vary between runs) but each class name in snake case, numbered from its second
    use (``saving_lib._save_container_state``).

    Examples:
        >>> keras3_group_names(["LSTM", "Dense", "LSTM", "GlobalAveragePooling1D"])
        ['lstm', 'dense', 'lstm_1', 'global_average_pooling1d']
    """
    used: dict[str, int] = {}
    names = []
    for class_name in class_names:
        name = re.sub(r"\W+", "", class_name)
        name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
        name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        names.append(name)
    return names


def read_keras_file(path: object) -> KerasModelFile:
    """Reads a ``.keras`` or legacy ``.h5`` Keras model file (see the module docstring).

    Raises:
        ModelFileNotFoundError: Nothing at ``path``.
        ModelFileError: Not a Keras file, damaged, over a bound, or ``h5py`` is missing.
    """
    source = check_path(path, "from_keras")
    h5py = _h5py()
    limit = max(WEIGHTS_FLOOR_BYTES, WEIGHTS_EXPANSION * source.stat().st_size)
    try:
        with open(source, "rb") as handle:
            head = handle.read(len(_HDF5_SIGNATURE))
            handle.seek(0)
            if head == _HDF5_SIGNATURE:
                with h5py.File(handle, "r") as h5:
                    return _legacy(h5py, h5, source, limit)
            if not zipfile.is_zipfile(handle):
                raise _refuse(source, "a file that is neither a zip (.keras) nor HDF5 (.h5)")
            with zipfile.ZipFile(handle) as archive:
                return _keras_zip(archive, source, limit, h5py)
    except ModelFileError:
        raise
    except _FAILURES as error:
        raise _refuse(source, f"a damaged file ({type(error).__name__}: {error})") from None


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ModelFileError(explain(
            "from_keras", expected="h5py installed (Keras keeps weights in HDF5)",
            received="no h5py", fix="pip install 'seqkit[keras]' (neither TensorFlow "
            "nor Keras is needed)")) from None
    return h5py


def _keras_zip(archive: zipfile.ZipFile, source: Path, limit: int, h5py: Any
               ) -> KerasModelFile:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise _refuse(source, f"entries named twice {twice}")
    if not {"config.json", "model.weights.h5"} <= set(names):
        raise _refuse(source, f"entries {sorted(names)[:8]} without config.json and "
                      "model.weights.h5")
    for info in infos:
        if info.filename in _ZIP_ENTRIES and info.flag_bits & 0x1:
            raise _refuse(source, f"an encrypted {info.filename}")
        if info.filename in _ZIP_ENTRIES and info.compress_type not in (
                zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(source, f"{info.filename} compressed with method "
                          f"{info.compress_type}")
    config = _json(_read_entry(archive, "config.json", MAX_CONFIG_BYTES, source), source)
    metadata: Any = {}
    if "metadata.json" in names:
        metadata = _json(_read_entry(archive, "metadata.json", MAX_CONFIG_BYTES, source),
                         source)
    data = _read_entry(archive, "model.weights.h5", limit, source)
    with h5py.File(io.BytesIO(data), "r") as h5:
        budget = _Budget(source, limit)
        layers = h5.get("layers")
        weights = ({} if layers is None else
                   {name: _group(h5py, child, source, budget, 1)
                    for name, child in _children(h5py, layers, source)})
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    return KerasModelFile(config, weights, str(source), version, by_class=True)


def _read_entry(archive: zipfile.ZipFile, name: str, limit: int, source: Path) -> bytes:
    parts, taken = [], 0
    with archive.open(name) as raw:
        while True:
            data = raw.read(min(1 << 20, limit + 1 - taken))
            taken += len(data)
            if taken > limit:
                raise _refuse(source, f"{name} inflating past {limit} bytes (whatever size "
                              "the zip declares)")
            if not data:
                return b"".join(parts)
            parts.append(data)


def _json(data: bytes, source: Path) -> Any:
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise _refuse(source, f"an unreadable JSON config ({type(error).__name__})") from None
    _check_depth(value, source)
    if not isinstance(value, dict):
        raise _refuse(source, f"a config that is a {type(value).__name__}, not an object")
    return value


def _check_depth(value: Any, source: Path) -> None:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(source, f"a config nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack += [(child, depth + 1) for child in item.values()]
        elif isinstance(item, list):
            stack += [(child, depth + 1) for child in item]


class _Budget:
    """Counts arrays and their declared bytes before any is read."""

    def __init__(self, source: Path, limit: int) -> None:
        self.source, self.limit, self.count, self.bytes = source, limit, 0, 0

    def take(self, dataset: Any, path: str) -> np.ndarray:
        self.count += 1
        if self.count > MAX_TENSORS:
            raise _refuse(self.source, f"more than {MAX_TENSORS} weight arrays")
        if dataset.dtype.kind not in "fiub" or dataset.dtype.hasobject:
            raise _refuse(self.source, f"array {path!r} of dtype {dataset.dtype} (weights "
                          "are numbers)")
        if dataset.is_virtual or dataset.external:
            raise _refuse(self.source, f"array {path!r} stored outside the file")
        self.bytes += math.prod(dataset.shape) * dataset.dtype.itemsize
        if self.bytes > self.limit:
            raise _refuse(self.source, f"arrays declaring more than {self.limit} bytes "
                          "(the file's size bounds what it may hold)")
        return np.asarray(dataset[()])


def _children(h5py: Any, group: Any, source: Path) -> Iterator[tuple[str, Any]]:
    """A group's members, refusing links that leave the file (soft, external)."""
    for name in group:
        link = group.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise _refuse(source, f"a {type(link).__name__} at {group.name}/{name} (only "
                          "plain groups and arrays are read)")
        yield name, group[name]


def _group(h5py: Any, group: Any, source: Path, budget: _Budget, depth: int) -> WeightGroup:
    if depth > MAX_DEPTH:
        raise _refuse(source, f"weight groups nested deeper than {MAX_DEPTH}")
    found = WeightGroup()
    for name, member in _children(h5py, group, source):
        if not isinstance(member, h5py.Group):
            continue  # a layer's arrays sit in its vars/ group
        if name == "vars":
            indices = sorted((int(key), key) for key, _ in _children(h5py, member, source)
                             if key.isdigit())
            found.arrays = [budget.take(member[key], f"{member.name}/{key}")
                            for _, key in indices]
        else:
            found.children[name] = _group(h5py, member, source, budget, depth + 1)
    return found


def _legacy(h5py: Any, h5: Any, source: Path, limit: int) -> KerasModelFile:
    raw = h5.attrs.get("model_config")
    if raw is None:
        raise _refuse(source, "an HDF5 file without a model_config (weights only, written "
                      "by save_weights?)", fix="save the whole model: model.save(path)")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    if not isinstance(raw, str) or len(raw) > MAX_CONFIG_BYTES:
        raise _refuse(source, "a model_config that is not a JSON text of bounded size")
    config = _json(raw.encode("utf-8"), source)
    budget = _Budget(source, limit)
    weights: dict[str, WeightGroup] = {}
    root = h5.get("model_weights", h5)
    for name in _text_list(root.attrs.get("layer_names", []), source):
        if name not in root:
            continue
        group = root[name]
        arrays = []
        for weight in _text_list(group.attrs.get("weight_names", []), source):
            link = group.get(weight, getlink=True)
            if link is None:
                raise _refuse(source, f"weight {weight!r} of layer {name!r} missing")
            if not isinstance(link, h5py.HardLink) or not isinstance(group[weight],
                                                                      h5py.Dataset):
                raise _refuse(source, f"a {type(link).__name__} at {group.name}/{weight} "
                              "(only plain arrays are read)")
            arrays.append(budget.take(group[weight], f"{group.name}/{weight}"))
        weights[name] = WeightGroup(arrays)
    version = h5.attrs.get("keras_version")
    version = version.decode() if isinstance(version, bytes) else version
    training = h5.attrs.get("training_config")  # Keras 2's compile settings
    if isinstance(training, bytes | str) and len(training) <= MAX_CONFIG_BYTES:
        text = training.decode("utf-8") if isinstance(training, bytes) else training
        settings = _json(text.encode("utf-8"), source)
        settings.setdefault("optimizer", settings.get("optimizer_config"))
        config = {**config, "compile_config": settings}
    return KerasModelFile(config, weights, str(source), version)


def _text_list(values: Any, source: Path) -> list[str]:
    items = [v.decode("utf-8") if isinstance(v, bytes) else v for v in list(values)]
    if len(items) > MAX_TENSORS or not all(isinstance(v, str) for v in items):
        raise _refuse(source, "a weight listing that is not a bounded list of names")
    return items
