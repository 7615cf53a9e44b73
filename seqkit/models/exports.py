"""Saving and exporting a ``Sequential``: the ``.seqkit`` file, ONNX and TorchScript."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from seqkit._checks import path_argument
from seqkit.errors import ConfigError, explain
from seqkit.saving.atomic import write_atomically
from seqkit.saving.export import export_onnx, export_torchscript
from seqkit.saving.save import save_model

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["ExportMixin"]


class ExportMixin:
    """``save``, ``to_onnx`` and ``to_torchscript`` (Lightning's names and arguments)."""

    def save(self: Sequential, path: str | os.PathLike[str]) -> Path:
        """Saves architecture, weights and compile settings to one ``.seqkit`` file.

        See [`save_model`][seqkit.saving.save_model]; load it with ``sk.load_model(path)``.
        """
        return save_model(self, path)

    def to_onnx(self: Sequential, file_path: str | os.PathLike[str],
                input_sample: Tensor | None = None, **kwargs: Any) -> Path:
        """Exports to ONNX with input scaling and target scaling included; see
        [`export_onnx`][seqkit.saving.export.export_onnx] (``kwargs``: ``opset``)."""
        return export_onnx(self, file_path, sample=input_sample, **kwargs)

    def to_torchscript(self: Sequential, file_path: str | os.PathLike[str] | None = None,
                       method: str | None = "trace", example_inputs: Any = None,
                       **kwargs: Any) -> Any:
        """A traced TorchScript module (saved to ``file_path`` if given); see
        [`export_torchscript`][seqkit.saving.export.export_torchscript]."""
        if method != "trace":
            raise ConfigError(explain("to_torchscript method", expected="'trace'",
                                      received=f"method={method!r}",
                                      fix="seqkit models export by tracing only"))
        target = None if file_path is None else path_argument(file_path, "file_path",
                                                               "to_torchscript")
        scripted = export_torchscript(self, example_inputs)
        if target is not None:  # a failed write leaves an existing file as it was
            write_atomically(target, lambda handle: torch.jit.save(scripted, handle))
        return scripted
