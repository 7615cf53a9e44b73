"""Argument and input checks of [`TextVectorizer`][seqkit.preprocessing.TextVectorizer].

Each check has one wording.

Examples:
    >>> check_mode("lower", "standardize", ("lower",), "TextVectorizer")
    'lower'
    >>> try:
    ...     check_mode("lowr", "standardize", ("lower",), "TextVectorizer")
    ... except ConfigError as error:
    ...     print(str(error).partition("; ")[2])
    did you mean 'lower'?
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from difflib import get_close_matches
from typing import Any, NoReturn

from seqkit.errors import ConfigError, InputError, InputTypeError, explain
from seqkit.preprocessing._text_ops import OOV_TOKEN, PAD_TOKEN, RESERVED_TOKENS

__all__ = [
    "check_batch_of_texts",
    "check_mode",
    "check_tokens_seen",
    "checked_vocabulary",
    "describe_callable",
    "first_non_str",
    "preview",
    "raise_not_text",
    "token_list",
    "try_list",
]


def check_mode(value: Any, arg: str, modes: tuple[str, ...], owner: str) -> Any:
    """Returns ``value`` if it is ``None``, a callable or one of ``modes``."""
    if value is None or callable(value) or value in modes:
        return value
    close = get_close_matches(value, modes, n=1, cutoff=0.5) if isinstance(value, str) else []
    named = ", ".join(repr(mode) for mode in modes)
    raise ConfigError(explain(f"{owner} {arg}", expected=f"one of {named}, None or a callable",
                              received=f"{arg}={value!r}",
                              fix=f"did you mean {close[0]!r}?" if close else None))


def check_tokens_seen(token_count: int, owner: str) -> None:
    """``adapt`` learns a vocabulary from tokens: texts without any (no texts at all, or
    only empty strings) would leave only the reserved tokens, and every id padding.

    Examples:
        >>> try:
        ...     check_tokens_seen(0, "TextVectorizer")
        ... except InputError as error:
        ...     print(str(error).split(";")[0])
        TextVectorizer.adapt texts: expected at least one token but received none
    """
    if token_count == 0:
        raise InputError(explain(f"{owner}.adapt texts", expected="at least one token",
                                 received="none",
                                 fix="adapt on the training texts (no texts, or only empty "
                                     "ones, were given)"))


def check_batch_of_texts(texts: Any, owner: str) -> None:
    """Raises unless ``texts`` is an iterable other than a single ``str``/``bytes``."""
    if isinstance(texts, str | bytes):
        raise InputTypeError(explain(
            f"{owner} input", expected="a batch of strings (a list or other iterable of str)",
            received=f"a single {type(texts).__name__}", fix="wrap one text in a list: [text]"))
    if not isinstance(texts, Iterable):
        raise InputTypeError(explain(
            f"{owner} input", expected="a batch of strings (a list or other iterable of str)",
            received=type(texts).__name__))


def raise_not_text(chunk: list[Any], offset: int, owner: str) -> NoReturn:
    """Raises the error naming the first non-string entry of ``chunk`` (index from ``offset``)."""
    index, value = next((i, v) for i, v in enumerate(chunk) if not isinstance(v, str))
    if isinstance(value, bytes):
        fix = "decode bytes first, e.g. [t.decode('utf-8') for t in texts]"
    elif value is None:
        fix = "replace missing texts with ''"
    else:
        fix = "convert the entries to str first"
    raise InputTypeError(explain(f"{owner} input", expected="a str at every position",
                                 received=f"{type(value).__name__} at index {offset + index} "
                                          f"({preview(value)})", fix=fix))


def token_list(vocabulary: Any, owner: str) -> list[str]:
    """``vocabulary`` as a list, checking that every entry is a string."""
    tokens = None if isinstance(vocabulary, str | bytes) else try_list(vocabulary)
    if tokens is None:
        raise InputTypeError(explain(f"{owner} vocabulary", expected="a list of str",
                                     received=type(vocabulary).__name__))
    for index, token in enumerate(tokens):
        if not isinstance(token, str):
            raise InputTypeError(explain(
                f"{owner} vocabulary", expected="a str at every position",
                received=f"{type(token).__name__} at index {index} ({preview(token)})"))
    return tokens


def try_list(value: Any) -> list[Any] | None:
    """``list(value)`` for an iterable, else ``None``."""
    return list(value) if isinstance(value, Iterable) else None


def first_non_str(tokens: list[Any]) -> str:
    """Describes the first entry of ``tokens`` that is not a string."""
    bad = next(token for token in tokens if not isinstance(token, str))
    return f"a list holding {type(bad).__name__} ({preview(bad)})"


def preview(value: Any, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def describe_callable(value: Callable[..., Any]) -> str:
    """``<callable name>`` for messages."""
    return f"<callable {getattr(value, '__qualname__', type(value).__name__)}>"


def checked_vocabulary(tokens: list[str], max_tokens: int | None, owner: str) -> list[str]:
    """A full vocabulary (``["", "[UNK]", ...]``) from ``tokens``, with or without the
    leading reserved tokens; refuses reserved tokens elsewhere, duplicates and more than
    ``max_tokens`` entries.

    Examples:
        >>> checked_vocabulary(["a", "b"], None, "TextVectorizer")
        ['', '[UNK]', 'a', 'b']
    """
    offset = 0
    if tokens[: len(RESERVED_TOKENS)] == list(RESERVED_TOKENS):
        offset = len(RESERVED_TOKENS)
        tokens = tokens[offset:]
    for position, token in enumerate(tokens):
        if token in RESERVED_TOKENS:
            raise ConfigError(explain(
                f"{owner} vocabulary",
                expected=f"{PAD_TOKEN!r} and {OOV_TOKEN!r} only as the first two entries, "
                         f"in that order",
                received=f"{token!r} at index {position + offset}",
                fix="remove it; ids 0 and 1 are always padding and OOV"))
    full = [*RESERVED_TOKENS, *tokens]
    if len(set(full)) != len(full):
        duplicate = next(token for token, n in Counter(full).items() if n > 1)
        raise ConfigError(explain(f"{owner} vocabulary", expected="distinct tokens",
                                  received=f"{duplicate!r} more than once"))
    if max_tokens is not None and len(full) > max_tokens:
        raise ConfigError(explain(
            f"{owner} vocabulary",
            expected=f"at most max_tokens={max_tokens} entries (padding, OOV included)",
            received=f"{len(full)} entries", fix="raise max_tokens or pass fewer tokens"))
    return full
