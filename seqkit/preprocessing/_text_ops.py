"""Pure text operations behind [`TextVectorizer`][seqkit.preprocessing.TextVectorizer].

Each function does one step, on whole batches where it can, with the per-token work left
to C (``str.translate``, ``str.split``, ``dict.get`` through ``map``):

* `punctuation_table`, `strip_punctuation`, `standardize_batch`: the
  default standardization, batched.
* `add_ngrams`: 2..n-grams appended to a token list, as Keras does.
* `vocabulary_from_counts`: counts to an ordered, capped vocabulary.
* `pad_ids`: flat ids and lengths to a right-padded ``(batch, time)`` tensor.

Examples:
    >>> from collections import Counter
    >>> tokens = strip_punctuation("Hello, world! Hello...").split()
    >>> tokens
    ['Hello', 'world', 'Hello']
    >>> vocabulary_from_counts(Counter(tokens), max_tokens=None)
    ['', '[UNK]', 'Hello', 'world']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "OOV_TOKEN",
    "PAD_TOKEN",
    "RESERVED_TOKENS",
    "add_ngrams",
    "pad_ids",
    "punctuation_table",
    "split_words",
    "standardize_batch",
    "strip_punctuation",
    "vocabulary_from_counts",
]

PAD_TOKEN = ""
"""The padding token, always id 0."""
OOV_TOKEN = "[UNK]"
"""The out-of-vocabulary token, always id 1."""
RESERVED_TOKENS = (PAD_TOKEN, OOV_TOKEN)
"""The tokens every vocabulary starts with, in order."""

# ASCII symbols outside Unicode's punctuation categories that Keras's default strip regex
# (r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']') also removes; kept for parity with Keras.
_KERAS_ASCII_SYMBOLS = "$+<=>^`|~"
# Every code point of a punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po) lies in the Basic
# Multilingual Plane or the Supplementary Multilingual Plane; planes 2-16 hold ideographs,
# tags and private use only, so scanning them (8x the work) would find nothing.
_PUNCTUATION_SCAN_END = 0x20000


@functools.cache
def punctuation_table() -> dict[int, None]:
    """The ``str.translate`` table that deletes punctuation.

    Deletes every character of a Unicode punctuation category (``P*``: dashes, brackets,
    quotes, ``¿``, ``。``, ...) plus the ASCII symbols Keras's default standardization also
    strips (``$ + < = > ^ ` | ~``). Built once per process (about 20 ms).

    Returns:
        A mapping from code point to ``None``.

    Examples:
        >>> table = punctuation_table()
        >>> "«¿Qué tal?», dijo — 5+5=10 $".translate(table)
        'Qué tal dijo  5510 '
    """
    codes = [
        code
        for code in range(_PUNCTUATION_SCAN_END)
        if unicodedata.category(chr(code)).startswith("P")
    ]
    codes.extend(map(ord, _KERAS_ASCII_SYMBOLS))
    return dict.fromkeys(sorted(codes))


@functools.cache
def _latin1_punctuation() -> bytes:
    """The punctuation code points below 256, as the ``delete`` argument of bytes.translate."""
    return bytes(code for code in punctuation_table() if code < 256)


@functools.cache
def _punctuation_mask() -> np.ndarray:
    """A boolean per code point (0..0x10FFFF): is it deleted by `strip_punctuation`."""
    mask = np.zeros(0x110000, dtype=bool)
    mask[list(punctuation_table())] = True
    return mask


def strip_punctuation(text: str) -> str:
    """Removes the characters of `punctuation_table` from ``text``.

    Same result as ``text.translate(punctuation_table())``, but fast for any text:
    ``str.translate`` is fast only on pure-ASCII strings (about 10x slower per character
    otherwise), so Latin-1 text goes through ``bytes.translate`` and wider text through a
    ``numpy`` mask over its code points.

    Examples:
        >>> strip_punctuation("Don't stop—it's (almost) done!")
        'Dont stopits almost done'
        >>> strip_punctuation("«Ça va?» — «Ça va!»")
        'Ça va  Ça va'
    """
    try:
        encoded = text.encode("latin-1")
    except UnicodeEncodeError:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        kept = codes[~_punctuation_mask()[codes]]
        return kept.tobytes().decode("utf-32-le", "surrogatepass")
    return encoded.translate(None, _latin1_punctuation()).decode("latin-1")


# Control characters (not cased, not case-ignorable, not punctuation): joining texts with
# one of them and splitting after ``str.lower``/``strip_punctuation`` gives back each text's
# own result, since lower-casing (final sigma included) never looks across them.
_SEPARATORS = ("\x00", "\x01", "\x02", "\x03")


def standardize_batch(texts: list[str], *, lower: bool, strip: bool) -> list[str]:
    """Lower-cases and/or strips punctuation from every text, in a few passes per batch.

    The texts are joined with a separator character they do not contain, processed as one
    string, and split again: a handful of C passes instead of several calls per text.

    Args:
        texts: The texts.
        lower: Apply ``str.lower``.
        strip: Apply `strip_punctuation`.

    Returns:
        The standardized texts, in order.

    Examples:
        >>> standardize_batch(["Hello, World!", "", "ÉTÉ…"], lower=True, strip=True)
        ['hello world', '', 'été']
    """
    if not texts:
        return []
    joined = None
    for separator in _SEPARATORS:
        joined = separator.join(texts)
        if joined.count(separator) == len(texts) - 1:
            break
    else:  # every separator occurs in some text: process the texts one by one
        return [_standardize_one(text, lower=lower, strip=strip) for text in texts]
    return _standardize_one(joined, lower=lower, strip=strip).split(separator)


def _standardize_one(text: str, *, lower: bool, strip: bool) -> str:
    if lower:
        text = text.lower()
    return strip_punctuation(text) if strip else text


def add_ngrams(tokens: list[str], ngrams: int) -> list[str]:
    """Appends the 2-grams, 3-grams, ..., ``ngrams``-grams of ``tokens``, joined by a space.

    The result holds every 1-gram, then every 2-gram, and so on, each width in text order
    (as ``tf.strings.ngrams`` orders them for Keras's ``TextVectorization``).

    Args:
        tokens: The tokens of one text.
        ngrams: The largest n-gram width; 1 returns the tokens unchanged.

    Returns:
        A new list.

    Examples:
        >>> add_ngrams(["the", "quick", "fox"], 3)
        ['the', 'quick', 'fox', 'the quick', 'quick fox', 'the quick fox']
    """
    result = list(tokens)
    for width in range(2, ngrams + 1):
        # The shifted copies have unequal lengths on purpose: zip stops at the last full gram.
        shifted = [tokens[start:] for start in range(width)]
        result.extend(map(" ".join, zip(*shifted, strict=False)))
    return result


def vocabulary_from_counts(counts: Counter[str], max_tokens: int | None,
                           min_count: int = 1) -> list[str]:
    """Orders counted tokens into a vocabulary: padding, OOV, then by descending count.

    Ties keep the order of ``counts`` (a ``Counter`` remembers the order tokens were first
    counted, so ties go to the token seen first). The reserved tokens are never counted as
    ordinary tokens, and the result has at most ``max_tokens`` entries, reserved included.

    Args:
        counts: Token counts, in first-seen order.
        max_tokens: Largest vocabulary size including padding and OOV, or ``None``.
        min_count: Tokens counted fewer times are left out.

    Returns:
        ``["", "[UNK]", most frequent, ...]``.

    Examples:
        >>> vocabulary_from_counts(Counter(["b", "a", "c", "a", "[UNK]"]), max_tokens=4)
        ['', '[UNK]', 'a', 'b']
    """
    limit = None if max_tokens is None else max(max_tokens - len(RESERVED_TOKENS), 0)
    # Counter.most_common is a stable sort (heapq.nlargest when limited): ties keep order.
    # Ask for len(RESERVED_TOKENS) extra, since reserved tokens counted in the corpus are
    # dropped afterwards (cheaper than copying a large Counter without them).
    wanted = None if limit is None else limit + len(RESERVED_TOKENS)
    ranked = [token for token, count in counts.most_common(wanted)
              if token not in RESERVED_TOKENS and count >= min_count]
    return [*RESERVED_TOKENS, *ranked[:limit]]


# URLs (without trailing punctuation), @mentions / #hashtags, numbers with inner . , : / -,
# words of letters and digits (an inner apostrophe kept: "don't"), then single ! ? and emoji /
# pictographs; any other character separates tokens.
_WORDS = re.compile(
    r"(?:https?://|www\.)\S*[^\s.,;:!?)\]'\"]"
    r"|[@#][^\W_]\w*"
    r"|\d+(?:[.,:/-]\d+)+"
    r"|[^\W_]+(?:['\u2019][^\W_]+)*"
    r"|[!?]"
    r"|[\u2190-\u2bff\U0001f000-\U0001faff]")


def split_words(text: str) -> list[str]:
    """The tokens of ``text`` that carry signal, in order: URLs, ``@mentions``,
    ``#hashtags``, numbers (``4.99``, ``10:30``), words (``don't`` stays one word), each
    ``!`` and ``?``, and each emoji or pictograph; other punctuation is dropped.

    Examples:
        >>> split_words("Loved it!! $4.99 at www.shop.com, don't miss :) #yum 😀")
        ['Loved', 'it', '!', '!', '4.99', 'at', 'www.shop.com', "don't", 'miss', '#yum', '😀']
    """
    return _WORDS.findall(text)


def pad_ids(flat_ids: np.ndarray, lengths: Sequence[int], width: int) -> Tensor:
    """Places each sequence's ids at the start of its row in a zero-padded tensor.

    Args:
        flat_ids: The ids of all sequences, concatenated (int64).
        lengths: The length of each sequence; each at most ``width``; they sum to
            ``len(flat_ids)``.
        width: The time axis of the result.

    Returns:
        A ``(len(lengths), width)`` int64 tensor, 0 after each sequence's end.

    Examples:
        >>> import numpy as np
        >>> pad_ids(np.array([5, 6, 7, 8]), [3, 0, 1], 4)
        tensor([[5, 6, 7, 0],
                [0, 0, 0, 0],
                [8, 0, 0, 0]])
    """
    lengths_array = np.asarray(lengths, dtype=np.int64).reshape(-1)
    padded = np.zeros((lengths_array.shape[0], width), dtype=np.int64)
    # Row-major order of the mask's True cells is exactly the order of the flat ids.
    padded[np.arange(width) < lengths_array[:, None]] = flat_ids
    return torch.from_numpy(padded)
