"""A model's side of the input pipeline: the [`DataContract`][seqkit.data.contract.DataContract]
that ``fit``, ``evaluate``, ``predict``, streams and ``SequenceDataModule(model=...)`` hand
to ``seqkit.data``."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from seqkit.data.contract import DataContract, TargetLayout, TokenIds
from seqkit.data.layout import model_input_shape
from seqkit.errors import ConfigError, explain
from seqkit.layers.embedding import Embedding
from seqkit.preprocessing.targets import LabelEncoder

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["data_contract"]


def data_contract(model: Sequential, labels: Any = None) -> DataContract:
    """What the pipeline needs to know of ``model``; with ``labels``, a preset's pending
    head is first sized from them."""
    if not model.layers:
        raise ConfigError(explain("Sequential", expected="a model with layers",
                                  received="an empty model", fix="add layers first"))
    if labels is not None and model.pending_head is not None:
        model.pending_head.attach(model, labels)
        model.pending_head = None
    first = model.input_layer
    token_ids = (TokenIds(first.label, first.vocab_size, first.mask_zero)
                 if isinstance(first, Embedding) or getattr(first, "reads_token_ids", False)
                 else None)
    # Partials of module functions, not closures: a model holding a contract still pickles.
    return DataContract(
        batch_first=model.batch_first,
        steps=list(model.preprocessing),
        token_ids=token_ids,
        check_input_shape=model.layers[0].check_input_shape,
        build=None if model.built else functools.partial(_build, model),
        targets=functools.partial(target_layout, model),
        trims_batches=model.trims_batches,
        label_encoder=model.label_encoder,
        target_scaler=model.target_scaler,
        keep_label_encoder=functools.partial(_keep_label_encoder, model),
        orders=model.ensemble_members,
    )


def _build(model: Sequential, shape: tuple[int | None, ...]) -> None:
    model.build(model_input_shape(shape, model.batch_first))


def _keep_label_encoder(model: Sequential, encoder: LabelEncoder) -> None:
    model.label_encoder = encoder


def target_layout(model: Sequential) -> TargetLayout:
    """What the compiled loss expects of the targets of the built ``model``."""
    spec = None if model.compile_settings is None else model.compile_settings.loss_spec()
    shape = model.output_shape
    return TargetLayout(task=None if spec is None else spec.task, outputs=shape[-1],
                        per_step=len(shape) >= 3, one_hot=spec is not None and spec.one_hot,
                        output_shape=tuple(shape[1:]))
