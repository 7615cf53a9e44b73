"""Every Python block of the README runs as pasted into a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(markdown: str) -> list[str]:
    """The bodies of the ```python fenced blocks, in order."""
    return _PYTHON_BLOCK.findall(markdown)


def test_the_readme_has_python_blocks_and_they_are_found() -> None:
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 2
    assert blocks[0].startswith("import numpy as np\nimport seqkit as sk\n")
    assert python_blocks("text\n```python\nprint(1)\n```\n```bash\nls\n```\n") == ["print(1)\n"]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(python_blocks(README.read_text(encoding="utf-8")))))
def test_readme_block_runs_in_a_fresh_interpreter(index: int, tmp_path: Path) -> None:
    block = python_blocks(README.read_text(encoding="utf-8"))[index]
    # Each block alone, in an empty folder, in a new process: nothing defined elsewhere.
    completed = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True,
                               text=True, timeout=900)
    assert completed.returncode == 0, f"README block {index + 1} failed:\n{block}\n" \
                                      f"{completed.stderr[-3000:]}"
