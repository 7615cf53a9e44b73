"""A ``Sequential`` rebuilt from a checked config, its size proven before it is allocated.

The layers are built first on torch's ``meta`` device (shapes, no memory) under a budget of
torch calls proportional to the number of tensors the weights declare, so an architecture
such as ``num_layers=100000`` is refused after a few thousand calls instead of spinning.
The meta model's ``state_dict`` must match the declared tensors exactly (names, shapes,
dtypes); only then is memory allocated (``to_empty``), for the weights to be read into.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch.overrides import TorchFunctionMode

from seqkit.errors import ModelFileError, SeqkitError
from seqkit.layers.base import LAYER_REGISTRY
from seqkit.preprocessing.base import PREPROCESSOR_REGISTRY
from seqkit.preprocessing.targets import LabelEncoder, TargetScaler
from seqkit.saving.archive import refuse
from seqkit.saving.forecasting import restore_forecasting
from seqkit.saving.format import MODEL_REGISTRY
from seqkit.saving.migrate import upgrade_layer_spec
from seqkit.saving.schema import check_config

__all__ = ["CALLS_PER_TENSOR", "Expected", "minimum_tensors", "model_from_config"]

Expected = Mapping[str, tuple[tuple[int, ...], torch.dtype]]
"""The tensors a file declares: ``{name: (shape, dtype)}``."""

CALLS_PER_TENSOR = 12
"""Torch calls allowed per declared tensor while building on ``meta`` (about 9 are used)."""

_REBUILD_ERRORS = (SeqkitError, TypeError, ValueError, KeyError, AttributeError,
                   OverflowError, RuntimeError, IndexError)


class _OverBudget(Exception):
    pass


class _CallBudget(TorchFunctionMode):
    """Counts torch calls and stops the build when it exceeds ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.left = limit

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        self.left -= 1
        if self.left < 0:
            raise _OverBudget
        return func(*args, **(kwargs or {}))


def model_from_config(config: dict[str, Any], source: Path | str,
                      expected: Expected | None = None) -> Any:
    """Rebuilds a ``Sequential`` from what ``model_config`` wrote, naming only registered
    classes; the config is checked against the schema first.

    Args:
        config: The saved config (format version, architecture, input shape, compile).
        source: The file it came from, for error messages.
        expected: The tensors the weights declare. When given, the model is built on the
            ``meta`` device first and must need exactly these; its weights are then
            allocated uninitialised, to be overwritten by the file's. Without it, the
            model is built (and initialised) as usual.

    Returns:
        The model, compiled when the config holds compile settings.

    Raises:
        ModelFileError: The config breaks the schema, names an unknown class, holds values
            a layer refuses, or needs other tensors than ``expected``.
    """
    version = check_config(config, source)
    if expected is not None:
        needs = sum(minimum_tensors(spec) for spec in config["model"]["layers"])
        if needs > len(expected):
            raise refuse(source, f"an architecture of at least {needs:,} weight tensors, for "
                         f"weights of {len(expected)} (such as an absurd num_layers)")
    try:
        model = _assemble(config, version)
        shape = tuple(config["input_shape"])
        if expected is None:
            model.build(shape)
        else:
            _build_on_meta(model, shape, expected, source)
            model.to_empty(device="cpu")
            _check_nothing_on_meta(model, source)
        if config.get("compile"):
            model.compile(**config["compile"])
    except ModelFileError:
        raise
    except _REBUILD_ERRORS as error:
        raise refuse(source, f"an architecture seqkit cannot rebuild ({error})") from None
    return model


def _assemble(config: dict[str, Any], version: int) -> Any:
    spec = config["model"]
    steps = []
    for entry in config.get("preprocessing") or []:
        step = PREPROCESSOR_REGISTRY[entry["class_name"]].from_config(entry["config"])
        step.set_state(entry.get("state") or {})
        steps.append(step)
    layers = []
    for entry in spec["layers"]:
        entry = upgrade_layer_spec(entry, version)
        layers.append(LAYER_REGISTRY[entry["class_name"]].from_config(entry["config"]))
    model = MODEL_REGISTRY["Sequential"]([*steps, *layers],
                                         batch_first=spec.get("batch_first", True),
                                         name=spec.get("name"))
    scaler = config.get("target_scaler")
    if scaler:
        model.target_scaler = TargetScaler(**scaler.get("config", {}))
        model.target_scaler.set_state(scaler["state"])
    encoder = config.get("label_encoder")
    if encoder:
        model.label_encoder = LabelEncoder()
        model.label_encoder.set_state(encoder["state"])
    restore_forecasting(model, config)
    return model


def minimum_tensors(spec: Any) -> int:
    """A lower bound on the weight tensors a layer spec needs, from its config alone.

    Stacked recurrent layers cost torch time per layer even on ``meta`` (``nn.LSTM`` looks
    each name up in a list of all of them), so ``num_layers`` is bounded by the tensors the
    file declares before anything is constructed: each layer and direction has at least
    ``weight_ih`` and ``weight_hh``. Other layers count 0 (the meta build bounds them).

    Examples:
        >>> minimum_tensors({"class_name": "LSTM",
        ...                  "config": {"num_layers": 3, "bidirectional": True}})
        12
        >>> minimum_tensors({"class_name": "Bidirectional",
        ...                  "config": {"layer": {"class_name": "GRU", "config": {}}}})
        4
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("config"), dict):
        return 0
    name, config = spec.get("class_name"), spec["config"]
    if name in ("LSTM", "GRU", "SimpleRNN"):
        layers = config.get("num_layers", 1)
        layers = layers if type(layers) is int and layers > 0 else 1
        return 2 * layers * (2 if config.get("bidirectional") is True else 1)
    if name == "Bidirectional":
        return 2 * minimum_tensors(config.get("layer"))
    if name == "Ensemble" and isinstance(config.get("layers"), list):
        return sum(minimum_tensors(member) for member in config["layers"])
    return 0


def _build_on_meta(model: Any, shape: tuple[Any, ...], expected: Expected,
                   source: Path | str) -> None:
    budget = CALLS_PER_TENSOR * len(expected) + 256
    try:
        with torch.device("meta"), _CallBudget(budget):
            model.build(shape)
    except _OverBudget:
        raise refuse(source, f"an architecture that takes more than {budget} torch calls to "
                     f"build, for weights of {len(expected)} tensors (such as an absurd "
                     "num_layers)") from None
    state = model.state_dict()
    missing = sorted(set(state) - set(expected))
    unexpected = sorted(set(expected) - set(state))
    if missing or unexpected:
        needs = sum(math.prod(t.shape) for t in state.values())
        raise refuse(source, f"weights that do not match the architecture (missing "
                     f"{_few(missing)}, unexpected {_few(unexpected)}; the architecture "
                     f"needs {needs:,} values in {len(state)} tensors)")
    for name, tensor in state.items():
        want_shape, want_dtype = expected[name]
        if tuple(tensor.shape) != tuple(want_shape) or tensor.dtype != want_dtype:
            raise refuse(source, f"tensor {name!r} of shape {tuple(want_shape)} and "
                         f"{want_dtype}, where the architecture needs {tuple(tensor.shape)} "
                         f"and {tensor.dtype}")


def _few(names: list[str]) -> str:
    return str(names) if len(names) <= 6 else f"{names[:6]} and {len(names) - 6} more"


def _check_nothing_on_meta(model: Any, source: Path | str) -> None:
    """A layer keeping a tensor outside its parameters would be left without memory."""
    for module in model.modules():
        for name, value in vars(module).items():
            if isinstance(value, Tensor) and value.is_meta:
                raise RuntimeError(f"{type(module).__name__}.{name} is not a weight; it "
                                   "cannot be loaded from a file")  # pragma: no cover
