"""Data: batches, adapters for user data, the index-gather loader, a LightningDataModule."""

from seqkit.data.adapters import pad_sequences
from seqkit.data.batch import Batch
from seqkit.data.datamodule import SequenceDataModule
from seqkit.data.loader import ArrayLoader
from seqkit.data.windows import windows

__all__ = ["ArrayLoader", "Batch", "SequenceDataModule", "pad_sequences", "windows"]
