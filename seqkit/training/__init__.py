"""Training plumbing: losses, metrics, optimizers by name, History, progress, Trainer."""

from seqkit.training.history import History
from seqkit.training.losses import LOSSES
from seqkit.training.metrics import METRICS
from seqkit.training.optimizers import OPTIMIZERS, SCHEDULERS

__all__ = ["LOSSES", "METRICS", "OPTIMIZERS", "SCHEDULERS", "History"]
