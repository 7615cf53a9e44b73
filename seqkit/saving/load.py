"""Reading a ``.seqkit`` file: rebuilt from an allow-list, checked, never unpickled."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as safetensors_load

from seqkit.errors import ModelFileError, ModelFileNotFoundError, SeqkitError, explain
from seqkit.layers.base import LAYER_REGISTRY, Layer
from seqkit.preprocessing.base import PREPROCESSOR_REGISTRY
from seqkit.preprocessing.targets import LabelEncoder, TargetScaler
from seqkit.saving.format import (
    CONFIG_ENTRY,
    ENTRIES,
    FORMAT_VERSION,
    MAX_CONFIG_BYTES,
    MODEL_REGISTRY,
    WEIGHTS_ENTRY,
)
from seqkit.saving.migrate import upgrade_layer_spec

__all__ = ["load_model", "model_from_config"]


def load_model(path: str | os.PathLike[str]) -> Any:
    """Loads a model saved by ``model.save`` / [`save_model`][seqkit.saving.save_model].

    Layers are rebuilt only from seqkit's registered layer names; every tensor's name,
    shape and dtype must match the rebuilt model. Nothing is unpickled.

    Args:
        path: The ``.seqkit`` file.

    Returns:
        The model (a ``Sequential``), compiled again when it was saved compiled with
        named settings, in eval mode.

    Raises:
        ModelFileNotFoundError: There is no such file.
        ModelFileError: The file is not a seqkit archive, is truncated or corrupted, comes
            from a newer format, names an unknown layer, or its weights do not fit.

    Examples:
        >>> import tempfile, pathlib, torch, seqkit as sk
        >>> model = sk.Sequential([sk.GRU(3), sk.Dense(1)])
        >>> model.build((None, 4, 2))
        >>> saved = model.save(pathlib.Path(tempfile.mkdtemp()) / "m.seqkit")
        >>> x = torch.randn(2, 4, 2)
        >>> bool(torch.equal(sk.load_model(saved)(x), model.eval()(x)))
        True
    """
    source = Path(path)
    if not source.is_file():
        raise ModelFileNotFoundError(
            explain("load_model", expected="an existing .seqkit file",
                    received=f"path {str(source)!r}, which does not exist",
                    fix="check the path; model.save(path) writes the file")
        )
    config, weights = _read_archive(source)
    model = model_from_config(config, source)
    _load_weights(model, weights, source)
    return model.eval()


def _refuse(source: Path, problem: str, fix: str | None = None) -> ModelFileError:
    return ModelFileError(explain(f"load_model {str(source)!r}",
                                  expected="a .seqkit file written by seqkit",
                                  received=problem, fix=fix))


def _read_archive(source: Path) -> tuple[dict[str, Any], bytes]:
    if not zipfile.is_zipfile(source):
        raise _refuse(source, "a file that is not a zip archive (or a truncated one)")
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if names != ENTRIES:
                raise _refuse(source, f"entries {sorted(names)}; only {sorted(ENTRIES)} are "
                              "allowed")
            if archive.getinfo(CONFIG_ENTRY).file_size > MAX_CONFIG_BYTES:
                raise _refuse(source, "an oversized config.json")
            raw_config = archive.read(CONFIG_ENTRY)
            weights = archive.read(WEIGHTS_ENTRY)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise _refuse(source, f"a damaged archive ({error})") from None
    try:
        config = json.loads(raw_config.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refuse(source, f"a config.json that is not valid JSON ({error})") from None
    if not isinstance(config, dict):
        raise _refuse(source, "a config.json that is not an object")
    return config, weights


def model_from_config(config: dict[str, Any], source: Path | str) -> Any:
    """Rebuilds a ``Sequential`` (unweighted) from what `model_config`
    wrote, naming only registered layer classes.

    Args:
        config: The saved config (format version, architecture, input shape, compile).
        source: The file it came from, for error messages.
    """
    Sequential = MODEL_REGISTRY["Sequential"]
    source = Path(source)
    version = config.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise _refuse(source, f"format_version={version!r}")
    if version > FORMAT_VERSION:
        raise _refuse(source, f"format_version={version}, newer than this seqkit reads "
                      f"({FORMAT_VERSION})", fix="upgrade seqkit: pip install -U seqkit")
    spec = config.get("model")
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        raise _refuse(source, "a config.json without a model architecture")
    try:
        steps = [_preprocessor(entry, source) for entry in config.get("preprocessing") or []]
        layers = [_layer(upgrade_layer_spec(entry, version), source)
                  for entry in spec["layers"]]
        model = Sequential([*steps, *layers], batch_first=bool(spec.get("batch_first", True)),
                           name=spec.get("name"))
        _restore_targets(model, config)
        shape = config.get("input_shape")
        if shape is not None:
            model.build(tuple(shape))
        if config.get("compile"):
            model.compile(**config["compile"])
    except ModelFileError:
        raise
    except (SeqkitError, TypeError, ValueError, KeyError) as error:
        raise _refuse(source, f"an architecture seqkit cannot rebuild ({error})") from None
    return model


def _layer(entry: Any, source: Path) -> Layer:
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise _refuse(source, f"a malformed layer entry {entry!r}")
    name = entry.get("class_name")
    if name not in LAYER_REGISTRY:
        raise _refuse(source, f"unknown layer class {name!r}",
                      fix=f"known layers: {', '.join(sorted(LAYER_REGISTRY))}")
    return LAYER_REGISTRY[name].from_config(entry["config"])


def _preprocessor(entry: Any, source: Path) -> Any:
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise _refuse(source, f"a malformed preprocessing entry {entry!r}")
    name = entry.get("class_name")
    if name not in PREPROCESSOR_REGISTRY:
        raise _refuse(source, f"unknown preprocessing class {name!r}",
                      fix=f"known: {', '.join(sorted(PREPROCESSOR_REGISTRY))}")
    step = PREPROCESSOR_REGISTRY[name].from_config(entry["config"])
    step.set_state(entry.get("state") or {})
    return step


def _restore_targets(model: Any, config: dict[str, Any]) -> None:
    scaler = config.get("target_scaler")
    if scaler:
        model.target_scaler = TargetScaler(**scaler.get("config", {}))
        model.target_scaler.set_state(scaler["state"])
    encoder = config.get("label_encoder")
    if encoder:
        model.label_encoder = LabelEncoder()
        model.label_encoder.set_state(encoder["state"])


def _load_weights(model: Any, weights: bytes, source: Path) -> None:
    try:
        tensors = safetensors_load(weights)
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise _refuse(source, f"weights that are not a valid safetensors blob ({error})"
                      ) from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise _refuse(source, f"weights that do not match the architecture (missing "
                      f"{missing}, unexpected {unexpected})")
    for name, tensor in tensors.items():
        want = expected[name]
        if tensor.shape != want.shape or tensor.dtype != want.dtype:
            raise _refuse(source, f"tensor {name!r} of shape {tuple(tensor.shape)} and "
                          f"{tensor.dtype}, where the architecture needs "
                          f"{tuple(want.shape)} and {want.dtype}")
    with torch.no_grad():
        model.load_state_dict(tensors, strict=True)
