"""``SimpleRNN`` as a seqkit block: padding invariance, states, stateful and streaming,
config, saving and ONNX; its refusals."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, SizeError


def _model(**arguments: object) -> sk.Sequential:
    torch.manual_seed(0)
    model = sk.Sequential([sk.SimpleRNN(4, return_sequences=True, **arguments), sk.Dense(2)])
    model.build((None, None, 3))
    return model


@pytest.mark.parametrize("arguments", [{}, {"bidirectional": True}, {"activation": "relu"},
                                       {"num_layers": 2}, {"go_backwards": True}])
def test_padded_batch_equals_each_sequence_alone(arguments: dict) -> None:
    model = _model(**arguments)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 8, 3)).astype(np.float32)
    lengths = np.array([8, 5, 2])
    x[1, 5:], x[2, 2:] = 1e6, -1e6  # padding must never leak into valid steps
    batch = model.predict(x, lengths=lengths, verbose=0)
    for row, length in enumerate(lengths):
        alone = model.predict(x[row:row + 1, :length], verbose=0)
        if arguments.get("go_backwards"):  # the output sequence keeps the reversed order
            np.testing.assert_allclose(batch[row, -length:], alone[0], atol=1e-5)
        else:
            np.testing.assert_allclose(batch[row, :length], alone[0], atol=1e-5)
            assert not batch[row, length:].any()


def test_stateful_and_stream_equal_one_full_pass() -> None:
    x = np.random.default_rng(1).normal(size=(2, 12, 3)).astype(np.float32)
    plain, stateful = _model(), _model(stateful=True)
    stateful.load_state_dict(plain.state_dict())
    full = plain.predict(x, verbose=0)
    parts = [stateful.predict(x[:, i:i + 4], verbose=0) for i in range(0, 12, 4)]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), full, atol=1e-5)
    stream = plain.stream()
    parts = [stream.step(x[:, a:b]) for a, b in itertools.pairwise([0, 3, 7, 12])]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), full, atol=1e-5)


def test_states_are_h_only_and_feed_the_next_layer() -> None:
    torch.manual_seed(0)
    model = sk.Sequential([sk.SimpleRNN(4, return_state=True), sk.RepeatVector(3),
                           sk.SimpleRNN(4, return_sequences=True, initial_state="previous")])
    x = np.random.default_rng(2).normal(size=(2, 5, 3)).astype(np.float32)
    out, states = model.predict(x, return_state=True, verbose=0)
    (state,) = states.values()
    assert out.shape == (2, 3, 4) and state.h.shape == (2, 1, 4) and state.c is None
    encoder, repeat, decoder = model.layers
    with torch.no_grad():
        encoded = encoder(torch.from_numpy(x))
        started = decoder(repeat(encoded.values).values,
                          initial_state=sk.RecurrentState(encoded.state.h)).values
        zeros = decoder(repeat(encoded.values).values,
                        initial_state=sk.RecurrentState(torch.zeros(2, 1, 4))).values
    np.testing.assert_allclose(started.numpy(), out, atol=1e-5)
    assert not np.allclose(zeros.numpy(), out, atol=1e-3)  # the start state matters


def test_config_round_trip_and_saved_file(tmp_path: Path) -> None:
    model = _model(activation="relu", bidirectional=True, dropout=0.1)
    x = np.random.default_rng(3).normal(size=(2, 6, 3)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    config = model.layers[0].get_config()
    assert "recurrent_activation" not in config and config["activation"] == "relu"
    assert sk.SimpleRNN.from_config(config).get_config() == config
    model.save(tmp_path / "rnn.seqkit")
    loaded = sk.load_model(tmp_path / "rnn.seqkit")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)
    assert loaded.count_params() == 2 * (3 * 4 + 4 * 4 + 4) + 8 * 2 + 2  # Keras's count


@pytest.mark.filterwarnings("ignore::UserWarning")  # the exporter's RNN notes
def test_onnx_export_answers_like_predict(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    model = _model()
    x = np.random.default_rng(4).normal(size=(2, 6, 3)).astype(np.float32)
    model.build((None, 6, 3))
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "rnn.onnx")))
    np.testing.assert_allclose(session.run(None, {"x": x})[0], model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("arguments", "match"), [
    ({"activation": "sigmoid"}, r"activation: expected one of \['tanh', 'relu'\]"),
    ({"recurrent_dropout": 0.2}, "recurrent_dropout"),
    ({"recurrent_activation": "sigmoid"}, "recurrent_activation"),
])
def test_refused_arguments(arguments: dict, match: str) -> None:
    with pytest.raises((ConfigError, TypeError), match=match):
        sk.SimpleRNN(3, **arguments)


def test_kernel_path_and_bias_rate() -> None:
    layer = sk.SimpleRNN(3)
    layer.build((None, 4, 2))
    assert layer.kernel_path().padded == "gathered"
    assert layer.count_params() == 2 * 3 + 3 * 3 + 3  # bias_hh frozen, not counted
    assert not layer.rnn.bias_hh_l0.requires_grad


def test_build_refuses_a_layer_too_large_before_allocating() -> None:
    layer = sk.SimpleRNN(40_000)  # 1.6e9 recurrent weights: allowed until the input is known
    with pytest.raises(SizeError, match="SimpleRNN size"):
        layer.build((None, 3, 1_000_000))
    assert layer.rnn is None
