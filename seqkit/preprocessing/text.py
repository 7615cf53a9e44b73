"""``TextVectorizer``: raw strings to padded token ids and lengths, on the host.

Modelled on Keras's ``TextVectorization`` with ``output_mode="int"``: standardize each text,
split it into tokens, optionally add n-grams, and look every token up in a vocabulary learnt
by [`TextVectorizer.adapt`][seqkit.preprocessing.TextVectorizer.adapt] (or given). Id 0 is
padding (``""``), id 1 is the out-of-vocabulary token (``"[UNK]"``), then tokens follow by
descending frequency.

The work per token stays in C (the batch joined and lower-cased at once, punctuation deleted
by ``bytes.translate`` or a ``numpy`` mask, ``str.split`` mapped over the texts, ``dict.get``
mapped over the tokens, one ``numpy`` fill), so the default settings tokenize millions of
tokens per second; see ``benchmarks/text_vectorizer.py``.

Examples:
    >>> vectorizer = TextVectorizer(output_sequence_length=3)
    >>> vectorizer.adapt(["To be, or not to be."])
    >>> vectorizer.vocabulary
    ['', '[UNK]', 'to', 'be', 'or', 'not']
    >>> vectorizer(["Not to be!", "To go"])
    VectorizedText(ids=tensor([[5, 2, 3],
            [2, 1, 0]]), lengths=tensor([3, 2]))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice, repeat
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from seqkit._checks import positive_int
from seqkit.errors import ConfigError, NotBuiltError, explain
from seqkit.preprocessing._text_checks import (
    check_batch_of_texts,
    check_mode,
    check_tokens_seen,
    checked_vocabulary,
    describe_callable,
    raise_not_text,
    token_list,
)
from seqkit.preprocessing._text_ops import (
    RESERVED_TOKENS,
    pad_ids,
    vocabulary_from_counts,
)
from seqkit.preprocessing._tokenize import tokenize_batch
from seqkit.preprocessing.base import register_preprocessor

__all__ = ["SPLIT_MODES", "STANDARDIZE_MODES", "TextVectorizer", "VectorizedText"]

STANDARDIZE_MODES = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
"""The named standardizations (``None`` and a callable are also accepted)."""
SPLIT_MODES = ("whitespace", "character", "words")
"""The named splits (``None`` and a callable are also accepted)."""

_CHUNK = 4096  # texts tokenized at a time by ``adapt``, so generators stream
_MIN_MAX_TOKENS = len(RESERVED_TOKENS) + 1


class VectorizedText(NamedTuple):
    """What a [`TextVectorizer`][] call returns; unpacks as ``ids, lengths = ...``."""

    ids: Tensor
    """``(batch, time)`` int64 token ids, right-padded with 0."""
    lengths: Tensor
    """``(batch,)`` int64 number of valid ids in each row."""


@register_preprocessor
class TextVectorizer:
    """Turns a batch of strings into right-padded token ids and their lengths.

    A text is standardized, split into tokens, extended with n-grams (if asked), and each
    token is mapped to its id; unknown tokens map to 1 (``"[UNK]"``) and padding is 0
    (``""``). The vocabulary comes from [`adapt`][] (or ``vocabulary=`` /
    [`set_vocabulary`][]): the reserved tokens, then tokens by descending count. **Ties
    go to the token counted first**: tokens are counted in corpus order, text by text, and
    within a text its 1-grams in order, then its 2-grams, and so on, so the result is
    deterministic and does not depend on hashing.

    Args:
        max_tokens: Largest vocabulary size, padding and OOV included (at least 3); the
            least frequent tokens beyond it are left out (they map to OOV). ``None``: no cap.
        standardize: ``"lower_and_strip_punctuation"`` (lower-case, then delete every
            Unicode punctuation character and the ASCII symbols ``$+<=>^`|~``, as Keras
            does), ``"lower"``, ``"strip_punctuation"``, ``None`` (keep the text), or a
            callable ``str -> str``.
        split: ``"whitespace"`` (``str.split()``: runs of Unicode whitespace, no empty
            tokens), ``"words"`` (URLs, ``@mentions``, ``#hashtags``, numbers, words, each
            ``!`` and ``?`` and each emoji; other punctuation dropped: see
            ``split_words``), ``"character"`` (every character, spaces included), ``None``
            (the whole standardized text is one token; an empty text has none), or a callable
            ``str -> list[str]`` (empty tokens it returns are dropped).
        ngrams: ``None``, or the largest n-gram width ``n``: each text's tokens are followed
            by its 2-grams, ..., ``n``-grams, joined by a space (Keras's order).
        output_sequence_length: Pad or truncate every row to this many ids (lengths become
            ``min(tokens, output_sequence_length)``). ``None``: pad to the longest text of
            each batch.
        vocabulary: A vocabulary to use instead of [`adapt`][], with or without the
            leading ``["", "[UNK]"]``; see [`set_vocabulary`][].
        name: Name inside a model (a Python identifier), or ``None``.
        min_count: Tokens seen fewer times by [`adapt`][] are left out (they map to OOV).

    Examples:
        >>> from seqkit.preprocessing import TextVectorizer
        >>> vectorizer = TextVectorizer(max_tokens=5)
        >>> vectorizer.adapt(["The cat sat.", "The dog sat!", "A cat?"])
        >>> vectorizer.vocabulary
        ['', '[UNK]', 'the', 'cat', 'sat']
        >>> ids, lengths = vectorizer(["the CAT ran", "", "Sat"])
        >>> ids
        tensor([[2, 3, 1],
                [0, 0, 0],
                [4, 0, 0]])
        >>> lengths
        tensor([3, 0, 1])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | Callable[[str], str] | None = "lower_and_strip_punctuation",
        split: str | Callable[[str], list[str]] | None = "whitespace",
        ngrams: int | None = None,
        output_sequence_length: int | None = None,
        vocabulary: Iterable[str] | None = None,
        name: str | None = None,
        min_count: int = 1,
    ) -> None:
        if name is not None and (not isinstance(name, str) or not name.isidentifier()):
            raise ConfigError(explain("TextVectorizer name",
                                      expected="a Python identifier (letters, digits, underscores)",
                                      received=f"name={name!r}"))
        self.name = name
        if max_tokens is not None:
            positive_int(max_tokens, "max_tokens", self.label)
            if max_tokens < _MIN_MAX_TOKENS:
                raise ConfigError(explain(
                    f"{self.label} max_tokens",
                    expected=f"None or at least {_MIN_MAX_TOKENS} (padding, OOV and one token)",
                    received=f"max_tokens={max_tokens!r}"))
        self.max_tokens = max_tokens
        self.min_count = positive_int(min_count, "min_count", self.label)
        # Called with the vocabulary size after each adapt (a preset sizes its embedding).
        self.adapt_listeners: list[Callable[[int], None]] = []
        self.standardize = check_mode(standardize, "standardize", STANDARDIZE_MODES, self.label)
        self.split = check_mode(split, "split", SPLIT_MODES, self.label)
        self.ngrams = None if ngrams is None else positive_int(ngrams, "ngrams", self.label)
        self.output_sequence_length = (
            None if output_sequence_length is None
            else positive_int(output_sequence_length, "output_sequence_length", self.label))
        if self.output_sequence_length is not None:  # every row is padded to it
            # here, not at the top: importing seqkit.layers while seqkit.data loads is a cycle
            from seqkit.layers._sizes import check_sample_size
            check_sample_size(self.label, self.output_sequence_length,
                              f"output_sequence_length={output_sequence_length}", torch.int64)
        self._vocabulary: list[str] | None = None
        self._lookup: dict[str, int] = {}
        self._init_vocabulary = None if vocabulary is None else token_list(vocabulary, self.label)
        if self._init_vocabulary is not None:
            self.set_vocabulary(self._init_vocabulary)

    # -- configuration and state -----------------------------------------------------------
    @property
    def label(self) -> str:
        """``TextVectorizer 'name'`` for messages."""
        return f"TextVectorizer {self.name!r}" if self.name else "TextVectorizer"

    def get_config(self) -> dict[str, Any]:
        """Returns the constructor arguments (JSON-able), so [`from_config`][] rebuilds it.

        The vocabulary learnt by [`adapt`][] is state, not config: see [`get_state`][].

        Raises:
            ConfigError: ``standardize`` or ``split`` is a callable, which cannot be saved.

        Examples:
            >>> TextVectorizer(max_tokens=100, ngrams=2).get_config()["ngrams"]
            2
        """
        for arg in ("standardize", "split"):
            value = getattr(self, arg)
            if callable(value):
                named = ", ".join(repr(mode) for mode in _modes(arg))
                raise ConfigError(explain(
                    f"{self.label} {arg}",
                    expected=f"{named} or None to save the configuration",
                    received=f"{arg}={describe_callable(value)} (a callable cannot be saved)",
                    fix=f"apply it to the texts before the vectorizer and use {arg}=None, or "
                        f"rebuild the vectorizer with the callable and call set_state(...)"))
        return {
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_sequence_length": self.output_sequence_length,
            "vocabulary": None if self._init_vocabulary is None else list(self._init_vocabulary),
            "name": self.name,
            **({"min_count": self.min_count} if self.min_count != 1 else {}),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorizer:
        """Creates a vectorizer from the output of [`get_config`][]."""
        unknown = sorted(set(config) - set(_CONFIG_KEYS))
        if unknown:
            raise ConfigError(explain(
                "TextVectorizer config", expected=f"only the keys {', '.join(_CONFIG_KEYS)}",
                received=f"unknown keys {unknown}",
                fix="pass the output of TextVectorizer.get_config()"))
        return cls(**config)

    def get_state(self) -> dict[str, Any]:
        """Returns the learnt state, JSON-able: ``{"vocabulary": [...] or None}``.

        Examples:
            >>> TextVectorizer(vocabulary=["a", "b"]).get_state()
            {'vocabulary': ['', '[UNK]', 'a', 'b']}
        """
        return {"vocabulary": None if self._vocabulary is None else list(self._vocabulary)}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores the state from [`get_state`][] (``vocabulary: None`` forgets it)."""
        if not isinstance(state, dict) or set(state) != {"vocabulary"}:
            shown = f"keys {sorted(state)}" if isinstance(state, dict) else type(state).__name__
            raise ConfigError(explain(
                f"{self.label} state", expected="a dict with the single key 'vocabulary'",
                received=shown, fix="pass the output of TextVectorizer.get_state()"))
        if state["vocabulary"] is None:
            self._vocabulary, self._lookup = None, {}
        else:
            self.set_vocabulary(state["vocabulary"])

    # -- vocabulary --------------------------------------------------------------------------
    @property
    def is_adapted(self) -> bool:
        """Whether a vocabulary is set (by [`adapt`][], [`set_vocabulary`][] or state)."""
        return self._vocabulary is not None

    @property
    def vocabulary(self) -> list[str]:
        """The vocabulary, by id: ``["", "[UNK]", most frequent, ...]`` (a copy).

        Empty until [`adapt`][] or [`set_vocabulary`][] (it never raises, so
        ``hasattr`` and introspection stay safe; [`vocab_size`][] does raise).
        """
        return [] if self._vocabulary is None else list(self._vocabulary)

    @property
    def vocab_size(self) -> int:
        """Number of ids, padding and OOV included (the ``Embedding``'s ``vocab_size``).

        Raises:
            NotBuiltError: Not adapted yet (a guessed size would build a wrong embedding).
        """
        return len(self._adapted_vocabulary())

    def set_vocabulary(self, vocabulary: Iterable[str]) -> None:
        """Sets the vocabulary instead of learning it.

        Args:
            vocabulary: Distinct tokens in id order. It may start with exactly
                ``["", "[UNK]"]``; otherwise they are put in front. At most ``max_tokens``
                entries in all.

        Raises:
            ConfigError: Duplicates, a reserved token elsewhere, or too many tokens.
            InputTypeError: An entry is not a string.

        Examples:
            >>> vectorizer = TextVectorizer()
            >>> vectorizer.set_vocabulary(["hello", "world"])
            >>> vectorizer(["Hello there"]).ids
            tensor([[2, 1]])
        """
        tokens = token_list(vocabulary, self.label)
        full = checked_vocabulary(tokens, self.max_tokens, self.label)
        lookup = {token: index for index, token in enumerate(full)}
        self._vocabulary, self._lookup = full, lookup

    def adapt(self, texts: Iterable[str]) -> None:
        """Learns the vocabulary from ``texts``, replacing any previous one.

        Args:
            texts: Strings; any iterable, a generator included (read once, in chunks).

        Raises:
            InputTypeError: ``texts`` is a single string, or an entry is not a string.
            InputError: ``texts`` hold no token at all (none, or only empty texts).

        Examples:
            >>> vectorizer = TextVectorizer()
            >>> vectorizer.adapt(text for text in ["b a", "a c"])
            >>> vectorizer.vocabulary
            ['', '[UNK]', 'a', 'b', 'c']
        """
        counts: Counter[str] = Counter()
        for token_lists in self._chunks(texts):
            counts.update(chain.from_iterable(token_lists))
        check_tokens_seen(sum(counts.values()), self.label)
        vocabulary = vocabulary_from_counts(counts, self.max_tokens, self.min_count)
        self._vocabulary = vocabulary
        self._lookup = {token: index for index, token in enumerate(vocabulary)}
        for listener in self.adapt_listeners:
            listener(len(vocabulary))

    # -- tokenizing and calling --------------------------------------------------------------
    def tokenize(self, texts: Iterable[str]) -> list[list[str]]:
        """Standardizes and splits ``texts`` (n-grams included): the tokens ids are made of.

        Examples:
            >>> TextVectorizer(ngrams=2).tokenize(["Hello, big World!"])
            [['hello', 'big', 'world', 'hello big', 'big world']]
        """
        return list(chain.from_iterable(self._chunks(texts)))

    def __call__(self, texts: Iterable[str]) -> VectorizedText:
        """Vectorizes a batch: ``(ids (batch, time), lengths (batch,))``, both int64.

        Raises:
            NotBuiltError: No vocabulary yet.
            InputTypeError: ``texts`` is a single string, or an entry is not a string.
        """
        self._adapted_vocabulary()
        length = self.output_sequence_length
        lengths: list[int] = []
        id_chunks = [np.zeros(0, dtype=np.int64)]
        for chunk in self._chunks(texts):  # ids chunk by chunk: tokens are freed early
            token_lists = list(chunk)
            if length is not None and any(len(tokens) > length for tokens in token_lists):
                token_lists = [tokens[:length] for tokens in token_lists]
            chunk_lengths = list(map(len, token_lists))
            tokens = chain.from_iterable(token_lists)
            id_chunks.append(np.fromiter(map(self._lookup.get, tokens, repeat(1)),
                                         dtype=np.int64, count=sum(chunk_lengths)))
            lengths.extend(chunk_lengths)
        width = length if length is not None else max(lengths, default=0)
        ids = pad_ids(np.concatenate(id_chunks), lengths, width)
        return VectorizedText(ids, ids.new_tensor(lengths).reshape(-1))

    def __repr__(self) -> str:
        size = len(self._vocabulary) if self._vocabulary is not None else "not adapted"
        return (f"TextVectorizer(max_tokens={self.max_tokens}, vocab_size={size}, "
                f"output_sequence_length={self.output_sequence_length}, name={self.name!r})")

    # -- internals ---------------------------------------------------------------------------
    def _adapted_vocabulary(self) -> list[str]:
        if self._vocabulary is None:
            raise NotBuiltError(explain(
                f"{self.label} vocabulary", expected="a vocabulary",
                received="none (the vectorizer was not adapted)",
                fix="call vectorizer.adapt(texts) or vectorizer.set_vocabulary(tokens) first"))
        return self._vocabulary

    def _chunks(self, texts: Iterable[str]) -> Iterator[Iterator[list[str]]]:
        """Tokenizes ``texts`` in chunks of checked strings, streaming any iterable.

        Each chunk's token lists come lazily, so ``adapt`` counts them as they are made
        (holding a whole chunk's lists first measured about 1.5x slower).
        """
        check_batch_of_texts(texts, self.label)
        tokenize_batch = self._tokenize_batch
        iterator = iter(texts)
        offset = 0
        while chunk := list(islice(iterator, _CHUNK)):
            if not all(map(isinstance, chunk, repeat(str))):
                raise_not_text(chunk, offset, self.label)
            yield tokenize_batch(chunk)
            offset += len(chunk)

    def _tokenize_batch(self, texts: list[str]) -> Iterator[list[str]]:
        return tokenize_batch(texts, self.standardize, self.split, self.ngrams, self.label)


_CONFIG_KEYS = ("max_tokens", "standardize", "split", "ngrams", "output_sequence_length",
                "vocabulary", "name", "min_count")


def _modes(arg: str) -> tuple[str, ...]:
    return STANDARDIZE_MODES if arg == "standardize" else SPLIT_MODES
