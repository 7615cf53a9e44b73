"""State passing: explicit initial/final states, encoder-decoder, stateful layers, streams."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import seqkit as sk
from seqkit.errors import ConfigError, InputError


def _copy(target: nn.LSTM, layer: sk.LSTM) -> None:
    target.load_state_dict(layer.rnn.state_dict())


def test_encoder_decoder_matches_two_hand_written_lstms() -> None:
    torch.manual_seed(0)
    horizon = 4
    model = sk.Sequential([
        sk.LSTM(6, num_layers=2),
        sk.RepeatVector(horizon),
        sk.LSTM(6, num_layers=2, return_sequences=True, initial_state="previous"),
        sk.Dense(1),
    ])
    x = torch.randn(5, 9, 3)
    model.build((None, 9, 3))
    encoder = nn.LSTM(3, 6, num_layers=2, batch_first=True)
    decoder = nn.LSTM(6, 6, num_layers=2, batch_first=True)
    head = nn.Linear(6, 1)
    _copy(encoder, model.layers[0])
    _copy(decoder, model.layers[2])
    head.load_state_dict(model.layers[3].linear.state_dict())
    with torch.no_grad():
        _, (h, c) = encoder(x)
        context = h[-1].unsqueeze(1).repeat(1, horizon, 1)
        decoded, _ = decoder(context, (h, c))
        expected = head(decoded)
        got = model(x)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_previous_state_must_fit_the_next_layer() -> None:
    model = sk.Sequential([sk.LSTM(6), sk.RepeatVector(2),
                           sk.LSTM(5, return_sequences=True, initial_state="previous")])
    with pytest.raises(InputError, match=r"shape \(3, 1, 5\) = \(batch, num_layers"):
        model(torch.randn(3, 4, 2))


def test_predict_takes_and_returns_batch_major_states() -> None:
    torch.manual_seed(0)
    model = sk.Sequential([sk.LSTM(4, num_layers=2, bidirectional=True, name="enc"),
                           sk.Dense(1)])
    x = np.random.default_rng(0).normal(size=(7, 5, 3)).astype(np.float32)
    h0 = np.random.default_rng(1).normal(size=(7, 4, 4)).astype(np.float32)
    c0 = np.random.default_rng(2).normal(size=(7, 4, 4)).astype(np.float32)
    out, states = model.predict(x, initial_state={"enc": (h0, c0)}, return_state=True,
                                batch_size=3)
    reference = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    _copy(reference, model.layers[0])
    with torch.no_grad():
        hx = (torch.from_numpy(h0).transpose(0, 1).contiguous(),
              torch.from_numpy(c0).transpose(0, 1).contiguous())
        _, (h_n, c_n) = reference(torch.from_numpy(x), hx)
    assert isinstance(states["enc"].h, np.ndarray) and states["enc"].h.shape == (7, 4, 4)
    np.testing.assert_allclose(states["enc"].h, h_n.transpose(0, 1).numpy(), atol=1e-6)
    np.testing.assert_allclose(states["enc"].c, c_n.transpose(0, 1).numpy(), atol=1e-6)
    assert out.shape == (7, 1)


def test_wrong_state_shape_shows_the_expected_layout() -> None:
    model = sk.Sequential([sk.GRU(4, num_layers=2), sk.Dense(1)])
    x = np.zeros((3, 5, 2), dtype=np.float32)
    time_major = np.zeros((2, 3, 4), dtype=np.float32)  # PyTorch's layout, not seqkit's
    with pytest.raises(InputError, match=r"expected shape \(3, 2, 4\) = \(batch, "
                                         r"num_layers \* directions, units\)"):
        model.predict(x, initial_state=time_major)
    with pytest.raises(InputError, match="recurrent layer names"):
        model.predict(x, initial_state={"nope": time_major})


def test_return_state_flag_selects_the_reported_layers() -> None:
    model = sk.Sequential([sk.LSTM(3, return_sequences=True, return_state=True, name="a"),
                           sk.GRU(2, name="b")])
    _, states = model.predict(np.zeros((2, 4, 1), dtype=np.float32), return_state=True)
    assert list(states) == ["a"]


def _stateful_pair() -> tuple[sk.Sequential, sk.Sequential]:
    torch.manual_seed(0)
    stateful = sk.Sequential([sk.LSTM(5, return_sequences=True, stateful=True), sk.Dense(2)])
    plain = sk.Sequential([sk.LSTM(5, return_sequences=True), sk.Dense(2)])
    stateful.build((None, None, 3))
    plain.build((None, None, 3))
    plain.load_state_dict(stateful.state_dict())
    return stateful, plain


def test_stateful_layer_carries_state_across_calls_row_by_row() -> None:
    stateful, plain = _stateful_pair()
    x = np.random.default_rng(0).normal(size=(4, 12, 3)).astype(np.float32)
    parts = [stateful.predict(x[:, i:i + 4]) for i in range(0, 12, 4)]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), plain.predict(x), atol=1e-5)
    stateful.reset_states()
    np.testing.assert_allclose(stateful.predict(x[:, :4]), plain.predict(x[:, :4]), atol=1e-6)


def test_stateful_batch_size_change_is_an_error_until_reset() -> None:
    stateful, _ = _stateful_pair()
    stateful.predict(np.zeros((4, 3, 3), dtype=np.float32))
    with pytest.raises(InputError, match=r"expected 4 rows.*received 2 rows"):
        stateful.predict(np.zeros((2, 3, 3), dtype=np.float32))
    stateful.reset_states()
    assert stateful.predict(np.zeros((2, 3, 3), dtype=np.float32)).shape == (2, 3, 2)


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(1, 29), max_size=4, unique=True), last_step=st.booleans())
def test_stream_equals_one_full_pass(cuts: list[int], last_step: bool) -> None:
    torch.manual_seed(0)
    layers = [sk.GRU(4, return_sequences=True), sk.LayerNormalization(),
              sk.LSTM(3, num_layers=2, return_sequences=not last_step), sk.Dense(2)]
    model = sk.Sequential(layers)
    x = np.random.default_rng(len(cuts)).normal(size=(3, 30, 3)).astype(np.float32)
    full = model.predict(x)
    stream = model.stream()
    bounds = [0, *sorted(cuts), 30]
    parts = [stream.step(x[:, a:b]) for a, b in itertools.pairwise(bounds)]
    if last_step:
        np.testing.assert_allclose(parts[-1], full, atol=1e-5)
    else:
        np.testing.assert_allclose(np.concatenate(parts, axis=1), full, atol=1e-5)
    stream.reset()
    np.testing.assert_allclose(stream.step(x[:, :5]), model.predict(x[:, :5]), atol=1e-6)


@pytest.mark.parametrize("layer", [
    sk.GlobalAveragePooling1D(), sk.RepeatVector(2),
    sk.LSTM(2, return_sequences=True, bidirectional=True),  # backward needs the future
    sk.Bidirectional(sk.GRU(2)),
    sk.LSTM(3, initial_state="previous"),
    sk.Ensemble([sk.GRU(2)], members=2),  # members end without a time axis
], ids=lambda layer: type(layer).__name__)
def test_stream_refuses_layers_that_need_the_whole_sequence(layer: sk.layers.Layer) -> None:
    model = sk.Sequential([sk.LSTM(3, return_sequences=True), layer])
    with pytest.raises(ConfigError, match="needs the whole sequence"):
        model.stream()
