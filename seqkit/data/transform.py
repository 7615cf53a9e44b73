"""What happens to every batch before the model sees it: dtypes, numeric preprocessing,
target scaling, and, for a user's ``DataLoader``, the layout.

Running these per batch keeps memory bounded: a float64 or strided input is converted one
batch at a time, never as a whole copy.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from seqkit.data.batch import Batch, as_batch
from seqkit.data.contract import DataContract, TargetLayout, is_numeric_step
from seqkit.errors import ConfigError, NotBuiltError, explain

__all__ = ["BatchTransform"]


class BatchTransform:
    """Turns a gathered batch into what the model takes.

    ``x`` becomes int64 token ids or float32 values (float16, bfloat16 and float64 inputs
    are cast to float32, the dtype of the model's weights; under a ``precision=`` setting
    Lightning casts the batch on from there), then goes through the numeric preprocessing
    steps; ``y`` becomes int64 class ids for ``cross_entropy`` or floats (one-hot targets
    too), then is scaled by the target scaler; weights become float32. Every batch comes out
    contiguous.

    Args:
        contract: The model's side of the pipeline (steps adapted after this is made
            are used; the targets' layout is read once, at the first batch).

    Examples:
        >>> import torch, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(2), sk.Dense(1)], loss="mse")
        >>> model.build((None, 3, 1))
        >>> batch = BatchTransform(model.data_contract())(
        ...     Batch(torch.zeros(4, 3, 1, dtype=torch.float64), torch.zeros(4, 1)))
        >>> batch.x.dtype, batch.y.dtype
        (torch.float32, torch.float32)
    """

    def __init__(self, contract: DataContract) -> None:
        self.contract = contract
        self._numeric_steps = contract.numeric_steps  # the list is fixed: made once
        self._targets: TargetLayout | None = None

    @property
    def targets(self) -> TargetLayout:
        """The targets' layout (asked of the model once: it is fixed once built)."""
        if self._targets is None:
            self._targets = self.contract.targets()
        return self._targets

    def __call__(self, batch: Batch) -> Batch:
        contract = self.contract
        x = _contiguous(_input_dtype(batch.x, contract))
        for step in self._numeric_steps:
            x = step(x.float(), batch.lengths)[0]
        y = batch.y
        if y is not None:
            targets = self.targets
            y = y.long() if targets.task == "multiclass" and not targets.one_hot else _float(y)
            scaler = contract.target_scaler
            if scaler is not None and scaler.is_adapted:
                y = scaler.transform(y)
            y = _contiguous(y)
        weight = batch.sample_weight
        weight = None if weight is None else weight.float()
        return Batch(x, y, batch.lengths, weight)

    def loader_batch(self, raw: Any) -> Batch:
        """A batch from a user's ``DataLoader``, in the model's layout, made batch-major and
        transformed. The steps must be adapted already: loaders give no chance to adapt on
        the training rows first."""
        batch = as_batch(raw)
        contract = self.contract
        if not contract.batch_first:
            y = batch.y
            if y is not None and y.dim() >= 2 and self.targets.per_step:
                y = y.transpose(0, 1)
            batch = batch._replace(x=batch.x.transpose(0, 1), y=y)
        for step in contract.steps:
            if not is_numeric_step(step):
                raise ConfigError(explain(
                    "DataLoader batches", expected="token ids for a model with a "
                    "TextVectorizer", received="a model whose TextVectorizer cannot run on "
                    "tensors", fix="vectorize texts in your Dataset, or pass the strings to "
                    "model.fit"))
            _require_adapted(step)
        if contract.target_scaler is not None and batch.y is not None:
            _require_adapted(contract.target_scaler)
        return self(batch)


def _input_dtype(x: Tensor, contract: DataContract) -> Tensor:
    if contract.token_ids is not None:
        return x if x.dtype == torch.int64 else x.long()
    return _float(x)


def _float(values: Tensor) -> Tensor:
    return values if values.dtype == torch.float32 else values.float()


def _contiguous(values: Tensor) -> Tensor:
    return values if values.is_contiguous() else values.contiguous()


def _require_adapted(step: Any) -> None:
    if not step.is_adapted:
        raise NotBuiltError(explain(
            "DataLoader batches", expected=f"an adapted {type(step).__name__}",
            received="one never adapted",
            fix="fit once on arrays (which adapts it), or call its adapt() on training data"))
