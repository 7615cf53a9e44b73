"""What ``compile`` stores: validated up front, turned into objects once the model is built."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torchmetrics

from seqkit._checks import as_real, positive_real
from seqkit.errors import ConfigError, InputTypeError, explain, unknown_name
from seqkit.training.losses import LossSpec, get_loss
from seqkit.training.metrics import make_metric
from seqkit.training.optimizers import OPTIMIZERS, SCHEDULERS, OptimizerSpec

__all__ = ["CompileSettings"]


@dataclass
class CompileSettings:
    """Arguments of ``Sequential.compile``, checked when given.

    Attributes:
        optimizer: Name, class or factory (see `make_optimizer`).
        loss: Name, ``torch.nn`` loss module or callable.
        metrics: Names or ``torchmetrics.Metric`` objects.
        lr: Learning rate (``None``: the optimizer's default).
        weight_decay: Weight decay.
        scheduler: ``None``, a name in [`SCHEDULERS`][seqkit.training.SCHEDULERS] or a
            callable ``optimizer -> scheduler``.
    """

    optimizer: OptimizerSpec = "adam"
    loss: str | Callable[..., Any] = "mse"
    metrics: list[str | torchmetrics.Metric] = field(default_factory=list)
    lr: float | None = None
    weight_decay: float = 0.0
    scheduler: str | Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.optimizer, str) and self.optimizer.lower() not in OPTIMIZERS:
            raise unknown_name("optimizer", self.optimizer, OPTIMIZERS)
        if isinstance(self.scheduler, str) and self.scheduler not in SCHEDULERS:
            raise unknown_name("scheduler", self.scheduler, SCHEDULERS)
        if not isinstance(self.optimizer, str) and not callable(self.optimizer):
            raise InputTypeError(explain(
                "compile optimizer", expected="a name, an optimizer class or a factory",
                received=f"optimizer={self.optimizer!r}"))
        if self.scheduler is not None and not isinstance(self.scheduler, str) \
                and not callable(self.scheduler):
            raise InputTypeError(explain(
                "compile scheduler", expected=f"None, one of {', '.join(SCHEDULERS)} or a "
                "callable optimizer -> scheduler", received=f"scheduler={self.scheduler!r}"))
        if self.lr is not None:  # numpy numbers too, stored as Python floats
            self.lr = positive_real(self.lr, "lr", "compile")
        decay = as_real(self.weight_decay)
        if decay is None or not 0 <= decay < math.inf:
            raise ConfigError(explain("compile weight_decay", expected="a finite number >= 0",
                                      received=f"weight_decay={self.weight_decay!r}"))
        self.weight_decay = decay
        if isinstance(self.metrics, str | torchmetrics.Metric):
            self.metrics = [self.metrics]
        if not isinstance(self.metrics, list | tuple):
            raise InputTypeError(explain("compile metrics", expected="a list of names",
                                         received=f"metrics={self.metrics!r}"))
        self.metrics = list(self.metrics)
        spec = self.loss_spec()
        # Resolve metric names now so typos fail at compile time, not after a build.
        for metric in self.metrics:
            make_metric(metric, spec.task, num_classes=2)

    def loss_spec(self, probabilities: bool = False) -> LossSpec:
        """The resolved loss, for a model that outputs probabilities (its last layer ends
        in a sigmoid or softmax) or logits; see [`get_loss`][seqkit.training.losses.get_loss].
        """
        return get_loss(self.loss, probabilities)

    def make_metrics(self, num_classes: int) -> dict[str, torchmetrics.Metric]:
        """Fresh metric objects by log name, for a model with ``num_classes`` outputs."""
        task = self.loss_spec().task
        made = dict(make_metric(m, task, num_classes) for m in self.metrics)
        return made

    def to_config(self) -> dict[str, Any] | None:
        """The settings as JSON, or ``None`` when one of them is an object (a class,
        callable or metric instance) that a file cannot hold by name."""
        named = (isinstance(self.optimizer, str) and isinstance(self.loss, str)
                 and all(isinstance(m, str) for m in self.metrics)
                 and (self.scheduler is None or isinstance(self.scheduler, str)))
        if not named:
            return None
        return {"optimizer": self.optimizer, "loss": self.loss, "metrics": list(self.metrics),
                "lr": self.lr, "weight_decay": self.weight_decay, "scheduler": self.scheduler}
