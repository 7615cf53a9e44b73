"""Exporting a trained model to ONNX or TorchScript for serving without seqkit.

The exported graph takes fixed-layout input ``(batch, time, features)`` (batch and time
may vary) and includes the model's ``Normalization`` input scaling and its target scaler,
so it answers like ``predict``. Not exportable: text preprocessing (``TextVectorizer``:
strings are not tensors), and per-row lengths (packing has no ONNX form) — export
fixed-length inputs, or pad and run ``predict``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from seqkit._checks import path_argument
from seqkit.errors import ConfigError, NotBuiltError, explain
from seqkit.layers.embedding import Embedding
from seqkit.preprocessing.normalization import Normalization

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["ServingModule", "export_onnx", "export_torchscript"]


class ServingModule(nn.Module):
    """The model as one plain ``nn.Module``: input scaling, layers, target scaling back.

    Example:
        >>> import torch, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(4), sk.Dense(1)])
        >>> model.build((None, 5, 2))
        >>> ServingModule(model)(torch.zeros(3, 5, 2)).shape
        torch.Size([3, 1])
    """

    def __init__(self, model: Sequential) -> None:
        super().__init__()
        _check_exportable(model)
        self.model = model
        steps = [step for step in model.preprocessing if isinstance(step, Normalization)]
        if not all(step.is_adapted for step in steps):
            raise NotBuiltError(explain("export", expected="adapted Normalization statistics",
                                        received="a Normalization never adapted",
                                        fix="fit the model (or call adapt) before exporting"))
        self.input_scaling = [(step.shift, step.scale) for step in steps]
        scaler = model.target_scaler
        self.output_scaling = (None if scaler is None or not scaler.is_adapted
                               else (scaler.shift, scaler.scale))

    def forward(self, x: Tensor) -> Tensor:
        for shift, scale in self.input_scaling:
            x = (x - shift) / scale
        if not self.model.batch_first:
            x = x.transpose(0, 1)
        values, _, _ = self.model.run_blocks(x)
        if self.output_scaling is not None:
            shift, scale = self.output_scaling
            values = values * scale.reshape(-1) + shift.reshape(-1)
        if not self.model.batch_first and values.dim() >= 3:
            values = values.transpose(0, 1)
        return values


def export_onnx(model: Sequential, path: str | os.PathLike[str], *,
                sample: Tensor | None = None, opset: int = 17) -> Path:
    """Writes ``model`` as an ONNX graph (batch and time axes dynamic).

    Args:
        model: A built model without text preprocessing or ``Embedding(mask_zero=True)``.
        path: The ``.onnx`` file to write.
        sample: An input to trace with (default: zeros of the model's input shape).
        opset: ONNX opset version.

    Returns:
        The path written. Run it with onnxruntime: input ``"x"``, output ``"y"``.
    """
    serving = ServingModule(model).eval()
    sample = _sample(model) if sample is None else sample
    axes = {0: "batch", 1: "time"} if sample.dim() >= 3 else {0: "batch"}
    target = path_argument(path, "path", "to_onnx")
    with torch.no_grad():
        torch.onnx.export(serving, (sample,), str(target), input_names=["x"],
                          output_names=["y"], dynamic_axes={"x": axes, "y": {0: "batch"}},
                          opset_version=opset, dynamo=False)
    return target


def export_torchscript(model: Sequential, sample: Tensor | None = None) -> Any:
    """A traced TorchScript module of ``model`` (load it with ``torch.jit.load``).

    Tracing records the fixed-layout path; scripting (``torch.jit.script``) is not supported.
    """
    serving = ServingModule(model).eval()
    with torch.no_grad():
        return torch.jit.trace(serving, (_sample(model) if sample is None else sample,),
                               check_trace=False)


def _sample(model: Sequential) -> Tensor:
    model._require_built("export")
    shape = [2 if i == 0 else (size or 8) for i, size in enumerate(model.input_shape)]
    if not model.batch_first and len(shape) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    if isinstance(model.input_layer, Embedding):
        return torch.ones(shape, dtype=torch.int64)
    return torch.zeros(shape)


def _check_exportable(model: Sequential) -> None:
    for step in model.preprocessing:
        if not isinstance(step, Normalization):
            raise ConfigError(explain(
                "export", expected="tensor inputs", received=f"a model that starts with "
                f"{type(step).__name__} (it works on strings)",
                fix="serve text models with predict (sk.load_model) instead; per-row text "
                "lengths have no ONNX form either"))
    for layer in model.modules():  # an Ensemble's members hold layers too
        if isinstance(layer, Embedding) and layer.mask_zero:
            raise ConfigError(explain(
                "export", expected="fixed-length inputs",
                received=f"{layer.label} with mask_zero=True (per-row lengths)",
                fix="export a model with mask_zero=False for fixed-length ids, or serve "
                "variable lengths with predict"))
