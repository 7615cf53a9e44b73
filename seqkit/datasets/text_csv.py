"""Texts and labels from a CSV file of your own (what ``quotes_by_topic`` reads, for any
file with a text column and a label column)."""

from __future__ import annotations

import csv
import os

import numpy as np

from seqkit._checks import path_argument
from seqkit.errors import InputError, explain

__all__ = ["read_text_csv"]


def read_text_csv(path: str | os.PathLike[str], text_column: str = "text",
                  label_column: str = "label") -> tuple[list[str], np.ndarray]:
    """``(texts, labels)``: the two columns of a UTF-8 CSV file with a header row.

    Args:
        path: The CSV file.
        text_column: The header of the texts.
        label_column: The header of the labels.

    Raises:
        InputError: The file lacks one of the columns.

    Examples:
        >>> import tempfile, pathlib, seqkit as sk
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
        >>> _ = path.write_text('text,label\\n"Great, thanks!",pos\\nmeh,neg\\n')
        >>> texts, labels = sk.datasets.read_text_csv(path)
        >>> texts, labels.tolist()
        (['Great, thanks!', 'meh'], ['pos', 'neg'])
    """
    file = path_argument(path, "path", "read_text_csv")
    with file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [name for name in (text_column, label_column) if name not in header]
        if missing:
            raise InputError(explain(
                f"read_text_csv {file}", expected=f"the columns {text_column!r} and "
                f"{label_column!r} in the header row", received=f"columns {header}",
                fix="name them with text_column= and label_column="))
        rows = list(reader)
    return [row[text_column] for row in rows], np.array([row[label_column] for row in rows])
