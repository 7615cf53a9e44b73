"""Sizes that cannot fit in memory are refused with the count and bytes needed, before any
tensor is allocated (seqkit/layers/_sizes.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, SizeError
from seqkit.layers import _sizes


@contextmanager
def no_allocation() -> Iterator[None]:
    """Fails if torch creates any tensor of more than a million elements meanwhile."""
    real_empty = torch.empty

    def guarded(*size: Any, **kwargs: Any) -> torch.Tensor:
        shape = size[0] if len(size) == 1 and isinstance(size[0], tuple | list) else size
        numel = 1
        for dim in shape:
            numel *= int(dim)
        assert numel < 10**6, f"allocation of {numel} elements attempted"
        return real_empty(*size, **kwargs)

    torch.empty = guarded  # type: ignore[assignment]
    try:
        yield
    finally:
        torch.empty = real_empty  # type: ignore[assignment]


CONSTRUCTORS: dict[str, tuple[Callable[[], Any], str]] = {
    "LSTM(10**6)": (lambda: sk.LSTM(10**6), "4,000,000,000,000 weights"),
    "GRU(10**6)": (lambda: sk.GRU(10**6), "3,000,000,000,000 weights"),
    "LSTM stack": (lambda: sk.LSTM(30_000, num_layers=4, bidirectional=True),
                   "28,800,000,000 weights"),
    "Bidirectional(GRU)": (lambda: sk.Bidirectional(sk.GRU(20_000)),
                           "directions=2 (recurrent kernels alone): 2,400,000,000 weights"),
    "Dense(10**10)": (lambda: sk.Dense(10**10), "10,000,000,000 weights"),
    "Embedding 1e12": (lambda: sk.Embedding(10**12, 8), "8,000,000,000,000 weights"),
    "RepeatVector(10**12)": (lambda: sk.RepeatVector(10**12), "1,000,000,000,000 values"),
}


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
def test_constructor_refuses_sizes_that_cannot_fit(name: str) -> None:
    make, count = CONSTRUCTORS[name]
    with no_allocation(), pytest.raises(SizeError) as info:
        make()
    message = str(info.value)
    assert count in message
    assert re.search(r"\d+\.\d (TiB|GiB|PiB)", message), message
    assert isinstance(info.value, ConfigError) and isinstance(info.value, MemoryError)


BUILDS: dict[str, tuple[Callable[[], Any], tuple[Any, ...], str]] = {
    "Dense on 10**10 features": (lambda: sk.Dense(4), (None, 10**10),
                                 "40,000,000,004 weights"),
    "LSTM on 10**9 features": (lambda: sk.LSTM(8), (None, 5, 10**9),
                               "32,000,000,320 weights"),
    "GRU stack on 10**9 features": (lambda: sk.GRU(8, num_layers=2), (None, 5, 10**9),
                                    "24,000,000,672 weights"),
    "Bidirectional on 10**9 features": (lambda: sk.Bidirectional(sk.LSTM(8)),
                                        (None, 5, 10**9), "64,000,000,640 weights"),
    "LayerNormalization 2e9 features": (lambda: sk.LayerNormalization(), (None, 3, 2 * 10**9),
                                        "4,000,000,000 weights"),
    "RepeatVector(10**6) on 1000 features": (lambda: sk.RepeatVector(10**6), (None, 1000),
                                             "1,000,000,000 values"),
}


@pytest.mark.parametrize("name", list(BUILDS))
def test_build_refuses_sizes_that_cannot_fit(name: str) -> None:
    make, shape, count = BUILDS[name]
    layer = make()
    with no_allocation(), pytest.raises(SizeError, match=count):
        layer.build(shape)
    assert not layer.built


def test_exact_recurrent_count_matches_torch() -> None:
    """The build-time count is torch's own (so the guard refuses exactly what is too big)."""
    counted: list[int] = []
    real = _sizes.check_parameter_count

    def record(owner: str, count: int, arguments: str, dtype: Any = None) -> None:
        counted.append(count)
        real(owner, count, arguments, dtype)

    _sizes.check_parameter_count = record  # type: ignore[assignment]
    try:
        for layer in (sk.LSTM(5, num_layers=2, bidirectional=True), sk.GRU(3, use_bias=False),
                      sk.LSTM(4)):
            counted.clear()
            layer.build((None, 2, 7))
            assert counted[-1] == sum(p.numel() for p in layer.rnn.parameters())
    finally:
        _sizes.check_parameter_count = real  # type: ignore[assignment]


def test_model_with_declared_huge_input_is_refused_before_allocation() -> None:
    with no_allocation(), pytest.raises(SizeError, match="Dense"):
        sk.Sequential([sk.Input((10, 10**10)), sk.Dense(3)])


def test_machine_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the fixed ceiling, more bytes than the machine has is refused too."""
    monkeypatch.setattr(_sizes, "physical_memory", lambda: 2**20)
    with pytest.raises(SizeError, match=r"fit in this machine's 1\.0 MiB of memory"):
        sk.Embedding(1000, 1000)
    monkeypatch.setattr(_sizes, "physical_memory", lambda: None)
    assert sk.Embedding(1000, 1000).vocab_size == 1000


def test_reasonable_sizes_still_build() -> None:
    model = sk.Sequential([sk.Embedding(50_000, 64), sk.LSTM(256), sk.RepeatVector(30),
                           sk.GRU(32), sk.Dense(10)])
    model.build((None, 20))
    assert model.count_params() > 0


def test_text_sizes_that_cannot_fit_are_refused() -> None:
    from seqkit.preprocessing import TextVectorizer

    with no_allocation(), pytest.raises(SizeError, match=r"1,000,000,000 values per sample "
                                                          r"\(7\.5 GiB of int64"):
        TextVectorizer(output_sequence_length=10**9)
    assert TextVectorizer(output_sequence_length=4096).output_sequence_length == 4096
    with no_allocation(), pytest.raises(SizeError, match="vocab_size=1000000000000"):
        sk.presets.text_classifier(num_classes=2, max_tokens=10**12)


def test_an_ensemble_too_large_is_refused_before_its_copies_exist() -> None:
    started = __import__("time").perf_counter()
    with pytest.raises(SizeError, match="members=1000000000"):
        sk.Ensemble([sk.GRU(2), sk.Dense(1)], members=10**9)
    assert __import__("time").perf_counter() - started < 5  # not a billion copies first
    ensemble = sk.Ensemble([sk.Embedding(10**6, 64), sk.GRU(1)], members=64)
    one_copy = 10**6 * 64 + 3 * (64 + 1 + 2)  # the embedding, GRU(1)'s kernels and biases
    with pytest.raises(SizeError, match=f"members=64 x {one_copy:,} weights"):
        ensemble.build((None, 5))
    assert len([p for p in ensemble.members[1].parameters()]) == 0  # copy 2 never allocated
