"""Every example runs end to end with --fast (as CI does), and its --help is instant and
plain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_fast(script: Path) -> None:
    completed = subprocess.run([sys.executable, str(script), "--fast"], capture_output=True,
                               text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip(), "an example prints what it reached"


# Runs an example's --help in a fresh interpreter, then reports which heavy modules it
# imported (last line of stdout) and the exit status.
_HELP_PROBE = """
import json, runpy, sys
path = sys.argv[1]
sys.argv = [path, "--help"]
try:
    runpy.run_path(path, run_name="__main__")
    status = None
except SystemExit as stop:
    status = stop.code
heavy = sorted(name for name in ("torch", "seqkit", "pytorch_lightning", "lightning")
               if name in sys.modules)
print("\\n" + json.dumps({"status": status, "heavy": heavy}))
"""


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_help_is_plain_and_imports_nothing_heavy(script: Path) -> None:
    completed = subprocess.run([sys.executable, "-c", _HELP_PROBE, str(script)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    help_text, _, report_line = completed.stdout.rstrip().rpartition("\n")
    report = json.loads(report_line)
    assert report["status"] in (0, None)
    # --help answers before torch and seqkit load (seconds), so it is instant.
    assert report["heavy"] == [], f"--help imported {report['heavy']}"
    assert help_text.startswith("usage:")
    assert "--fast" in help_text
    assert "``" not in help_text and "**" not in help_text, help_text
