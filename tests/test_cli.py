"""The `seqkit` command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from seqkit import __version__
from seqkit.cli import main
from seqkit.demo import run_demo


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"seqkit {__version__}"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


@pytest.mark.slow
def test_demo_beats_seasonal_naive_end_to_end() -> None:
    completed = subprocess.run([sys.executable, "-m", "seqkit.cli", "demo"], check=True,
                               capture_output=True, text=True, timeout=300)
    out = completed.stdout
    assert "seasonal-naive RMSE" in out
    assert "The LSTM beats the seasonal-naive forecast." in out


def test_demo_result_is_consistent() -> None:
    result = run_demo(epochs=3)
    assert result.test_months[0] == "1959-01" and result.test_months[-1] == "1960-12"
    # Seasonal-naive on 1959-1960 is a fixed number computed from the shipped data.
    assert result.seasonal_naive_rmse == pytest.approx(49.99, abs=0.01)
    assert result.lstm_rmse > 0
