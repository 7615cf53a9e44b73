"""Tokenizing a batch of texts by mapping C string methods over it (``TextVectorizer``'s
inner loop): standardize, split, then n-grams."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import repeat

from seqkit.errors import InputTypeError, explain
from seqkit.preprocessing._text_checks import first_non_str, preview, try_list
from seqkit.preprocessing._text_ops import PAD_TOKEN, add_ngrams, split_words, standardize_batch

__all__ = ["tokenize_batch"]

Standardize = str | Callable[[str], str] | None
Split = str | Callable[[str], Iterable[str]] | None


def tokenize_batch(texts: list[str], standardize: Standardize, split: Split,
                   ngrams: int | None, label: str) -> Iterator[list[str]]:
    """The tokens of each text (lazily).

    Examples:
        >>> list(tokenize_batch(["To be, or NOT"], "lower_and_strip_punctuation",
        ...                     "whitespace", None, "vectorizer"))
        [['to', 'be', 'or', 'not']]
    """
    standardized: Iterable[str]
    if standardize == "lower_and_strip_punctuation":
        standardized = standardize_batch(texts, lower=True, strip=True)
    elif standardize == "lower":
        standardized = map(str.lower, texts)
    elif standardize == "strip_punctuation":
        standardized = standardize_batch(texts, lower=False, strip=True)
    elif standardize is None:
        standardized = texts
    else:
        standardized = map(partial(_call_standardize, standardize, label), texts)
    token_lists: Iterator[list[str]]
    if split == "whitespace":
        token_lists = map(str.split, standardized)
    elif split == "words":
        token_lists = map(split_words, standardized)
    elif split == "character":
        token_lists = map(list, standardized)
    elif split is None:
        token_lists = ([text] if text else [] for text in standardized)
    else:
        token_lists = map(partial(_call_split, split, label), standardized)
    if ngrams is not None and ngrams > 1:
        token_lists = map(partial(add_ngrams, ngrams=ngrams), token_lists)
    return token_lists


def _call_standardize(standardize: Callable[[str], str], label: str, text: str) -> str:
    result = standardize(text)
    if not isinstance(result, str):
        raise InputTypeError(explain(
            f"{label} standardize", expected="the callable to return a str",
            received=f"{type(result).__name__} for the text {preview(text)}"))
    return result


def _call_split(split: Callable[[str], Iterable[str]], label: str, text: str) -> list[str]:
    result = split(text)
    tokens = None if isinstance(result, str | bytes) else try_list(result)
    if tokens is None or not all(map(isinstance, tokens, repeat(str))):
        shown = type(result).__name__ if tokens is None else first_non_str(tokens)
        raise InputTypeError(explain(
            f"{label} split", expected="the callable to return a list of str",
            received=f"{shown} for the text {preview(text)}"))
    return [token for token in tokens if token] if PAD_TOKEN in tokens else tokens
