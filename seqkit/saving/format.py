"""The ``.seqkit`` file format: one zip with ``config.json`` and ``model.safetensors``.

``config.json`` holds the format version, the seqkit version, the architecture (each
layer's class name and ``get_config()``), the input shape it was built for, the compile
settings when they are names, and the SHA-256 of ``model.safetensors``, which holds the
weights. Nothing in the file is ever unpickled: configs are JSON, tensors are safetensors.

The limits below bound what a crafted file can cost ``load_model`` before it is refused.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["CONFIG_ENTRY", "ENTRIES", "FORMAT_VERSION", "MAX_CONFIG_BYTES", "MAX_DEPTH",
           "MAX_HEADER_BYTES", "MAX_LAYERS", "MAX_TENSORS", "MODEL_REGISTRY", "WEIGHTS_ENTRY",
           "WEIGHTS_EXPANSION", "WEIGHTS_FLOOR_BYTES", "WEIGHTS_HASH_KEY", "register_model"]

FORMAT_VERSION = 3
"""Version of the layout written by this seqkit; files with a higher one are refused.
Version 2: Keras's ``dropout`` and initialisers (``seqkit.saving.migrate`` reads version 1).
Version 3: ``weights_sha256`` in ``config.json`` (versions 1 and 2 load without it)."""

WEIGHTS_HASH_KEY = "weights_sha256"
"""The ``config.json`` key holding the hex SHA-256 of the ``model.safetensors`` entry."""

CONFIG_ENTRY = "config.json"
WEIGHTS_ENTRY = "model.safetensors"
ENTRIES = frozenset({CONFIG_ENTRY, WEIGHTS_ENTRY})
"""The only entries a ``.seqkit`` archive may contain."""

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""The most ``config.json`` bytes read (inflated), whatever size the zip declares."""

MAX_HEADER_BYTES = 8 * 1024 * 1024
"""The most bytes of safetensors header (the JSON before the tensors) read."""

MAX_TENSORS = 2048
"""The most tensors a weights entry may list."""

MAX_LAYERS = 1024
"""The most layer specs (nested ones included) an architecture may hold."""

MAX_DEPTH = 32
"""The deepest nesting of lists and objects ``config.json`` may hold."""

WEIGHTS_EXPANSION = 12
WEIGHTS_FLOOR_BYTES = 32 * 1024 * 1024
"""The weights may inflate to at most ``WEIGHTS_EXPANSION`` times the file's size on disk
(at least ``WEIGHTS_FLOOR_BYTES``): trained weights barely compress (about 1.1x), so a
larger ratio is a zip bomb, refused before anything is allocated."""

MODEL_REGISTRY: dict[str, type] = {}
"""The model class files rebuild (``Sequential`` registers itself): ``saving/`` sits below
``models/`` and never imports it."""

_T = TypeVar("_T", bound=type)


def register_model(cls: _T) -> _T:
    """Class decorator registering the class that saved files are loaded into."""
    MODEL_REGISTRY[cls.__name__] = cls
    return cls
