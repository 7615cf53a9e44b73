"""Models: ``Sequential``, and ``kernel_paths`` (what runs each recurrent layer)."""

from seqkit.models.sequential import Sequential
from seqkit.models.summary import kernel_paths

__all__ = ["Sequential", "kernel_paths"]
