"""seqkit ``LSTM``/``GRU`` against ``torch.nn.LSTM``/``nn.GRU`` with the same weights."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

import seqkit as sk
from seqkit.layers import GRU, LSTM, RecurrentState

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5

CASES = list(
    itertools.product(
        [LSTM, GRU],  # kind
        [False, True],  # bidirectional
        [1, 2, 3],  # num_layers
        [True, False],  # return_sequences
    )
)


def _ids(case: tuple) -> str:
    kind, bidirectional, num_layers, return_sequences = case
    return (f"{kind.__name__}-{'bi' if bidirectional else 'uni'}-L{num_layers}-"
            f"{'seq' if return_sequences else 'last'}")


def _pair(kind: type, bidirectional: bool, num_layers: int, return_sequences: bool,
          **kwargs: object) -> tuple[sk.layers.RecurrentLayer, nn.Module]:
    """A built seqkit layer and a torch module with the same weights, both float64."""
    torch.manual_seed(0)
    layer = kind(UNITS, num_layers=num_layers, bidirectional=bidirectional,
                 return_sequences=return_sequences, **kwargs)
    layer.build((None, TIME, FEATURES))
    torch_class = nn.LSTM if kind is LSTM else nn.GRU
    reference = torch_class(FEATURES, UNITS, num_layers=num_layers, batch_first=True,
                            bidirectional=bidirectional)
    reference.load_state_dict(layer.rnn.state_dict())
    return layer.double().eval(), reference.double().eval()


def _expected_last(outputs: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """Forward output at the last step, then (bidirectional) backward output at time 0."""
    forward = outputs[:, -1, :UNITS]
    if not bidirectional:
        return forward
    return torch.cat([forward, outputs[:, 0, UNITS:]], dim=-1)


def _split(final: torch.Tensor | tuple[torch.Tensor, torch.Tensor]) -> tuple:
    return final if isinstance(final, tuple) else (final, None)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_matches_torch_from_zero_state(case: tuple) -> None:
    kind, bidirectional, num_layers, return_sequences = case
    layer, reference = _pair(*case)
    x = torch.randn(BATCH, TIME, FEATURES, dtype=torch.float64)

    out = layer(x)
    with torch.no_grad():
        expected_outputs, final = reference(x)
    h_n, c_n = _split(final)

    directions = 2 if bidirectional else 1
    expected = expected_outputs if return_sequences else _expected_last(expected_outputs,
                                                                        bidirectional)
    assert out.values.shape == expected.shape
    torch.testing.assert_close(out.values, expected, rtol=0, atol=1e-10)
    assert out.lengths is None
    # seqkit states are batch-major: (batch, num_layers * directions, units).
    assert out.state.h.shape == (BATCH, num_layers * directions, UNITS)
    torch.testing.assert_close(out.state.h, h_n.transpose(0, 1), rtol=0, atol=1e-10)
    if kind is LSTM:
        assert out.state.c.shape == (BATCH, num_layers * directions, UNITS)
        torch.testing.assert_close(out.state.c, c_n.transpose(0, 1), rtol=0, atol=1e-10)
    else:
        assert out.state.c is None


@pytest.mark.parametrize("case", [c for c in CASES if c[3]], ids=_ids)
def test_matches_torch_from_given_initial_state(case: tuple) -> None:
    """A batch-major state passed in equals torch's h_0/c_0 in torch's own layout."""
    kind, bidirectional, num_layers, _ = case
    layer, reference = _pair(*case, initial_state="previous")
    directions = 2 if bidirectional else 1
    x = torch.randn(BATCH, TIME, FEATURES, dtype=torch.float64)
    shape = (BATCH, num_layers * directions, UNITS)
    h0 = torch.randn(shape, dtype=torch.float64)
    c0 = torch.randn(shape, dtype=torch.float64) if kind is LSTM else None

    out = layer(x, None, RecurrentState(h0, c0))
    torch_h0 = h0.transpose(0, 1).contiguous()
    hx = torch_h0 if c0 is None else (torch_h0, c0.transpose(0, 1).contiguous())
    with torch.no_grad():
        expected, final = reference(x, hx)
    h_n, c_n = _split(final)

    torch.testing.assert_close(out.values, expected, rtol=0, atol=1e-10)
    torch.testing.assert_close(out.state.h, h_n.transpose(0, 1), rtol=0, atol=1e-10)
    if c0 is not None:
        torch.testing.assert_close(out.state.c, c_n.transpose(0, 1), rtol=0, atol=1e-10)


@pytest.mark.parametrize("kind", [LSTM, GRU])
def test_float32_matches_torch(kind: type) -> None:
    """The default float32 path, within the brief's 1e-5."""
    torch.manual_seed(1)
    layer = kind(UNITS, num_layers=2, bidirectional=True).eval()
    x = torch.randn(BATCH, TIME, FEATURES)
    out = layer(x)
    reference = (nn.LSTM if kind is LSTM else nn.GRU)(
        FEATURES, UNITS, num_layers=2, batch_first=True, bidirectional=True)
    reference.load_state_dict(layer.rnn.state_dict())
    with torch.no_grad():
        expected, _ = reference(x)
    torch.testing.assert_close(out.values, _expected_last(expected, True), rtol=0, atol=1e-5)


def test_bidirectional_last_output_is_not_output_at_last_step() -> None:
    """Guards the reference itself: output[:, -1] would be wrong for the backward half."""
    layer, reference = _pair(LSTM, True, 1, False)
    x = torch.randn(BATCH, TIME, FEATURES, dtype=torch.float64)
    with torch.no_grad():
        outputs, _ = reference(x)
    assert not torch.allclose(layer(x).values, outputs[:, -1])


def test_lstm_state_feeds_gru_with_previous() -> None:
    """``initial_state='previous'`` after an LSTM: the GRU starts from the LSTM's h alone."""
    torch.manual_seed(2)
    encoder = LSTM(UNITS, return_sequences=True)
    decoder = GRU(UNITS, initial_state="previous", return_sequences=True)
    encoder.build((None, TIME, FEATURES))
    decoder.build((None, TIME, UNITS))
    encoder.double().eval()
    decoder.double().eval()
    x = torch.randn(BATCH, TIME, FEATURES, dtype=torch.float64)
    encoded = encoder(x)
    assert encoded.state.c is not None
    out = decoder(encoded.values, encoded.lengths, encoded.state)
    with torch.no_grad():
        expected, _ = decoder.rnn(encoded.values, encoded.state.h.transpose(0, 1).contiguous())
    torch.testing.assert_close(out.values, expected, rtol=0, atol=1e-10)
