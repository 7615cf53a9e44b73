"""Logistic regression fitted to convergence: how a
[`TfidfLinear`][seqkit.TfidfLinear] wide path gets its weights.

A linear model trained for a few epochs by Adam beside a recurrent network stops far
from its optimum; scikit-learn's ``LogisticRegression`` does not. ``fit_tfidf_linear``
does what it does, on the token ids a model's input pipeline makes: document frequencies
from the training rows, then multinomial logistic regression with an L2 penalty by
L-BFGS, with its strength ``C`` chosen on the validation rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import torch
from torch import Tensor

from seqkit.layers.tfidf_linear import TermCounts, TfidfLinear

__all__ = ["C_GRID", "WideFitReport", "fit_logistic", "fit_tfidf_linear"]

C_GRID = (0.25, 1.0, 4.0, 16.0, 64.0)
"""Inverse penalty strengths tried (scikit-learn's ``C``: the penalty is
``|W|^2 / (2 C n)`` beside the mean loss of ``n`` rows)."""


@dataclass
class _TextRows:
    """Token-id batches gathered into one sparse term-count matrix, with the labels."""

    counts: list[TermCounts] = field(default_factory=list)
    labels: list[Tensor] = field(default_factory=list)
    rows: int = 0

    def add(self, counts: TermCounts, labels: Tensor) -> None:
        self.counts.append(TermCounts(counts.row + self.rows, counts.feature, counts.count))
        self.labels.append(labels.reshape(-1).long())
        self.rows += labels.numel()

    def joined(self) -> tuple[TermCounts, Tensor]:
        return (TermCounts(*(torch.cat([c[i] for c in self.counts]) for i in range(3))),
                torch.cat(self.labels))


@dataclass
class WideFitReport:
    """What [`fit_tfidf_linear`][] chose, and how the chosen fit scored on validation
    (``tried``: the validation loss of each feature set and ``C``)."""

    C: float
    val_loss: float | None = None
    tried: dict[str, float] = field(default_factory=dict)
    class_prior: list[float] = field(default_factory=list)  # training share of each class
    prior_correction: float = 0.0  # set by the preset after training
    features: str = "words+characters"  # or "words": the character n-grams' weights stay 0


def fit_logistic(features: Tensor, labels: Tensor, classes: int, c: float,
                 start: tuple[Tensor, Tensor] | None = None, max_iter: int = 300
                 ) -> tuple[Tensor, Tensor]:
    """``(weight (features, classes), bias (classes,))`` of multinomial logistic regression
    on a sparse ``(rows, features)`` matrix, as scikit-learn's ``LogisticRegression(C=c)``
    (L-BFGS from ``start`` or zeros).

    Examples:
        >>> import torch
        >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).to_sparse()
        >>> weight, bias = fit_logistic(x, torch.tensor([0, 1]), 2, c=10.0)
        >>> (x @ weight + bias).argmax(1).tolist()
        [0, 1]
    """
    rows, width = features.shape
    weight = torch.zeros(width, classes, device=labels.device, requires_grad=True)
    bias = torch.zeros(classes, device=labels.device, requires_grad=True)
    if start is not None:
        with torch.no_grad():
            weight.copy_(start[0])
            bias.copy_(start[1])
    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=max_iter,
                                  history_size=20, line_search_fn="strong_wolfe",
                                  tolerance_grad=1e-6, tolerance_change=1e-10)

    def closure() -> Tensor:
        optimizer.zero_grad()
        logits = torch.sparse.mm(features, weight) + bias
        loss = torch.nn.functional.cross_entropy(logits, labels)
        total = loss + (weight * weight).sum() / (2 * c * rows)
        total.backward()
        return total

    with torch.enable_grad():
        optimizer.step(closure)
    return weight.detach(), bias.detach()


def fit_tfidf_linear(layer: TfidfLinear, train: Iterable[tuple[Tensor, Tensor | None, Tensor]],
                     validation: Iterable[tuple[Tensor, Tensor | None, Tensor]] | None = None,
                     default_c: float = 4.0) -> WideFitReport:
    """Sets ``layer``'s document frequencies from ``train`` and its weights by
    [`fit_logistic`][] for each ``C`` of [`C_GRID`][], on the words (and word n-grams)
    alone and with the character n-grams, keeping the fit with the lowest validation loss
    (all features and ``default_c`` without validation rows).

    Args:
        layer: A built ``TfidfLinear`` whose ``units`` are the classes.
        train: ``(token_ids, lengths, labels)`` batches (labels: class indices).
        validation: The same for the validation rows, or ``None``.
        default_c: ``C`` without validation rows.

    Returns:
        The choice and its validation scores.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.TfidfLinear(2, vocab_size=6, ngrams=1, char_ngrams=None)
        >>> layer.build((None, None))
        >>> ids = torch.tensor([[2, 3], [4, 5], [2, 2], [5, 4]])
        >>> report = fit_tfidf_linear(layer, [(ids, None, torch.tensor([1, 0, 1, 0]))])
        >>> report.C, layer(torch.tensor([[2], [5]])).values.argmax(1).tolist()
        (4.0, [1, 0])
    """
    train_rows = _gather(layer, train)
    counts, labels = train_rows.joined()
    rows, width = train_rows.rows, layer.features
    frequency = torch.bincount(counts.feature, minlength=width).to(torch.float32)
    idf = torch.log((1 + rows) / (1 + frequency)) + 1  # scikit-learn's smooth_idf
    x = _matrix(layer, counts, rows, idf)
    held_out = None if validation is None else _gather(layer, validation)
    if held_out is None or held_out.rows == 0:
        weight, bias = fit_logistic(x, labels, layer.units, default_c)
        chosen = WideFitReport(default_c)
    else:
        val_counts, val_labels = held_out.joined()
        val_x = _matrix(layer, val_counts, held_out.rows, idf)
        fits: dict[tuple[str, float], tuple[float, tuple[Tensor, Tensor]]] = {}
        for blocks in _feature_sets(layer):
            train_x, held_x = _only(x, blocks, layer), _only(val_x, blocks, layer)
            start = None
            for c in C_GRID:  # warm starts: each C starts from the previous optimum
                start = fit_logistic(train_x, labels, layer.units, c, start)
                logits = torch.sparse.mm(held_x, start[0]) + start[1]
                loss = float(torch.nn.functional.cross_entropy(logits, val_labels))
                fits[blocks, c] = loss, start
        best = min(fits, key=lambda key: fits[key][0])
        weight, bias = fits[best][1]
        chosen = WideFitReport(best[1], fits[best][0],
                               {f"{blocks} C={c:g}": fits[blocks, c][0]
                                for blocks, c in fits}, features=best[0])
    chosen.class_prior = (torch.bincount(labels, minlength=layer.units) / rows).tolist()
    with torch.no_grad():
        layer.idf.copy_(idf)
        layer.weight.copy_(weight.to(layer.weight.dtype))
        layer.bias.copy_(bias.to(layer.bias.dtype))
    return chosen


def _feature_sets(layer: TfidfLinear) -> tuple[str, ...]:
    # character n-grams help short, noisy texts and can hurt long ones: validation decides
    return ("words", "words+characters") if layer.char_buckets else ("words",)


def _only(x: Tensor, blocks: str, layer: TfidfLinear) -> Tensor:
    """``x`` without the character n-gram columns for ``blocks="words"`` (each block is
    normalized on its own, so this is the words-only matrix)."""
    if blocks != "words" or not layer.char_buckets:
        return x
    index, values = x.indices(), x.values()
    keep = index[1] < layer.vocab_size + layer.buckets
    return torch.sparse_coo_tensor(index[:, keep], values[keep], x.shape,
                                   check_invariants=False).coalesce()


def _gather(layer: TfidfLinear, batches: Iterable[tuple[Tensor, Tensor | None, Tensor]]
            ) -> _TextRows:
    gathered = _TextRows()
    with torch.no_grad():
        for values, lengths, labels in batches:
            gathered.add(layer.term_counts(values, lengths), labels)
    return gathered


def _matrix(layer: TfidfLinear, counts: TermCounts, rows: int, idf: Tensor) -> Tensor:
    values = layer.tfidf(counts, rows, idf).to(torch.float32)
    index = torch.stack([counts.row, counts.feature])
    return torch.sparse_coo_tensor(index, values, (rows, layer.features),
                                   check_invariants=False).coalesce()

