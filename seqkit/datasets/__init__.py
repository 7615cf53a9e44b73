"""Data sets shipped inside the package (no network)."""

from seqkit.datasets.airline import airline_passengers

__all__ = ["airline_passengers"]
