"""Crafted ``.seqkit`` files: each case of issue 15's hostile-file list, as bytes.

``CASES`` maps a case name to ``(build, pattern)``: ``build(good)`` returns the file's bytes
from the pieces of a good file, and ``pattern`` is a regex the ``ModelFileError`` message
must match. ``python tests/saving/_hostile_files.py`` times each case in a fresh process and
prints its refusal time and peak memory (see ``measure``).
"""

from __future__ import annotations

import io
import json
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

import seqkit as sk
from seqkit.saving.format import CONFIG_ENTRY, WEIGHTS_ENTRY

ZERO_CHUNK = bytes(1 << 22)


@dataclass
class Good:
    """The pieces of a good file: its bytes, config and weights entry."""

    data: bytes
    config: dict[str, Any]
    weights: bytes

    def with_config(self, **changes: Any) -> dict[str, Any]:
        return json.loads(json.dumps({**self.config, **changes}))


def good_model() -> sk.Sequential:
    """A small model with every kind of state a file holds (statistics, scaler, weights)."""
    torch.manual_seed(0)
    model = sk.Sequential([sk.Normalization(), sk.LSTM(3, name="enc"), sk.Dense(1)],
                          loss="mse", target_scaler="standard")
    x = torch.randn(8, 5, 2)
    model.preprocessing[0].adapt(x)
    model.target_scaler.adapt(torch.randn(8, 1) * 3 + 1)
    model.build((None, 5, 2))
    return model


def good_file(path: Any) -> Good:
    data = good_model().save(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return Good(data, json.loads(archive.read(CONFIG_ENTRY)), archive.read(WEIGHTS_ENTRY))


def zip_bytes(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(buffer, "w", method) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def with_entries(good: Good, config: Any = None, weights: bytes | None = None) -> bytes:
    raw = good.config if config is None else config
    encoded = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    return zip_bytes([(CONFIG_ENTRY, encoded),
                      (WEIGHTS_ENTRY, good.weights if weights is None else weights)])


def streamed_entry_zip(good: Good, entry: str, chunks: int, prefix: bytes = b"") -> bytes:
    """A zip whose ``entry`` is ``prefix`` then ``chunks`` x 4 MiB of zeros (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name in (CONFIG_ENTRY, WEIGHTS_ENTRY):
            if name != entry:
                archive.writestr(name, json.dumps(good.config).encode()
                                 if name == CONFIG_ENTRY else good.weights)
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                stream.write(prefix)
                for _ in range(chunks):
                    stream.write(ZERO_CHUNK)
    return buffer.getvalue()


def _records(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of ``name``'s local header and central-directory record."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    encoded = name.encode()
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46: central + 46 + length] == encoded:
            return info.header_offset, central
        central = data.find(b"PK\x01\x02", central + 4)
    raise KeyError(name)


def patch(data: bytes, name: str, *, sizes: int | None = None, method: int | None = None,
          flags: int | None = None) -> bytes:
    """Rewrites ``name``'s declared uncompressed size, method or flag bits in both headers."""
    out = bytearray(data)
    local, central = _records(data, name)
    if sizes is not None:
        struct.pack_into("<I", out, local + 22, sizes)
        struct.pack_into("<I", out, central + 24, sizes)
    if method is not None:
        struct.pack_into("<H", out, local + 8, method)
        struct.pack_into("<H", out, central + 10, method)
    if flags is not None:
        struct.pack_into("<H", out, local + 6, flags)
        struct.pack_into("<H", out, central + 8, flags)
    return bytes(out)


def corrupt_deflate(good: Good) -> bytes:
    """``config.json`` whose deflate stream is garbage (an invalid block type)."""
    data = with_entries(good)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(CONFIG_ENTRY)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return data[:start] + b"\xff" * info.compress_size + data[start + info.compress_size:]


def header_blob(header: dict[str, Any], data: bytes = b"", length: int | None = None) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def _header_of(good: Good) -> tuple[dict[str, Any], bytes]:
    (length,) = struct.unpack_from("<Q", good.weights)
    return json.loads(good.weights[8:8 + length]), good.weights[8 + length:]


def flipped_weight_with_crc(good: Good) -> bytes:
    """One weight byte changed; zipfile writes a correct CRC for the changed entry."""
    blob = bytearray(good.weights)
    blob[-3] ^= 0x40
    return with_entries(good, weights=bytes(blob))


def huge_declared_tensor(good: Good) -> bytes:
    """A header declaring a 1 GiB tensor over a few bytes of data."""
    header = {"w": {"dtype": "F32", "shape": [1 << 28], "data_offsets": [0, 1 << 30]}}
    return with_entries(good, weights=header_blob(header, bytes(16)))


def architecture_of(good: Good, **layer_config: Any) -> dict[str, Any]:
    config = good.with_config()
    config["model"]["layers"][0]["config"].update(layer_config)
    return config


def many_tensors_header(good: Good, count: int) -> bytes:
    header = {f"t{i}": {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]}
              for i in range(count)}
    return with_entries(good, weights=header_blob(header, bytes(4 * count)))


def consistent_layers_header(good: Good, num_layers: int, tensors: int) -> bytes:
    """``num_layers`` stacked LSTM layers, with a header listing the first ``tensors``."""
    config = architecture_of(good, num_layers=num_layers)
    header, offset = {}, 0
    for layer in range(tensors // 4):
        for kind, shape in (("weight_ih", [12, 2 if layer == 0 else 3]),
                            ("weight_hh", [12, 3]), ("bias_ih", [12]), ("bias_hh", [12])):
            size = 4 * int(np.prod(shape))
            header[f"blocks.enc.rnn.{kind}_l{layer}"] = {
                "dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
            offset += size
    return with_entries(good, config, header_blob(header, bytes(offset)))


def _state(good: Good, where: str, shift: Any, scale: Any) -> dict[str, Any]:
    config = good.with_config()
    target = config["target_scaler"] if where == "scaler" else config["preprocessing"][0]
    target["state"] = {"shift": shift, "scale": scale}
    return config


Build = Callable[[Good], bytes]

CASES: dict[str, tuple[Build, str]] = {
    # sizes the zip declares are never trusted
    "weights_inflate_1gib_after_data": (
        lambda g: streamed_entry_zip(g, WEIGHTS_ENTRY, 256, prefix=g.weights),
        "inflating past"),
    "weights_declare_1gib": (huge_declared_tensor, "times its size: a zip bomb"),
    "config_inflates_past_limit": (
        lambda g: streamed_entry_zip(g, CONFIG_ENTRY, 5, prefix=b'{"a": "'), "inflating past"),
    "config_declares_small_inflates_large": (
        lambda g: patch(streamed_entry_zip(g, CONFIG_ENTRY, 40, prefix=b'{"a": "'),
                        CONFIG_ENTRY, sizes=100), "config.json"),
    # the architecture is matched against the header before anything is allocated
    "num_layers_100000": (lambda g: with_entries(g, architecture_of(g, num_layers=100_000)),
                          "at least 200,000 weight tensors"),
    "num_layers_100000_consistent_header": (
        lambda g: consistent_layers_header(g, 100_000, 2048), "at least 200,000"),
    "num_layers_1000_header_of_2048": (
        lambda g: consistent_layers_header(g, 1000, 2048), "torch calls"),
    "units_2e5": (lambda g: with_entries(g, architecture_of(g, units=200_000)),
                  "cannot rebuild"),
    "header_2049_tensors": (lambda g: many_tensors_header(g, 2049), "tensors \\(at most"),
    "header_length_2_60": (lambda g: with_entries(g, weights=struct.pack("<Q", 1 << 60)),
                           "header claims"),
    "header_overlapping_offsets": (lambda g: with_entries(g, weights=header_blob(
        {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
         "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12))),
        "overlapping or gapped"),
    "header_unknown_dtype": (lambda g: with_entries(g, weights=header_blob(
        {"a": {"dtype": "OBJ", "shape": [1], "data_offsets": [0, 8]}}, bytes(8))), "dtype"),
    "weights_truncated_data": (lambda g: with_entries(g, weights=g.weights[:-7]), "truncated"),
    "weights_trailing_bytes": (lambda g: with_entries(g, weights=g.weights + b"\0" * 64),
                               "inflating past"),
    # entries
    "duplicate_config": (lambda g: zip_bytes([
        (CONFIG_ENTRY, json.dumps(g.config).encode()),
        (CONFIG_ENTRY, json.dumps(architecture_of(g, units=5)).encode()),
        (WEIGHTS_ENTRY, g.weights)]), "named twice"),
    "unknown_entry": (lambda g: zip_bytes([(CONFIG_ENTRY, json.dumps(g.config).encode()),
                                           (WEIGHTS_ENTRY, g.weights), ("extra.bin", b"x")]),
                      "only"),
    "directory_entry": (lambda g: zip_bytes([(CONFIG_ENTRY, json.dumps(g.config).encode()),
                                             (WEIGHTS_ENTRY, g.weights), ("dir/", b"")]),
                        "only"),
    "bzip2_entry": (lambda g: zip_bytes([(CONFIG_ENTRY, json.dumps(g.config).encode()),
                                         (WEIGHTS_ENTRY, g.weights)], zipfile.ZIP_BZIP2),
                    "only stored or deflated"),
    "unknown_compression_99": (lambda g: patch(with_entries(g), CONFIG_ENTRY, method=99),
                               "only stored or deflated"),
    "encrypted_entry": (lambda g: patch(with_entries(g), WEIGHTS_ENTRY, flags=0x1),
                        "encrypted"),
    "corrupt_deflate": (corrupt_deflate, "damaged config.json"),
    "flipped_weight_recomputed_crc": (flipped_weight_with_crc, "SHA-256"),
    # config.json against the schema
    "nested_json_100000": (lambda g: with_entries(g, b"[" * 100_000 + b"]" * 100_000),
                           "nested deeper"),
    "nested_json_40": (lambda g: with_entries(g, g.with_config(compile=json.loads(
        '{"a": ' * 40 + "1" + "}" * 40))), "nested deeper"),
    "nested_header_100000": (lambda g: with_entries(g, weights=struct.pack("<Q", 200_000)
                                                    + b"[" * 100_000 + b"]" * 100_000),
                             "nested deeper"),
    "format_version_true": (lambda g: with_entries(g, g.with_config(format_version=True)),
                            "format_version=True"),
    "format_version_string": (lambda g: with_entries(g, g.with_config(format_version="3")),
                              "format_version='3'"),
    "batch_first_no": (lambda g: with_entries(g, _batch_first(g, "no")), "batch_first='no'"),
    "unknown_top_level_key": (lambda g: with_entries(g, g.with_config(extra=1)),
                              "unknown keys"),
    "input_shape_huge": (lambda g: with_entries(g, g.with_config(
        input_shape=[None, 5, 10**12])), "input_shape"),
    "missing_sha256": (lambda g: with_entries(g, _without(g, "weights_sha256")),
                       "without weights_sha256"),
    "too_many_layers": (lambda g: with_entries(g, _layers(g, 2000)), "more than 1024 layers"),
    "huge_integer": (lambda g: with_entries(g, json.dumps(g.config).replace(
        '"units": 3', '"units": ' + "9" * 5000).encode()), "digits"),
    "scaler_nan": (lambda g: with_entries(g, json.dumps(_state(g, "scaler", [1.0], [1.0]))
                                          .replace("[1.0]", "[NaN]", 1).encode()), "NaN"),
    "scaler_overflow_inf": (lambda g: with_entries(g, json.dumps(_state(
        g, "scaler", [1.0], [2.5])).replace("[2.5]", "[1e999]").encode()), "float range"),
    "scaler_scale_zero": (lambda g: with_entries(g, _state(g, "scaler", [1.0], [0.0])),
                          "not positive"),
    "normalization_negative_scale": (
        lambda g: with_entries(g, _state(g, "norm", [0.0, 0.0], [1.0, -1.0])), "not positive"),
    "normalization_ragged": (lambda g: with_entries(g, _state(g, "norm", [0.0, [1.0]],
                                                              [1.0, 1.0])), "arrays of numbers"),
    "label_encoder_duplicates": (lambda g: with_entries(g, g.with_config(
        label_encoder={"state": {"classes": ["a", "a"]}})), "distinct labels"),
}

REFUSED_WHILE_READING = frozenset({
    "flipped_weight_recomputed_crc", "weights_inflate_1gib_after_data",
    "weights_trailing_bytes", "weights_truncated_data"})
"""Cases with the good architecture and header, refused while the data streams in."""


def _batch_first(good: Good, value: Any) -> dict[str, Any]:
    config = good.with_config()
    config["model"]["batch_first"] = value
    return config


def _without(good: Good, key: str) -> dict[str, Any]:
    config = good.with_config()
    del config[key]
    return config


def _layers(good: Good, count: int) -> dict[str, Any]:
    config = good.with_config()
    config["model"]["layers"] = [{"class_name": "Dropout", "config": {"rate": 0.0}}] * count
    return config


def measure(name: str, path: str) -> tuple[float, float, str]:
    """Loads ``path`` in this process: seconds, peak RSS growth in MB, and the outcome."""
    import time

    from seqkit.errors import ModelFileError

    with open("/proc/self/clear_refs", "w") as clear:  # Linux: resets the peak (VmHWM)
        clear.write("5")
    before = _status_kb("VmRSS")
    start = time.perf_counter()
    try:
        sk.load_model(path)
        outcome = "loaded"
    except ModelFileError as error:
        outcome = "refused: " + str(error).split("received ", 1)[-1][:70]
    elapsed = time.perf_counter() - start
    peak = (_status_kb("VmHWM") - before) / 1024
    return elapsed, peak, outcome


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key))


if __name__ == "__main__":  # pragma: no cover - the measurement in the closing note
    import subprocess
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    if len(sys.argv) == 3:
        seconds, megabytes, result = measure(sys.argv[1], sys.argv[2])
        print(f"{sys.argv[1]:40s} {Path(sys.argv[2]).stat().st_size / 1e6:7.2f} MB "
              f"{seconds:6.3f} s  +{megabytes:6.1f} MB  {result}")
        sys.exit(0)
    base = good_file(folder / "good")
    torch.manual_seed(0)
    large = sk.Sequential([sk.LSTM(300, num_layers=2, bidirectional=True), sk.Dense(1)])
    large.build((None, 20, 8))  # 2.9 M weights: a 10.9 MB file that loads
    legit = large.save(folder / "legit_10mb")
    subprocess.run([sys.executable, __file__, "legit_10mb (loads)", str(legit)], check=False)
    for case, (build, _) in CASES.items():
        target = folder / f"{case}.seqkit"
        target.write_bytes(build(base))
        subprocess.run([sys.executable, __file__, case, str(target)], check=False)
        target.unlink()
