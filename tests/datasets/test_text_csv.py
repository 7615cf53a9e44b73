"""``read_text_csv``: the two columns of a user's CSV file, or an error naming them."""

from __future__ import annotations

from pathlib import Path

import pytest

import seqkit as sk
from seqkit.errors import InputError


def test_reads_quoted_texts_and_other_column_names(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text('id,body,stars\n1,"Great, really ""great""",5\n2,meh,2\n', encoding="utf-8")
    texts, labels = sk.datasets.read_text_csv(path, text_column="body", label_column="stars")
    assert texts == ['Great, really "great"', "meh"]
    assert labels.tolist() == ["5", "2"]


def test_a_missing_column_is_named_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("body,stars\nmeh,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'text'.*text_column=") as raised:
        sk.datasets.read_text_csv(path)
    assert "['body', 'stars']" in str(raised.value)
