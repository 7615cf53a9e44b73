"""What a model tells the data pipeline: the only way ``data/`` learns about a model.

``models/`` fills a [`DataContract`][] once per ``fit`` / ``evaluate`` / ``predict`` (and
for a [`SequenceDataModule`][seqkit.data.SequenceDataModule] built with ``model=``); the
pipeline never imports ``models/``. Things that are only known once the model is built
(the targets' layout, whether batches may be trimmed) are callables, asked after the
pipeline has built the model from the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from seqkit.preprocessing.targets import LabelEncoder, TargetScaler

__all__ = ["DataContract", "TargetLayout", "TokenIds", "is_numeric_step"]

Task = Literal["regression", "binary", "multiclass"]


@dataclass(frozen=True)
class TokenIds:
    """The model starts with an ``Embedding``: ``x`` holds integer ids.

    Attributes:
        label: The layer's label, for messages.
        vocab_size: Ids must lie in ``[0, vocab_size)``.
        mask_zero: Id 0 is padding: the pipeline finds each row's length from it.
    """

    label: str
    vocab_size: int
    mask_zero: bool


@dataclass(frozen=True)
class TargetLayout:
    """What the loss expects of ``y``, once the model is built.

    Attributes:
        task: The compiled loss's task, or ``None`` before ``compile``.
        outputs: Size of the output's last axis.
        per_step: The output has a time axis, so targets have one too (time-major like
            ``x`` when ``batch_first=False``).
        one_hot: Targets are one-hot vectors of the output's shape
            (``categorical_crossentropy``), not class ids.
        output_shape: The output's shape after the batch axis (``None`` for a time axis
            of any length); ``None`` when unknown (no shape check).
    """

    task: Task | None
    outputs: int | None
    per_step: bool
    one_hot: bool = False
    output_shape: tuple[int | None, ...] | None = None


@dataclass
class DataContract:
    """A model's side of the data pipeline.

    Attributes:
        batch_first: ``False``: arrays come time-major, ``(time, batch, ...)``.
        steps: Input preprocessing steps, in order (text steps take raw strings, numeric
            steps ``(values, lengths)``; numeric steps keep the shape).
        token_ids: Set when the first layer takes token ids.
        check_input_shape: Raises a clear error for a batch-major input shape the first
            layer cannot take.
        build: Builds the model for a batch-major input shape (``None`` axes may vary);
            ``None`` once the model is built.
        targets: The targets' layout (asked after building).
        trims_batches: Whether batches may be cut after their longest sequence (outputs
            without a time axis; asked after building).
        label_encoder: Encodes non-numeric labels (created by the pipeline when ``fit``
            first sees such labels, then handed to ``keep_label_encoder``).
        target_scaler: Scales regression targets, when the model has one.
        keep_label_encoder: Stores a label encoder the pipeline created.
        orders: Independent sample orders per training step (an ``Ensemble``'s members).
    """

    batch_first: bool
    steps: Sequence[Any]
    token_ids: TokenIds | None
    check_input_shape: Callable[[tuple[int, ...]], None]
    build: Callable[[tuple[int | None, ...]], None] | None
    targets: Callable[[], TargetLayout]
    trims_batches: Callable[[], bool]
    label_encoder: LabelEncoder | None = None
    target_scaler: TargetScaler | None = None
    keep_label_encoder: Callable[[LabelEncoder], None] | None = None
    orders: int = 1

    @property
    def text_input(self) -> bool:
        """Whether ``x`` is raw text (the first step vectorizes strings)."""
        return bool(self.steps) and not is_numeric_step(self.steps[0])

    @property
    def numeric_steps(self) -> list[Any]:
        """The steps that run per batch on tensors (after any text step)."""
        return [step for step in self.steps if is_numeric_step(step)]

    @property
    def fixed_length(self) -> bool:
        """Whether a step pads every row to a fixed length (``output_sequence_length``)."""
        return any(getattr(step, "output_sequence_length", None) is not None
                   for step in self.steps)


def is_numeric_step(step: Any) -> bool:
    """Whether a preprocessing step takes tensors (text steps take raw strings and have a
    vocabulary)."""
    return not hasattr(step, "vocabulary")
