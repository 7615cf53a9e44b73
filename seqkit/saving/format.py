"""The ``.seqkit`` file format: one zip with ``config.json`` and ``model.safetensors``.

``config.json`` holds the format version, the seqkit version, the architecture (each
layer's class name and ``get_config()``), the input shape it was built for, and the
compile settings when they are names. ``model.safetensors`` holds the weights. Nothing in
the file is ever unpickled: configs are JSON, tensors are safetensors.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["CONFIG_ENTRY", "ENTRIES", "FORMAT_VERSION", "MAX_CONFIG_BYTES", "MODEL_REGISTRY",
           "WEIGHTS_ENTRY", "register_model"]

FORMAT_VERSION = 2
"""Version of the layout written by this seqkit; files with a higher one are refused.
Version 2: Keras's ``dropout`` and initialisers (``seqkit.saving.migrate`` reads version 1)."""

CONFIG_ENTRY = "config.json"
WEIGHTS_ENTRY = "model.safetensors"
ENTRIES = frozenset({CONFIG_ENTRY, WEIGHTS_ENTRY})
"""The only entries a ``.seqkit`` archive may contain."""

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""Refuse absurd ``config.json`` sizes before reading them (a zip bomb guard)."""

MODEL_REGISTRY: dict[str, type] = {}
"""The model class files rebuild (``Sequential`` registers itself): ``saving/`` sits below
``models/`` and never imports it."""

_T = TypeVar("_T", bound=type)


def register_model(cls: _T) -> _T:
    """Class decorator registering the class that saved files are loaded into."""
    MODEL_REGISTRY[cls.__name__] = cls
    return cls
