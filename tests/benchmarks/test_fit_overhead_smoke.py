"""benchmarks/fit_overhead.py runs end to end in --quick mode: the mechanism, never the speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "fit_overhead.py"


@pytest.mark.slow
def test_quick_run_writes_both_variants(tmp_path: Path) -> None:
    out = tmp_path / "fit_overhead.json"
    completed = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
                               cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(out.read_text())
    assert set(report["variants"]) == {"A", "S"}
    for variant in report["variants"].values():
        assert variant["kept_seconds"], "the warm-up epoch is dropped, the rest kept"
        assert all(seconds > 0 for seconds in variant["kept_seconds"])
        assert variant["min"] <= variant["median"] <= variant["max"]
    assert report["ratio_s_over_a"] > 0
