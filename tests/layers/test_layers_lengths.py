"""Lengths: a padded batch gives the same outputs and states as each sequence run alone."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqkit.layers import GRU, LSTM, Dense, Dropout, Layer, RecurrentState
from seqkit.layers.base import Shape

ATOL = 1e-10  # float64 throughout


def build_chain(layers: list[Layer], input_shape: Shape) -> None:
    """Builds each layer from the previous one's ``compute_output_shape``, then float64."""
    shape = input_shape
    for layer in layers:
        layer.build(shape)
        shape = layer.compute_output_shape(shape)
    for layer in layers:
        layer.double().eval()


def run_chain(
    layers: list[Layer], values: torch.Tensor, lengths: torch.Tensor | None,
    state: RecurrentState | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None, RecurrentState | None]:
    for layer in layers:
        values, lengths, state = layer(values, lengths, state)
    return values, lengths, state


@st.composite
def stacks(draw: st.DrawFn) -> list[dict[str, Any]]:
    """1-3 recurrent layers (the last one last), with Dense/Dropout in between.

    A recurrent layer may start from the previous one's state when the shapes allow.
    """
    specs: list[dict[str, Any]] = []
    recurrent = draw(st.integers(1, 3))
    previous: dict[str, Any] | None = None
    for index in range(recurrent):
        if draw(st.booleans()):
            specs.append({"kind": "Dense", "units": draw(st.integers(1, 3))})
        if draw(st.booleans()):
            specs.append({"kind": "Dropout", "rate": 0.5})
        use_previous = previous is not None and draw(st.booleans())
        if use_previous:
            assert previous is not None
            kinds = ["LSTM", "GRU"] if previous["kind"] == "LSTM" else ["GRU"]
            spec = {key: previous[key] for key in ("units", "num_layers", "bidirectional")}
            spec["kind"] = draw(st.sampled_from(kinds))
            spec["initial_state"] = "previous"
        else:
            spec = {
                "kind": draw(st.sampled_from(["LSTM", "GRU"])),
                "units": draw(st.integers(1, 3)),
                "num_layers": draw(st.integers(1, 3)),
                "bidirectional": draw(st.booleans()),
            }
        if spec["num_layers"] > 1 and draw(st.booleans()):
            spec["dropout"] = 0.5  # between stacked layers; off in eval mode
        last = index == recurrent - 1
        spec["return_sequences"] = draw(st.booleans()) if last else True
        specs.append(spec)
        previous = spec
    return specs


def make_layers(specs: list[dict[str, Any]]) -> list[Layer]:
    classes = {"LSTM": LSTM, "GRU": GRU, "Dense": Dense, "Dropout": Dropout}
    return [classes[s["kind"]](**{k: v for k, v in s.items() if k != "kind"}) for s in specs]


@settings(max_examples=25, deadline=None)
@given(
    specs=stacks(),
    lengths=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    extra_time=st.integers(0, 2),
    features=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_padded_batch_equals_each_sequence_alone(
    specs: list[dict[str, Any]], lengths: list[int], extra_time: int, features: int, seed: int
) -> None:
    torch.manual_seed(seed)
    time = max(lengths) + extra_time  # sometimes every sequence ends before the time axis
    layers = make_layers(specs)
    build_chain(layers, (None, time, features))
    x = torch.randn(len(lengths), time, features, dtype=torch.float64)
    lengths_tensor = torch.tensor(lengths)
    for i, length in enumerate(lengths):
        x[i, length:] = float("nan")  # padding must never be read

    values, out_lengths, state = run_chain(layers, x, lengths_tensor)

    return_sequences = specs[-1]["return_sequences"]
    assert not torch.isnan(values).any()
    if return_sequences:
        assert values.shape[:2] == (len(lengths), time)
        assert torch.equal(out_lengths, lengths_tensor)
    else:
        assert values.dim() == 2 and out_lengths is None
    for i, length in enumerate(lengths):
        alone_values, alone_lengths, alone_state = run_chain(layers, x[i:i + 1, :length], None)
        assert alone_lengths is None
        if return_sequences:
            torch.testing.assert_close(values[i, :length], alone_values[0], rtol=0, atol=ATOL)
            assert torch.equal(values[i, length:], torch.zeros_like(values[i, length:]))
        else:
            torch.testing.assert_close(values[i], alone_values[0], rtol=0, atol=ATOL)
        torch.testing.assert_close(state.h[i], alone_state.h[0], rtol=0, atol=ATOL)
        if alone_state.c is None:
            assert state.c is None
        else:
            torch.testing.assert_close(state.c[i], alone_state.c[0], rtol=0, atol=ATOL)


RECURRENT_CASES = [(kind, bi) for kind in (LSTM, GRU) for bi in (False, True)]


def _case_id(case: tuple) -> str:
    return f"{case[0].__name__}-{'bi' if case[1] else 'uni'}"


@pytest.mark.parametrize("case", RECURRENT_CASES, ids=_case_id)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_length_zero_gives_zero_outputs_and_state(case: tuple, return_sequences: bool) -> None:
    kind, bidirectional = case
    torch.manual_seed(3)
    layer = kind(3, num_layers=2, bidirectional=bidirectional,
                 return_sequences=return_sequences)
    build_chain([layer], (None, 5, 2))
    x = torch.randn(3, 5, 2, dtype=torch.float64)
    x[0] = float("nan")  # a length-0 sequence is all padding
    x[1, 2:] = float("nan")
    lengths = torch.tensor([0, 2, 5])

    out = layer(x, lengths)

    assert torch.equal(out.values[0], torch.zeros_like(out.values[0]))
    assert torch.equal(out.state.h[0], torch.zeros_like(out.state.h[0]))
    if out.state.c is not None:
        assert torch.equal(out.state.c[0], torch.zeros_like(out.state.c[0]))
    # The other sequences are unaffected by the empty one.
    rest = layer(x[1:], lengths[1:])
    torch.testing.assert_close(out.values[1:], rest.values, rtol=0, atol=ATOL)
    torch.testing.assert_close(out.state.h[1:], rest.state.h, rtol=0, atol=ATOL)
    # Padding never reaches the weights' gradients either.
    out.values.sum().backward()
    for parameter in layer.parameters():
        if parameter.requires_grad:  # an LSTM's bias_hh is frozen at zero
            assert torch.isfinite(parameter.grad).all()


@pytest.mark.parametrize("case", RECURRENT_CASES, ids=_case_id)
def test_length_zero_keeps_the_initial_state(case: tuple) -> None:
    kind, bidirectional = case
    torch.manual_seed(4)
    layer = kind(3, bidirectional=bidirectional, return_sequences=True,
                 initial_state="previous")
    build_chain([layer], (None, 4, 2))
    directions = 2 if bidirectional else 1
    h0 = torch.randn(2, directions, 3, dtype=torch.float64)
    c0 = torch.randn(2, directions, 3, dtype=torch.float64) if kind is LSTM else None
    x = torch.randn(2, 4, 2, dtype=torch.float64)
    lengths = torch.tensor([0, 3])

    out = layer(x, lengths, RecurrentState(h0, c0))

    assert torch.equal(out.values[0], torch.zeros_like(out.values[0]))
    torch.testing.assert_close(out.state.h[0], h0[0], rtol=0, atol=0)
    if c0 is not None:
        torch.testing.assert_close(out.state.c[0], c0[0], rtol=0, atol=0)
    alone = layer(x[1:, :3], None, RecurrentState(h0[1:], None if c0 is None else c0[1:]))
    torch.testing.assert_close(out.values[1, :3], alone.values[0], rtol=0, atol=ATOL)
    torch.testing.assert_close(out.state.h[1], alone.state.h[0], rtol=0, atol=ATOL)


def test_all_lengths_zero() -> None:
    layer = LSTM(2, return_sequences=True, bidirectional=True)
    build_chain([layer], (None, 3, 1))
    out = layer(torch.randn(2, 3, 1, dtype=torch.float64), torch.tensor([0, 0]))
    assert torch.equal(out.values, torch.zeros(2, 3, 4, dtype=torch.float64))
    assert torch.equal(out.state.h, torch.zeros(2, 2, 2, dtype=torch.float64))
    assert torch.equal(out.state.c, torch.zeros(2, 2, 2, dtype=torch.float64))


def test_lengths_of_any_integer_dtype() -> None:
    layer = GRU(2)
    build_chain([layer], (None, 4, 1))
    x = torch.randn(3, 4, 1, dtype=torch.float64)
    expected = layer(x, torch.tensor([1, 4, 2])).values
    for dtype in (torch.int32, torch.int16, torch.uint8):
        got = layer(x, torch.tensor([1, 4, 2], dtype=dtype)).values
        torch.testing.assert_close(got, expected, rtol=0, atol=0)
