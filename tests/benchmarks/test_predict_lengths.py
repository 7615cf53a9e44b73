"""``python -m benchmarks.predict_lengths``: both variants run and agree (never the speed)."""

from __future__ import annotations

import re

import pytest

from benchmarks.predict_lengths import main


@pytest.mark.slow
def test_sorted_and_in_order_predictions_agree(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--samples", "48", "--batch-size", "16", "--passes", "2", "--threads", "1"])
    printed = capsys.readouterr().out
    assert re.search(r"^in-order\s+\d", printed, re.MULTILINE)
    assert re.search(r"^sorted\s+\d", printed, re.MULTILINE)
    difference = float(re.search(r"largest output difference: (\S+)", printed).group(1))
    assert difference < 1e-5
