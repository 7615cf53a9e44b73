"""The shipped quotations-by-topic data set."""

from __future__ import annotations

from collections import Counter

import numpy as np

from seqkit.datasets import QUOTE_TOPICS, quotes_by_topic


def test_texts_and_labels_are_read_whole() -> None:
    texts, labels = quotes_by_topic()
    assert len(texts) == len(labels) == 3544
    assert labels.dtype.kind == "U"
    assert all(isinstance(text, str) and text.strip() == text and text for text in texts)
    counts = Counter(labels.tolist())
    assert sorted(counts) == list(QUOTE_TOPICS)
    assert counts.most_common(1) == [("computers", 1050)] and counts["medicine"] == 74
    assert not any("\n" in text for text in texts)  # whitespace folded: one quote per row


def test_each_call_returns_fresh_arrays() -> None:
    _, labels = quotes_by_topic()
    labels[:] = "x"
    assert np.unique(quotes_by_topic()[1]).size == 10
