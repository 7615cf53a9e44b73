"""Real quotations and sayings labelled by topic (from Debian's ``fortunes`` files)."""

from __future__ import annotations

import numpy as np

from seqkit.datasets._shipped import read_shipped_csv

__all__ = ["QUOTE_TOPICS", "quotes_by_topic"]

QUOTE_TOPICS = ("computers", "education", "food", "law", "literature", "love", "medicine",
                "science", "sports", "work")
"""The ten topics of [`quotes_by_topic`][seqkit.datasets.quotes_by_topic], sorted."""

_SHUFFLE_SEED = 113  # Keras's data sets shuffle with this seed too


def quotes_by_topic(shuffle: bool = True) -> tuple[list[str], np.ndarray]:
    """3,544 quotations, each labelled with one of ten topics: a small real text set.

    From the topic files of Debian's ``fortunes`` package (fortune-mod 1.99.1 data),
    one quotation per row, whitespace folded; imbalanced, as real data is (``computers``
    is the largest topic). Shipped with seqkit, so it needs no network.

    Args:
        shuffle: Return the rows in one fixed shuffled order (the same on every call and
            machine), as Keras's data sets do, so that `fit`'s ``validation_split`` (the
            last rows) holds out every topic. ``False``: the file's order, grouped by topic.

    Returns:
        ``(texts, labels)``: a list of strings and an array of topic names (``str``).

    Examples:
        >>> texts, labels = quotes_by_topic()
        >>> len(texts), sorted(set(labels.tolist())) == list(QUOTE_TOPICS)
        (3544, True)
    """
    rows = read_shipped_csv("quotes_by_topic.csv")
    if shuffle:
        order = np.random.default_rng(_SHUFFLE_SEED).permutation(len(rows))
        rows = [rows[i] for i in order]
    return [row["text"] for row in rows], np.array([row["label"] for row in rows])
