"""Pretrained word vectors in [`text_classifier`][seqkit.presets.text_classifier]'s
embedding: the vectors of the adapted vocabulary's tokens, found once the vectorizer
adapts (a path is read then, for that vocabulary only)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqkit.errors import InputTypeError, explain
from seqkit.layers.embedding import Embedding
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.wide_deep import WideAndDeep
from seqkit.preprocessing.word_vectors import WordVectors, load_word_vectors, read_dimension

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["VectorSource", "as_word_vectors", "use_word_vectors"]


@dataclass
class VectorSource:
    """Loaded [`WordVectors`][seqkit.preprocessing.WordVectors] or a file read later."""

    dim: int
    vectors: WordVectors | None = None
    path: str | None = None

    def for_vocabulary(self, vocabulary: list[str]) -> WordVectors:
        if self.vectors is not None:
            return self.vectors
        assert self.path is not None
        return load_word_vectors(self.path, vocabulary)


def as_word_vectors(value: Any) -> VectorSource:
    """``text_classifier(word_vectors=...)``: loaded vectors, or a path (its size read
    now, its vectors when the vocabulary is known)."""
    if isinstance(value, WordVectors):
        return VectorSource(value.dim, vectors=value)
    if isinstance(value, str | PathLike):
        return VectorSource(read_dimension(value), path=str(Path(value)))
    raise InputTypeError(explain(
        "text_classifier word_vectors", expected="sk.preprocessing.load_word_vectors(path) "
        "or the path of a GloVe / word2vec / fastText text file",
        received=type(value).__name__))


def _embeddings(model: Sequential) -> list[Embedding]:
    found: list[Embedding] = []
    for layer in model.layers:
        firsts = ([member[0] for member in layer.members] if isinstance(layer, Ensemble)
                  else [layer])
        for first in firsts:
            if isinstance(first, WideAndDeep):
                first = first.input_layer
            if isinstance(first, Embedding) and not first.built:
                found.append(first)
    return found


def _fill(model: Sequential, vectorizer: Any, source: VectorSource, vocab_size: int) -> None:
    vocabulary = vectorizer.vocabulary
    vectors = source.for_vocabulary(vocabulary)
    embeddings = _embeddings(model)
    for seed, embedding in enumerate(embeddings):
        matrix, _found = vectors.matrix(vocabulary, seed=seed)
        embedding.set_initial_weights(matrix, vocab_size=vocab_size)
    tokens = len(vocabulary) - 2
    missing = [t for t in vocabulary[2:] if t not in vectors and t.lower() not in vectors]
    model.word_vectors_report = {  # type: ignore[attr-defined]
        "tokens": tokens, "found": tokens - len(missing),
        "fraction": (tokens - len(missing)) / tokens if tokens else 0.0,
        "missing_examples": missing[:10]}


def use_word_vectors(model: Sequential, vectorizer: Any, source: VectorSource) -> None:
    """Fills the embedding from ``source`` whenever ``vectorizer`` adapts; the counts land
    in ``model.word_vectors_report``: ``{"tokens", "found", "fraction",
    "missing_examples"}``."""
    vectorizer.adapt_listeners.append(functools.partial(_fill, model, vectorizer, source))
