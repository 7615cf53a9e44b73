"""Models: ``Sequential``, ``kernel_paths`` (what runs each recurrent layer) and
``from_keras`` (a Keras model as a ``Sequential``)."""

from seqkit.models.from_keras import from_keras
from seqkit.models.sequential import Sequential
from seqkit.models.summary import kernel_paths

__all__ = ["Sequential", "from_keras", "kernel_paths"]
