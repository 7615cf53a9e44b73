"""Issue 15's hostile files: each refused with a ModelFileError, cheaply, before any build."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
import torch
from _hostile_files import (
    CASES,
    REFUSED_WHILE_READING,
    Good,
    good_file,
    good_model,
    patch,
    with_entries,
)

import seqkit as sk
from seqkit.errors import ModelFileError
from seqkit.saving import archive as archive_module
from seqkit.saving.format import MAX_CONFIG_BYTES, WEIGHTS_ENTRY, WEIGHTS_FLOOR_BYTES

HANG_GUARD_S = 10.0
"""Not a timing test: a hang detector (each case is refused in well under 2 s)."""


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Good:
    return good_file(tmp_path_factory.mktemp("good") / "good")


@pytest.fixture
def allocations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The parameter counts of every model given real memory (``to_empty`` after the meta
    check is the only way a loaded model gets its weights' memory)."""
    counts: list[int] = []
    original = torch.nn.Module.to_empty

    def to_empty(self, *args, **kwargs):
        counts.append(sum(p.numel() for p in self.parameters()))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "to_empty", to_empty)
    return counts


@pytest.fixture
def read_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The inflated bytes each bounded stream took (checked against its limit)."""
    taken: list[int] = []
    original = archive_module.BoundedStream.read

    def read(self, size):
        data = original(self, size)
        taken.append(self.taken)
        assert self.taken <= self.limit + 1
        return data

    monkeypatch.setattr(archive_module.BoundedStream, "read", read)
    return taken


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_hostile_file_is_refused_cheaply(tmp_path: Path, good: Good, case: str,
                                             allocations: list[int],
                                             read_sizes: list[int]) -> None:
    build, pattern = CASES[case]
    path = tmp_path / f"{case}.seqkit"
    path.write_bytes(build(good))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ModelFileError, match=pattern):
            sk.load_model(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < HANG_GUARD_S
    if case in REFUSED_WHILE_READING:  # the good architecture: its few weights only
        assert allocations == [sum(p.numel() for p in good_model().parameters())]
    else:
        assert not allocations  # refused before any weight had memory
    limit = max(MAX_CONFIG_BYTES, WEIGHTS_FLOOR_BYTES) + 1
    assert max(read_sizes, default=0) <= limit  # never read past a bound
    assert peak < 64 * 1024 * 1024, f"{case}: {peak / 1e6:.1f} MB of Python memory"


def test_the_good_file_loads_through_the_same_checks(tmp_path: Path, good: Good) -> None:
    path = tmp_path / "good.seqkit"
    path.write_bytes(good.data)
    loaded = sk.load_model(path)
    assert loaded.target_scaler.is_adapted and loaded.preprocessing[0].is_adapted


def test_a_lying_declared_size_costs_nothing(tmp_path: Path, good: Good) -> None:
    """A weights entry declaring 4 GiB over its real bytes: the declaration is ignored, the
    real (intact) bytes load."""
    path = tmp_path / "lying.seqkit"
    path.write_bytes(patch(with_entries(good), WEIGHTS_ENTRY, sizes=0xFFFFFFFE))
    tracemalloc.start()
    try:
        loaded = sk.load_model(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024
    expected = good_model().state_dict()
    for name, value in loaded.state_dict().items():
        assert torch.equal(value, expected[name])
