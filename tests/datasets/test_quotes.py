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


def test_the_shuffled_order_is_fixed_and_holds_every_topic_at_the_end() -> None:
    texts, labels = quotes_by_topic()
    in_file_order = quotes_by_topic(shuffle=False)
    assert texts == quotes_by_topic()[0]  # the same order on every call
    assert texts != in_file_order[0]
    assert sorted(zip(texts, labels.tolist(), strict=True)) == sorted(
        zip(in_file_order[0], in_file_order[1].tolist(), strict=True))
    # validation_split=0.2 takes the last rows: every topic is there when shuffled,
    # not in the file's order, which is grouped by topic.
    tail = len(labels) - len(labels) // 5
    assert set(labels[tail:].tolist()) == set(QUOTE_TOPICS)
    assert len(set(in_file_order[1][tail:].tolist())) <= 5


def test_each_call_returns_fresh_arrays() -> None:
    _, labels = quotes_by_topic()
    labels[:] = "x"
    assert np.unique(quotes_by_topic()[1]).size == 10
