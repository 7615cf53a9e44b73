"""``Embedding``: token ids to vectors, with Keras's mask of id 0 (``mask_zero``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from seqkit._checks import boolean, positive_int
from seqkit.errors import InputError, InputTypeError, explain
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer, initialize
from seqkit.layers.masks import reduce_mask, step_mask
from seqkit.layers.state import RecurrentState

__all__ = ["Embedding", "lengths_from_padding"]


def lengths_from_padding(ids: Tensor) -> Tensor:
    """The position after each row's last non-zero id: the length of right-padded ids, and
    for any ids the steps a batch needs (``Embedding(mask_zero=True)`` masks every 0 id:
    left padding and zeros inside a row too).

    Examples:
        >>> import torch
        >>> lengths_from_padding(torch.tensor([[5, 2, 0, 0], [1, 0, 3, 0], [0, 0, 0, 0]]))
        tensor([2, 3, 0])
    """
    positions = torch.arange(1, ids.shape[1] + 1, device=ids.device)
    return ((ids != 0) * positions).amax(dim=1).to(torch.int64)


@register
class Embedding(Layer):
    """Maps integer ids ``(batch, time)`` to vectors ``(batch, time, output_dim)``.

    Args:
        vocab_size: Number of ids (largest id + 1).
        output_dim: Size of each vector.
        mask_zero: Keras's mask: every step whose id is 0 is masked, wherever it is (right
            or left padding, or inside a row). Recurrent layers skip masked steps (the
            state carries over them), pooling, per-step losses and metrics ignore them (see
            [`seqkit.layers.masks`][]), and the vector for id 0 stays zero.
        embeddings_initializer: Initialiser of the vectors, a name from
            [`INITIALIZERS`][seqkit.layers.initializers.INITIALIZERS] or a callable (see
            [`seqkit.layers.initializers`][]); Keras's ``"uniform"`` (U(-0.05, 0.05)) by
            default, ``"torch"`` for ``nn.Embedding``'s N(0, 1). With small starting
            vectors training can move the vectors of rare tokens far from where they
            started, which matters on small text data sets: on the quotations benchmark
            (``benchmarks/text_classification_quotes.py``, validation rows, one seed) a
            max-pooled BiLSTM reached macro-F1 0.58 after 10 epochs with ``"uniform"``
            and 0.46 with torch's N(0, 1).
        weights: Starting vectors, a ``(vocab_size, output_dim)`` matrix (numpy, tensor or
            Keras's ``[matrix]``), e.g. pretrained word vectors (see
            [`load_word_vectors`][seqkit.preprocessing.load_word_vectors]); they replace
            the initialiser's values (the row of id 0 still becomes zero with
            ``mask_zero``). The config holds ``None``: the saved weights hold the vectors.
        trainable: ``False`` freezes the vectors (training leaves them as they are).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> out = sk.Embedding(10, 4, mask_zero=True)(torch.tensor([[3, 4, 0], [5, 0, 0]]))
        >>> tuple(out.values.shape), out.lengths.tolist()
        ((2, 3, 4), [2, 1])
        >>> sk.Embedding(10, 4, mask_zero=True)(torch.tensor([[0, 3, 4]])).lengths.tolist()
        [[False, True, True]]
        >>> keras_like = sk.Embedding(10, 4)  # Keras's U(-0.05, 0.05)
        >>> float(keras_like(torch.tensor([[1, 2]])).values.detach().abs().max()) <= 0.05
        True
        >>> frozen = sk.Embedding(3, 2, weights=[[0, 0], [1, 2], [3, 4]], trainable=False)
        >>> frozen(torch.tensor([[2]])).values.tolist()
        [[[3.0, 4.0]]]
    """

    input_ranks = (2,)
    checks_features = False

    def __init__(
        self,
        vocab_size: int,
        output_dim: int,
        *,
        mask_zero: bool = False,
        embeddings_initializer: Initializer = "uniform",
        weights: Any = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.vocab_size = positive_int(vocab_size, "vocab_size", "Embedding")
        self.output_dim = positive_int(output_dim, "output_dim", "Embedding")
        check_parameter_count("Embedding", self.vocab_size * self.output_dim,
                              f"vocab_size={vocab_size}, output_dim={output_dim}")
        self.mask_zero = boolean(mask_zero, "mask_zero", "Embedding")
        self.embeddings_initializer = check_initializer(
            embeddings_initializer, "embeddings_initializer", "Embedding")
        self.trainable = boolean(trainable, "trainable", "Embedding")
        self.initial_weights = None if weights is None else self._check_weights(weights)
        self.embedding: nn.Embedding | None = None

    def _check_weights(self, weights: Any) -> np.ndarray:
        if isinstance(weights, list | tuple) and len(weights) == 1:
            weights = weights[0]  # Keras's weights=[matrix]
        if isinstance(weights, Tensor):
            weights = weights.detach().cpu().numpy()
        try:
            matrix = np.asarray(weights, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise InputTypeError(explain("Embedding weights", expected="a numeric matrix",
                                         received=type(weights).__name__)) from error
        expected = (self.vocab_size, self.output_dim)
        if matrix.shape != expected:
            raise InputError(explain(
                "Embedding weights", expected=f"shape (vocab_size, output_dim) = {expected}",
                received=f"shape {matrix.shape}",
                fix="pass one row of output_dim values per token id"))
        if not np.isfinite(matrix).all():
            raise InputError(explain("Embedding weights", expected="finite values",
                                     received="nan or inf"))
        return matrix

    def set_initial_weights(self, weights: Any, vocab_size: int | None = None) -> None:
        """Sets the starting vectors (and the vocabulary size) before the layer is built
        (a preset fills them from pretrained word vectors once its vocabulary is known)."""
        if vocab_size is not None:
            self.vocab_size = positive_int(vocab_size, "vocab_size", "Embedding")
        self.initial_weights = self._check_weights(weights)

    def get_config(self) -> dict[str, Any]:
        return {"vocab_size": self.vocab_size, "output_dim": self.output_dim,
                "mask_zero": self.mask_zero,
                "embeddings_initializer": self.embeddings_initializer,
                "weights": None,  # the starting matrix lives in the weights, not the config
                "trainable": self.trainable, "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        padding_idx = 0 if self.mask_zero else None
        self.embedding = nn.Embedding(self.vocab_size, self.output_dim, padding_idx=padding_idx)
        weight = self.embedding.weight  # Keras's layout too: (vocab_size, output_dim)
        initialize(self.embeddings_initializer, weight, tuple(weight.shape))
        if self.initial_weights is not None:
            if self.initial_weights.shape != tuple(weight.shape):
                self.initial_weights = self._check_weights(self.initial_weights)
            with torch.no_grad():
                weight.copy_(torch.from_numpy(self.initial_weights))
            self.initial_weights = None  # the weights hold them now
        weight.requires_grad_(self.trainable)
        if padding_idx is not None:
            with torch.no_grad():
                weight[padding_idx].zero_()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape, self.output_dim)

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.embedding is not None
        if values.dtype.is_floating_point or values.dtype == torch.bool:
            raise InputTypeError(
                explain(f"{self.label} input", expected="integer token ids",
                        received=f"dtype {values.dtype}",
                        fix="convert ids with x.astype('int64') / x.long()")
            )
        if self.mask_zero:
            mask = values != 0
            if lengths is not None:
                mask &= step_mask(lengths.to(values.device), values.shape[1])
            lengths = reduce_mask(mask)
        return LayerOutput(self.embedding(values), lengths, state)
