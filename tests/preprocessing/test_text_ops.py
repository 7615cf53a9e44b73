"""The pure text operations: punctuation, batched standardization, n-grams, vocabulary, padding."""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqkit.preprocessing import _text_ops
from seqkit.preprocessing._text_ops import (
    add_ngrams,
    pad_ids,
    punctuation_table,
    standardize_batch,
    strip_punctuation,
    vocabulary_from_counts,
)

# Characters that exercise every path: ASCII, Latin-1, wider (BMP and astral), the batch
# separators, final sigma and a lower-casing that changes length (İ -> i̇).
TRICKY = st.text(
    alphabet=st.sampled_from(
        list("aZ ,.!?'-\t\n\x00\x01\x02\x03éÉ«»¿¡§·ΣσΟ İ—\u2019“”…、。😀\U0001d400\U0001e95e")
    ),
    max_size=20,
)


def test_punctuation_table_is_every_p_category_plus_keras_ascii_symbols() -> None:
    full_scan = {code for code in range(sys.maxunicode + 1)
                 if unicodedata.category(chr(code)).startswith("P")}
    assert set(punctuation_table()) == full_scan | set(map(ord, "$+<=>^`|~"))
    assert max(full_scan) < _text_ops._PUNCTUATION_SCAN_END


@settings(max_examples=200, deadline=None)
@given(TRICKY)
def test_strip_punctuation_equals_str_translate(text: str) -> None:
    assert strip_punctuation(text) == text.translate(punctuation_table())


def test_strip_punctuation_keeps_lone_surrogates() -> None:
    assert strip_punctuation("a\ud800,—b") == "a\ud800b"


@settings(max_examples=200, deadline=None)
@given(st.lists(TRICKY, max_size=6), st.booleans(), st.booleans())
def test_standardize_batch_equals_each_text_alone(texts: list[str], lower: bool,
                                                  strip: bool) -> None:
    table = punctuation_table()
    expected = [(text.lower() if lower else text) for text in texts]
    expected = [text.translate(table) for text in expected] if strip else expected
    assert standardize_batch(texts, lower=lower, strip=strip) == expected


def test_standardize_batch_when_every_separator_occurs() -> None:
    texts = ["A\x00", "B\x01", "C\x02", "D\x03.", ""]
    assert standardize_batch(texts, lower=True, strip=True) == ["a\x00", "b\x01", "c\x02",
                                                                  "d\x03", ""]


def test_final_sigma_is_decided_per_text() -> None:
    assert standardize_batch(["ΟΔΟΣ", "ΣΟΦΟΣ"], lower=True, strip=False) == ["οδος", "σοφος"]


def test_add_ngrams_short_texts() -> None:
    assert add_ngrams([], 3) == []
    assert add_ngrams(["a"], 3) == ["a"]
    assert add_ngrams(["a", "b"], 3) == ["a", "b", "a b"]


def test_vocabulary_from_counts_orders_by_count_then_first_seen() -> None:
    counts = Counter(["c", "b", "b", "a", "a", "d", "", "[UNK]", "[UNK]", "[UNK]"])
    assert vocabulary_from_counts(counts, None) == ["", "[UNK]", "b", "a", "c", "d"]
    assert vocabulary_from_counts(counts, 5) == ["", "[UNK]", "b", "a", "c"]
    assert vocabulary_from_counts(Counter(), 10) == ["", "[UNK]"]


@pytest.mark.parametrize(("lengths", "width"), [([], 0), ([], 3), ([0, 0], 0), ([2, 0, 1], 2)])
def test_pad_ids_shapes(lengths: list[int], width: int) -> None:
    flat = np.arange(1, sum(lengths) + 1, dtype=np.int64)
    padded = pad_ids(flat, lengths, width)
    assert tuple(padded.shape) == (len(lengths), width)
    assert padded.count_nonzero().item() == sum(lengths)
