"""``python -m benchmarks.nan_guard``: a tiny run prints the table (never the speed)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from benchmarks.nan_guard import main


@pytest.mark.slow
def test_a_tiny_run_prints_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    results = main(["--runs", "1", "--epochs", "1", "--threads", "1",
                    "--configs", "small LSTM(16)"])
    printed = capsys.readouterr().out
    assert re.search(r"^small LSTM\(16\)\s+\d+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+", printed,
                     re.MULTILINE)
    figures = results["small LSTM(16)"]
    assert all(np.isfinite(v) and v > 0 for v in figures.values())
