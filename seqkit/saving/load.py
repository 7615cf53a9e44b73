"""Reading a ``.seqkit`` file: rebuilt from an allow-list, checked, never unpickled.

Each step bounds what a crafted file can cost before the next one runs: the archive's
entries (``archive.py``), ``config.json`` read through a bounded stream and checked
against the schema (``schema.py``), the weights' header alone (``weights.py``), the
architecture built on the ``meta`` device and matched against that header
(``rebuild.py``), and only then the weights, streamed into the model and hashed.
"""

from __future__ import annotations

import os
from typing import Any

from seqkit.saving.archive import open_archive, refuse
from seqkit.saving.format import (
    CONFIG_ENTRY,
    MAX_CONFIG_BYTES,
    WEIGHTS_ENTRY,
    WEIGHTS_EXPANSION,
    WEIGHTS_FLOOR_BYTES,
    WEIGHTS_HASH_KEY,
)
from seqkit.saving.rebuild import model_from_config
from seqkit.saving.schema import check_config, parse_json
from seqkit.saving.weights import read_header, read_tensors

__all__ = ["load_model", "model_from_config"]


def load_model(path: str | os.PathLike[str]) -> Any:
    """Loads a model saved by ``model.save`` / [`save_model`][seqkit.saving.save_model].

    Layers are rebuilt only from seqkit's registered layer names; every tensor's name,
    shape and dtype must match the rebuilt model, and the weights their SHA-256. Nothing is
    unpickled, and a crafted file is refused before it costs memory: a file of a few MB
    is loaded or refused within a second or two and a few tens of MB.

    Args:
        path: The ``.seqkit`` file.

    Returns:
        The model (a ``Sequential``), compiled again when it was saved compiled with
        named settings, in eval mode.

    Raises:
        ModelFileNotFoundError: There is no such file.
        ModelFileError: ``path`` is not a path to a regular file, or the file is not a
            seqkit archive, is truncated or corrupted, comes from a newer format, names an
            unknown layer, or its weights do not fit.

    Examples:
        >>> import tempfile, pathlib, torch, seqkit as sk
        >>> model = sk.Sequential([sk.GRU(3), sk.Dense(1)])
        >>> model.build((None, 4, 2))
        >>> saved = model.save(pathlib.Path(tempfile.mkdtemp()) / "m.seqkit")
        >>> x = torch.randn(2, 4, 2)
        >>> bool(torch.equal(sk.load_model(saved)(x), model.eval()(x)))
        True
    """
    with open_archive(path) as archive:
        source = archive.source
        config = parse_json(archive.read(CONFIG_ENTRY, MAX_CONFIG_BYTES), source,
                            CONFIG_ENTRY)
        if check_config(config, source) >= 3 and WEIGHTS_HASH_KEY not in config:
            raise refuse(source, f"a format-{config['format_version']} config.json without "
                         f"{WEIGHTS_HASH_KEY} (seqkit writes the weights' SHA-256 there)")
        limit = max(WEIGHTS_EXPANSION * archive.file_size, WEIGHTS_FLOOR_BYTES)
        stream = archive.open(WEIGHTS_ENTRY, limit)
        header = read_header(stream, source)
        if stream.taken + header.data_bytes > limit:
            raise refuse(source, f"weights declaring {header.data_bytes:,} bytes in a file of "
                         f"{archive.file_size:,} bytes (more than {WEIGHTS_EXPANSION} times "
                         "its size: a zip bomb, or weights of mostly one value)")
        stream.limit = stream.taken + header.data_bytes
        model = model_from_config(config, source, header.shapes)
        digest = read_tensors(stream, header, model.state_dict(), source)
        expected = config.get(WEIGHTS_HASH_KEY)
        if expected is not None and digest != expected:
            raise refuse(source, f"weights whose SHA-256 is {digest}, not the {expected} "
                         "recorded when it was saved (a damaged or altered file)")
    return model.eval()
