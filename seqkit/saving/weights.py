"""The ``model.safetensors`` entry, read in two steps so that size is known before memory.

[`read_header`][seqkit.saving.weights.read_header] reads only the 8-byte length and the JSON
header (both bounded) and checks that the tensors' offsets tile the data exactly. Once the
architecture has been checked against that header,
[`read_tensors`][seqkit.saving.weights.read_tensors] streams the data straight into the
model's own tensors, hashing it on the way, so loading holds the weights once.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from seqkit.saving.archive import BoundedStream, refuse
from seqkit.saving.format import MAX_HEADER_BYTES, MAX_TENSORS
from seqkit.saving.schema import parse_json

__all__ = ["DTYPES", "TensorEntry", "WeightsHeader", "read_header", "read_tensors"]

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16,
          "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32,
          "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
"""The safetensors dtypes a seqkit file may hold."""

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class TensorEntry:
    """One tensor of the header: name, dtype, shape and byte range in the data."""

    name: str
    dtype: torch.dtype
    shape: tuple[int, ...]
    start: int
    end: int


@dataclass(frozen=True)
class WeightsHeader:
    """The checked header: tensors in data order, the raw prefix (hashed), the data size."""

    tensors: tuple[TensorEntry, ...]
    prefix: bytes
    data_bytes: int

    @property
    def shapes(self) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
        """``{name: (shape, dtype)}``."""
        return {t.name: (t.shape, t.dtype) for t in self.tensors}


def read_header(stream: BoundedStream, source: Path | str) -> WeightsHeader:
    """Reads and checks the safetensors header at the start of ``stream``."""
    prefix = stream.read_exact(8)
    (length,) = struct.unpack("<Q", prefix)
    if length > MAX_HEADER_BYTES or length < 2:
        raise refuse(source, f"weights whose header claims {length} bytes (at most "
                     f"{MAX_HEADER_BYTES}): not a valid safetensors blob")
    raw = stream.read_exact(length)
    header = parse_json(raw, source, "safetensors weights header")
    if not isinstance(header, dict):
        raise refuse(source, "weights whose header is not an object: not a valid safetensors "
                     "blob")
    header.pop("__metadata__", None)
    if len(header) > MAX_TENSORS:
        raise refuse(source, f"weights of {len(header)} tensors (at most {MAX_TENSORS})")
    tensors = sorted((_entry(name, spec, source) for name, spec in header.items()),
                     key=lambda t: (t.start, t.end))
    position = 0
    for tensor in tensors:
        if tensor.start != position:
            raise refuse(source, f"weights whose tensor {tensor.name!r} starts at byte "
                         f"{tensor.start}, not {position} (overlapping or gapped data): "
                         "not a valid safetensors blob")
        position = tensor.end
    return WeightsHeader(tuple(tensors), prefix + raw, position)


def _entry(name: str, spec: Any, source: Path | str) -> TensorEntry:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
        raise refuse(source, f"weights whose header entry {name!r} is malformed: not a valid "
                     "safetensors blob")
    dtype, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise refuse(source, f"tensor {name!r} of dtype {dtype!r}; seqkit files hold "
                     f"{', '.join(DTYPES)}")
    valid = (isinstance(shape, list) and len(shape) <= 8
             and all(type(size) is int and size >= 0 for size in shape)
             and isinstance(offsets, list) and len(offsets) == 2
             and all(type(offset) is int and offset >= 0 for offset in offsets))
    if not valid:
        raise refuse(source, f"tensor {name!r} with shape {shape!r} and offsets {offsets!r}: "
                     "not a valid safetensors blob")
    torch_dtype = DTYPES[dtype]
    size = math.prod(shape) * torch_dtype.itemsize
    if offsets[1] - offsets[0] != size:
        raise refuse(source, f"tensor {name!r} of shape {tuple(shape)} whose data spans "
                     f"{offsets[1] - offsets[0]} bytes, not {size}")
    return TensorEntry(name, torch_dtype, tuple(shape), offsets[0], offsets[1])


def read_tensors(stream: BoundedStream, header: WeightsHeader, state: dict[str, torch.Tensor],
                 source: Path | str) -> str:
    """Streams the data after the header into ``state``'s tensors; returns its SHA-256.

    ``state`` (a model's ``state_dict()``) must hold exactly the header's tensors, with the
    same shapes and dtypes (checked before). The stream must end exactly after the data.
    Safetensors data is little-endian, as the machines torch runs on.
    """
    digest = hashlib.sha256(header.prefix)
    for entry in header.tensors:
        target = state[entry.name]
        flat = target.detach().reshape(-1)
        if flat.data_ptr() != target.data_ptr() or not target.is_contiguous():
            raise RuntimeError(f"{entry.name} is not a contiguous tensor")  # pragma: no cover
        view = memoryview(flat.view(torch.uint8).numpy()) if flat.numel() else memoryview(b"")
        position = 0
        while position < len(view):
            data = stream.read_exact(min(_CHUNK, len(view) - position))
            digest.update(data)
            view[position:position + len(data)] = data
            position += len(data)
    stream.check_end()
    return digest.hexdigest()
