"""Pretrained word vectors from a local text file: GloVe, word2vec (text) and fastText
``.vec``.

All three are one word and its numbers per line, separated by spaces; word2vec and
fastText files start with a header line ``<count> <dimension>``, GloVe files do not (the
header is recognised by its two integers). The file is read line by line: with
``vocabulary=`` only the vectors of those words are kept, so memory stays bounded by the
vocabulary, not by the file.

Examples:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vectors.txt"
    >>> _ = path.write_text("good 0.1 0.2\\nbad -0.1 0.3\\nfilm 0.5 0.5\\n")
    >>> vectors = load_word_vectors(path, vocabulary=["good", "film", "plot"])
    >>> vectors.dim, vectors.words
    (2, ['good', 'film'])
    >>> matrix, found = vectors.matrix(["", "[UNK]", "good", "plot"])
    >>> found, matrix.shape
    (1, (4, 2))
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from seqkit.errors import InputError, explain
from seqkit.preprocessing._text_ops import RESERVED_TOKENS

__all__ = ["WordVectors", "load_word_vectors", "read_dimension"]


@dataclass
class WordVectors:
    """Word vectors by word: ``words[i]`` has ``vectors[i]`` (float32, ``(n, dim)``).

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> vectors = sk.preprocessing.WordVectors(["good", "film"],
        ...                                        np.eye(2, 3, dtype="float32"))
        >>> vectors.dim, len(vectors), "film" in vectors
        (3, 2, True)
    """

    words: list[str]
    vectors: np.ndarray
    path: str = ""
    index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {word: i for i, word in enumerate(self.words)}

    @property
    def dim(self) -> int:
        """The size of each vector."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def matrix(self, vocabulary: Iterable[str], *, scale: float = 0.05, seed: int = 0
               ) -> tuple[np.ndarray, int]:
        """An embedding matrix for ``vocabulary`` (id order): a token's vector where the
        file has it (or its lower-case form), ``U(-scale, scale)`` elsewhere, zeros for
        padding (``""``).

        Returns:
            ``(matrix (len(vocabulary), dim) float32, tokens found)``; the reserved
            tokens are not counted.
        """
        tokens = list(vocabulary)
        rng = np.random.default_rng(seed)
        matrix = rng.uniform(-scale, scale, (len(tokens), self.dim)).astype(np.float32)
        found = 0
        for row, token in enumerate(tokens):
            if token == RESERVED_TOKENS[0]:
                matrix[row] = 0.0
                continue
            hit = self.index.get(token, self.index.get(token.lower()))
            if hit is not None and token not in RESERVED_TOKENS:
                matrix[row] = self.vectors[hit]
                found += 1
        return matrix, found


def read_dimension(path: str | PathLike[str]) -> int:
    """The vector size of a word-vector file, from its header or first vector line.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "vectors.vec"
        >>> _ = path.write_text("2 3\\ngood 0.1 0.2 0.3\\nfilm 0.0 0.5 1.0\\n")
        >>> read_dimension(path)
        3
    """
    with _open(path) as handle:
        for line in handle:
            parts = line.rstrip("\n").rstrip().split(" ")
            if _is_header(parts):
                return int(parts[1])
            if len(parts) > 1:
                return len(parts) - 1
    raise InputError(explain(f"word vectors {str(path)!r}", expected="word vector lines",
                             received="an empty file",
                             fix="pass a GloVe / word2vec / fastText text file"))


def load_word_vectors(path: str | PathLike[str], vocabulary: Iterable[str] | None = None,
                      *, max_words: int | None = None) -> WordVectors:
    """Reads a GloVe / word2vec (text) / fastText ``.vec`` file, line by line.

    Args:
        path: The file (UTF-8; a header line ``<count> <dimension>`` is optional).
        vocabulary: Keep only these words (a word also matches through its lower-case
            form), so memory is bounded by the vocabulary; ``None``: every word.
        max_words: Stop after this many vectors are kept (files list frequent words
            first); ``None``: no limit.

    Returns:
        The [`WordVectors`][seqkit.preprocessing.WordVectors]; a word listed twice keeps
        its first vector.

    Raises:
        InputError: A line whose vector has another size than the first (or the
            header's), or a value that is not a finite number, naming the line; a file
            without vectors.
        FileNotFoundError: No such file.

    Examples:
        >>> import pathlib, tempfile, seqkit as sk
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "glove.txt"
        >>> _ = path.write_text("the 0.1 0.2\\ngood 0.3 0.4\\nfilm 0.5 0.6\\n")
        >>> vectors = sk.preprocessing.load_word_vectors(path, vocabulary=["Good", "plot"])
        >>> vectors.words, vectors.dim
        (['Good'], 2)
    """
    wanted = None if vocabulary is None else set(vocabulary)
    lowered = None if wanted is None else {w.lower(): w for w in wanted}
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    dim: int | None = None
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").rstrip().split(" ")
            if number == 1 and _is_header(parts):
                dim = int(parts[1])
                continue
            if len(parts) == 1 and not parts[0]:
                continue  # a blank line
            if dim is None:
                dim = len(parts) - 1
                if dim < 1:
                    _bad_line(path, number, "a word and its numbers", "a word alone")
            if len(parts) - 1 != dim:
                _bad_line(path, number, f"a word and {dim} numbers (as the first line)",
                          f"{len(parts) - 1} numbers")
            word = parts[0]
            if wanted is not None and lowered is not None:
                key = word if word in wanted else lowered.get(word.lower())
                if key is None:
                    continue
                word = key if word not in wanted else word
            if word in seen:
                continue
            rows.append(_numbers(parts[1:], path, number))
            words.append(word)
            seen.add(word)
            if max_words is not None and len(words) >= max_words:
                break
    if dim is None:
        _bad_line(path, 0, "word vector lines", "an empty file")
    vectors = np.stack(rows) if rows else np.zeros((0, dim), dtype=np.float32)
    return WordVectors(words, vectors.astype(np.float32, copy=False), str(path))


def _open(path: str | PathLike[str]):  # type: ignore[no-untyped-def]
    return Path(path).open(encoding="utf-8", errors="replace")


def _is_header(parts: list[str]) -> bool:
    return len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit()


def _numbers(values: list[str], path: str | PathLike[str], number: int) -> np.ndarray:
    try:
        row = np.array([float(value) for value in values], dtype=np.float32)
    except ValueError:
        bad = next(v for v in values if not _is_float(v))
        _bad_line(path, number, "numbers after the word", f"{bad[:20]!r}")
    if not np.isfinite(row).all():
        _bad_line(path, number, "finite numbers", "nan or inf")
    return row


def _is_float(value: str) -> bool:
    try:
        return math.isfinite(float(value)) or True
    except ValueError:
        return False


def _bad_line(path: str | PathLike[str], number: int, expected: str, received: str) -> None:
    where = f"word vectors {str(path)!r}" + (f" line {number}" if number else "")
    raise InputError(explain(where, expected=expected, received=received,
                             fix="pass an intact GloVe / word2vec / fastText text file "
                                 "(one word and the same number of values per line)"))
