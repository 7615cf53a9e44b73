"""Models: ``Sequential``."""

from seqkit.models.sequential import Sequential

__all__ = ["Sequential"]
