"""``NGramBag``: a linear model over a text's tokens and hashed n-grams (the wide path).

A bag-of-n-grams classifier in one layer, in the spirit of fastText and of the linear part
of a Wide & Deep model: every token id and every hashed n-gram of consecutive ids has a
weight vector; a text's output is their sum divided by the square root of their number
(long texts do not get larger outputs). Word order enters only through the n-grams.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from seqkit._checks import positive_int
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.masks import step_mask
from seqkit.layers.state import RecurrentState

__all__ = ["NGramBag", "VocabularySized", "hashed_ngrams", "ngram_buckets"]

_PRIME = 1_000_003
_MODULUS = 2_147_483_647  # keeps every intermediate hash far below 2**63
_MAX_BUCKETS = 1 << 20


def ngram_buckets(vocab_size: int, ngrams: int) -> int:
    """The default number of hash buckets: twice the vocabulary per n-gram width above 1,
    at most 2**20 (so a small vocabulary gives a small layer).

    Examples:
        >>> ngram_buckets(100, 2), ngram_buckets(100, 1)
        (200, 0)
    """
    return min(2 * vocab_size * (ngrams - 1), _MAX_BUCKETS)


def hashed_ngrams(values: Tensor, lengths: Tensor | None, ngrams: int, vocab_size: int,
                  buckets: int) -> tuple[Tensor, Tensor]:
    """The ids of ``values`` (``(batch, time)``, 0 = padding) followed by the hashed
    2..``ngrams``-grams of consecutive valid ids (``vocab_size + hash % buckets``), with a
    mask of the entries that count (valid steps, n-grams of valid steps only).

    Examples:
        >>> import torch
        >>> index, keep = hashed_ngrams(torch.tensor([[3, 4, 0]]), None, 2, 10, 20)
        >>> index.shape, keep.tolist()
        (torch.Size([1, 5]), [[True, True, False, True, False]])
    """
    valid = values != 0
    if lengths is not None:
        valid &= step_mask(lengths.to(values.device), values.shape[1])
    ids, masks = [values], [valid]
    steps = values.shape[1]
    for width in range(2, ngrams + 1):
        if steps < width:
            break
        span = steps - width + 1
        key = values[:, :span] % _MODULUS
        ok = valid[:, :span]
        for offset in range(1, width):
            key = (key * _PRIME + values[:, offset:offset + span]) % _MODULUS
            ok = ok & valid[:, offset:offset + span]
        ids.append(vocab_size + key % buckets)
        masks.append(ok)
    return torch.cat(ids, dim=1), torch.cat(masks, dim=1)


class VocabularySized:
    """What the text layers sized by a vocabulary share (``NGramBag``, ``TfidfLinear``):
    their word n-gram buckets and ``resize`` before they are built."""

    vocab_size: int
    ngrams: int
    units: int
    _buckets: int | None
    built: bool
    label: str

    @property
    def buckets(self) -> int:
        """Word n-gram hash buckets in use (0 for ``ngrams=1``)."""
        if self.ngrams == 1:
            return 0
        return ngram_buckets(self.vocab_size, self.ngrams) if self._buckets is None \
            else self._buckets

    def resize(self, vocab_size: int | None = None, units: int | None = None) -> None:
        """Sets the vocabulary size or the output size before the layer is built (a preset
        sizes it from the adapted vocabulary and the labels)."""
        if self.built:
            raise ConfigError(explain(f"{self.label} resize", expected="an unbuilt layer",
                                      received="a built one (its weights exist)",
                                      fix="create a new layer"))
        owner = type(self).__name__
        if vocab_size is not None:
            self.vocab_size = positive_int(vocab_size, "vocab_size", owner)
        if units is not None:
            self.units = positive_int(units, "units", owner)


@register
class NGramBag(VocabularySized, Layer):
    """Token ids ``(batch, time)`` to ``(batch, units)``: a linear model over the ids and
    the hashed 2..``ngrams``-grams of consecutive ids.

    Id 0 is padding (ignored, as are steps past each row's length or outside its mask).
    Token ``i`` has row ``i`` of the weight table; an n-gram of valid ids hashes into one
    of ``buckets`` rows after them. The output is the sum of the rows of a text's tokens
    and n-grams divided by the square root of their count. Weights start at zero, so the
    layer first outputs zeros (beside a deep path, training starts from the deep model).

    Args:
        units: Output size (e.g. the number of class logits).
        vocab_size: Number of token ids (largest id + 1).
        ngrams: The widest n-gram (1: tokens only).
        buckets: Hash buckets for the n-grams; ``None``: [`ngram_buckets`][].
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> bag = sk.NGramBag(2, vocab_size=10)
        >>> tuple(bag(torch.tensor([[3, 4, 0], [5, 0, 0]])).values.shape)
        (2, 2)
        >>> bag.buckets
        20
    """

    input_ranks = (2,)
    checks_features = False
    reads_token_ids = True  # the model's input pipeline hands it int64 ids, checked
    mask_zero = True  # id 0 is padding

    def __init__(self, units: int, vocab_size: int, *, ngrams: int = 2,
                 buckets: int | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self.units = positive_int(units, "units", "NGramBag")
        self.vocab_size = positive_int(vocab_size, "vocab_size", "NGramBag")
        self.ngrams = positive_int(ngrams, "ngrams", "NGramBag")
        if buckets is not None and self.ngrams > 1:
            positive_int(buckets, "buckets", "NGramBag")
        self._buckets = buckets
        check_parameter_count("NGramBag", (self.vocab_size + self.buckets) * self.units,
                              f"vocab_size={vocab_size}, buckets={self.buckets}, units={units}")
        self.table: nn.Embedding | None = None

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units, "vocab_size": self.vocab_size, "ngrams": self.ngrams,
                "buckets": self._buckets, "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        self.table = nn.Embedding(self.vocab_size + self.buckets, self.units)
        nn.init.zeros_(self.table.weight)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.units)

    def call(self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
             ) -> LayerOutput:
        assert self.table is not None
        if values.dtype.is_floating_point or values.dtype == torch.bool:
            raise InputTypeError(explain(f"{self.label} input", expected="integer token ids",
                                         received=f"dtype {values.dtype}",
                                         fix="convert ids with x.astype('int64') / x.long()"))
        index, keep = hashed_ngrams(values, lengths, self.ngrams, self.vocab_size, self.buckets)
        index = torch.where(keep, index, torch.zeros_like(index))
        rows = self.table(index) * keep.unsqueeze(-1).to(self.table.weight.dtype)
        count = keep.sum(dim=1, keepdim=True).clamp(min=1).to(rows.dtype)
        return LayerOutput(rows.sum(dim=1) / count.sqrt(), None, state)
