"""Keras's single-batch methods of ``Sequential``: ``train_on_batch``, ``test_on_batch``
and ``predict_on_batch``, with Keras's return values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor, nn

from seqkit._checks import boolean
from seqkit.data.batch import Batch
from seqkit.data.batching import inference_loader
from seqkit.data.pipeline import call_data
from seqkit.data.weights import sample_weights
from seqkit.errors import InputError, NotCompiledError, explain
from seqkit.models.inference import keras_result
from seqkit.training.optimizers import make_optimizer

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["BatchMethods"]

_STAGE = "batch"


class BatchMethods:
    """Mixin of ``Sequential`` with Keras's ``*_on_batch`` methods."""

    def train_on_batch(self: Sequential, x: Any, y: Any, sample_weight: Any = None,
                       class_weight: Mapping[Any, float] | str | None = None,
                       return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """One optimizer step on one batch (all of ``x``), in training mode (dropout on).

        The optimizer is the compiled one, made at the first call and kept, with its state,
        across calls until ``compile`` is called again (``fit`` makes its own).
        Preprocessing steps must be adapted already (by a ``fit``), as in Keras.

        Returns:
            As Keras 3 (and [`evaluate`][seqkit.models.Sequential.evaluate]): the loss, or
            ``[loss, *metrics]``, of this batch, computed before the step; with
            ``return_dict=True`` a dict.

        Examples:
            >>> import numpy as np, seqkit as sk
            >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)], loss="mse",
            ...                       metrics=["mae"])
            >>> x, y = np.ones((4, 3), np.float32), np.zeros(4, np.float32)
            >>> first, _ = model.train_on_batch(x, y)
            >>> model.train_on_batch(x, y)[0] < first
            True
        """
        return_dict = boolean(return_dict, "return_dict", "train_on_batch")
        batch = self._one_batch(x, y, sample_weight, class_weight, "train_on_batch")
        optimizer = self._on_batch_optimizer()
        self.train()
        optimizer.zero_grad()
        result, loss = self._batch_scores(batch)
        loss.backward()
        optimizer.step()
        return keras_result(result, return_dict)

    def test_on_batch(self: Sequential, x: Any, y: Any, sample_weight: Any = None,
                      return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss and metrics on one batch (all of ``x``) in eval mode; Keras's return
        value as [`evaluate`][seqkit.models.Sequential.evaluate]'s.

        Examples:
            >>> import numpy as np, seqkit as sk
            >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)], loss="mse")
            >>> model.test_on_batch(np.ones((4, 3), np.float32), np.zeros(4)) >= 0
            True
        """
        return_dict = boolean(return_dict, "return_dict", "test_on_batch")
        batch = self._one_batch(x, y, sample_weight, None, "test_on_batch")
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                result, _ = self._batch_scores(batch)
        finally:
            self.train(was_training)
        return keras_result(result, return_dict)

    def predict_on_batch(self: Sequential, x: Any) -> np.ndarray:
        """The model's outputs for one batch, as a numpy array (Keras returns numpy for
        any input; see [`predict`][seqkit.models.Sequential.predict])."""
        outputs = self.predict(x, verbose=0, batch_size=_rows(x))
        return outputs.cpu().numpy() if isinstance(outputs, Tensor) else outputs

    # -- shared steps ------------------------------------------------------------------
    def _one_batch(self: Sequential, x: Any, y: Any, sample_weight: Any, class_weight: Any,
                   where: str) -> Batch:
        if self.compile_settings is None:
            raise NotCompiledError(explain(where, expected="a compiled model",
                                           received="no compile() call",
                                           fix="call model.compile(loss=...) first"))
        if y is None:
            raise InputError(explain(f"{where} y", expected="targets for x", received="y=None",
                                     fix="pass the batch's targets too"))
        if self.pending_head is not None:  # a preset's head sized from the labels
            self.pending_head.attach(self, y)
            self.pending_head = None
        contract = self.data_contract()
        data = call_data(contract, x, y, sample_weight=sample_weight)
        if class_weight is not None:
            weight = sample_weights(data.sample_weight, class_weight, data.y, len(data.x),
                                    contract.label_encoder, layout=contract.targets())
            data = Batch(data.x, data.y, data.lengths, weight)
        self.prepare_training()
        (batch,) = inference_loader(contract, data, max(1, len(data.x)), by_length=False)
        return Batch(*(None if t is None else t.to(self.device) for t in batch))

    def _batch_scores(self: Sequential, batch: Batch) -> tuple[dict[str, float], Tensor]:
        """This batch's loss and metrics (fresh metric states), and the loss tensor."""
        metrics = {name: metric.clone().to(self.device)
                   for name, metric in self.metrics_of("test").items()}
        for metric in metrics.values():
            metric.reset()
        self.stage_metrics[f"{_STAGE}_metrics"] = nn.ModuleDict(metrics)
        self._sums.pop(_STAGE, None)
        try:
            total, count = self.loss_terms(batch, _STAGE)
            loss = total / count
            result = {"loss": float(loss.detach())}
            for name, metric in self.stage_metrics[f"{_STAGE}_metrics"].items():
                result[name] = float(metric.compute())
        finally:
            self.stage_metrics.pop(f"{_STAGE}_metrics")
            self._sums.pop(_STAGE, None)
        return result, loss

    def _on_batch_optimizer(self: Sequential) -> torch.optim.Optimizer:
        settings = self.compile_settings
        kept = self.__dict__.get("_batch_optimizer")
        if kept is None or kept[0] is not settings:
            assert settings is not None
            optimizer = make_optimizer(settings.optimizer, self.parameters(), settings.lr,
                                       settings.weight_decay)
            kept = self.__dict__["_batch_optimizer"] = (settings, optimizer)
        return kept[1]


def _rows(x: Any) -> int:
    """A batch size holding every sample of ``x`` (more is harmless)."""
    shape = getattr(x, "shape", None)
    if shape is not None and len(shape) > 0:
        return max(1, max(int(size) for size in shape))  # time-major too: the longest axis
    return max(1, len(x)) if hasattr(x, "__len__") else 1
