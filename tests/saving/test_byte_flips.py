"""Seeded byte flips and truncations of a small real file: only a ModelFileError escapes,
or the file loads with exactly the original weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ModelFileError

FLIPS = 300
TRUNCATIONS = 100


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, torch.Tensor]]:
    torch.manual_seed(0)
    model = sk.Sequential([sk.Normalization(), sk.GRU(3), sk.Dense(2)], loss="mse",
                          target_scaler="standard")
    model.preprocessing[0].adapt(torch.randn(6, 4, 2))
    model.target_scaler.adapt(torch.randn(6, 2))
    model.build((None, 4, 2))
    path = model.save(tmp_path_factory.mktemp("flips") / "small")
    return path.read_bytes(), model.state_dict()


def _outcome(path: Path, data: bytes, expected: dict[str, torch.Tensor]) -> str:
    path.write_bytes(data)
    try:
        loaded = sk.load_model(path)
    except ModelFileError:
        return "refused"
    state = loaded.state_dict()
    assert state.keys() == expected.keys()
    for name, value in expected.items():
        assert torch.equal(state[name], value), name
    return "identical"


def test_flipped_bytes(tmp_path: Path, original: tuple[bytes, dict]) -> None:
    data, expected = original
    rng = np.random.default_rng(15)
    outcomes = []
    for position, bit in zip(rng.integers(0, len(data), FLIPS), rng.integers(0, 8, FLIPS),
                             strict=True):
        flipped = bytearray(data)
        flipped[position] ^= 1 << int(bit)
        outcomes.append(_outcome(tmp_path / "f.seqkit", bytes(flipped), expected))
    assert outcomes.count("refused") > FLIPS // 2  # most bytes matter


def test_truncations(tmp_path: Path, original: tuple[bytes, dict]) -> None:
    data, expected = original
    lengths = np.random.default_rng(16).integers(0, len(data), TRUNCATIONS)
    outcomes = [_outcome(tmp_path / "t.seqkit", data[:n], expected) for n in lengths]
    assert set(outcomes) == {"refused"}
