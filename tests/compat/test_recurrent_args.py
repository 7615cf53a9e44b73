"""Keras's recurrent-layer arguments against Keras 3 (torch backend): ``go_backwards`` and
``use_bias`` give Keras's outputs with Keras's weights; activations other than Keras's
defaults and ``GRU(reset_after=False)`` are refused with the reason."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch
from _keras_weights import copy_layer

import seqkit as sk
from seqkit.errors import ConfigError

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

UNITS, FEATURES, STEPS, VOCAB = 5, 3, 6, 9
X = np.random.default_rng(0).normal(size=(4, STEPS, FEATURES)).astype(np.float32)
IDS = np.array([[1, 2, 3, 4, 5, 6], [3, 4, 5, 0, 0, 0], [0, 0, 7, 8, 1, 0],
                [2, 0, 3, 0, 0, 4]], dtype=np.int32)


def _perturbed(layer: object, seed: int) -> None:
    rng = np.random.default_rng(seed)
    layer.set_weights([w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                       for w in layer.get_weights()])


def _compare(keras_layers: list, seqkit_layers: list, sample: np.ndarray
             ) -> tuple[np.ndarray, list[sk.layers.LayerOutput]]:
    """Keras's output, and seqkit's on both exact paths (packed, gathered)."""
    dtype = "int32" if sample.dtype == np.int32 else "float32"
    model = keras.Sequential([keras.Input(sample.shape[1:], dtype=dtype), *keras_layers])
    values = torch.from_numpy(sample)
    for index, (theirs, ours) in enumerate(zip(model.layers, seqkit_layers, strict=True)):
        if not isinstance(theirs, keras.layers.Embedding) and theirs.get_weights():
            _perturbed(theirs, index)
        values = ours.eval()(values).values
        copy_layer(theirs, ours)
    outputs = []
    for need_state in (True, False):
        out = sk.layers.LayerOutput(torch.from_numpy(sample))
        with torch.no_grad():
            for layer in seqkit_layers:
                extra = (None, need_state) if isinstance(layer, sk.LSTM | sk.GRU) else ()
                out = layer(out.values, out.lengths, out.state, *extra)
        outputs.append(out)
    return keras.ops.convert_to_numpy(model(sample, training=False)), outputs


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_go_backwards_as_keras(kind: str, return_sequences: bool) -> None:
    arguments = {"go_backwards": True, "return_sequences": return_sequences}
    expected, outputs = _compare([getattr(keras.layers, kind)(UNITS, **arguments)],
                                 [getattr(sk, kind)(UNITS, **arguments)], X)
    for out in outputs:  # Keras returns the reversed sequence: so does seqkit
        np.testing.assert_allclose(out.values.numpy(), expected, atol=2e-6, rtol=0)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_go_backwards_skips_masked_steps_as_keras(kind: str, return_sequences: bool) -> None:
    arguments = {"go_backwards": True, "return_sequences": return_sequences}
    expected, outputs = _compare(
        [keras.layers.Embedding(VOCAB, 4, mask_zero=True),
         getattr(keras.layers, kind)(UNITS, **arguments)],
        [sk.Embedding(VOCAB, 4, mask_zero=True), getattr(sk, kind)(UNITS, **arguments)], IDS)
    kept = (IDS != 0)[:, ::-1]  # the outputs' order
    for out in outputs:
        got = out.values.numpy()
        if return_sequences:
            assert out.lengths.tolist() == kept.tolist()  # the mask follows the outputs
            np.testing.assert_allclose(got[kept], expected[kept], atol=2e-6, rtol=0)
            assert not got[~kept].any()
        else:
            np.testing.assert_allclose(got, expected, atol=2e-6, rtol=0)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_use_bias_false_as_keras(kind: str, bidirectional: bool) -> None:
    theirs = getattr(keras.layers, kind)(UNITS, use_bias=False, return_sequences=True)
    ours = getattr(sk, kind)(UNITS, use_bias=False, return_sequences=True)
    if bidirectional:
        theirs, ours = keras.layers.Bidirectional(theirs), sk.Bidirectional(ours)
    expected, outputs = _compare([theirs], [ours], X)
    core = ours.core
    assert core.rnn.bias is False and core.count_params() == theirs.count_params()
    for out in outputs:
        np.testing.assert_allclose(out.values.numpy(), expected, atol=2e-6, rtol=0)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_keras_default_activations_are_accepted_and_kept_in_config(kind: str) -> None:
    layer = getattr(sk, kind)(UNITS, activation="tanh", recurrent_activation="sigmoid",
                              go_backwards=True, use_bias=False)
    twin = getattr(keras.layers, kind)(UNITS)
    assert (layer.activation, layer.recurrent_activation) == (
        twin.get_config()["activation"], twin.get_config()["recurrent_activation"])
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert config["go_backwards"] is True and config["use_bias"] is False


@pytest.mark.parametrize(("arg", "value"), [
    ("activation", "relu"), ("activation", None), ("recurrent_activation", "hard_sigmoid"),
    ("recurrent_activation", "tanh"), ("activation", torch.tanh)])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_other_activations_are_refused_with_the_reason(kind: str, arg: str,
                                                       value: object) -> None:
    with pytest.raises(ConfigError, match="fused cuDNN/oneDNN kernels") as raised:
        getattr(sk, kind)(UNITS, **{arg: value})
    assert f"{kind} {arg}" in str(raised.value)


def test_gru_reset_after_false_is_refused() -> None:
    assert sk.GRU(UNITS, reset_after=True).get_config()["reset_after"] is True
    with pytest.raises(ConfigError, match="reset_after=False"):
        sk.GRU(UNITS, reset_after=False)
    with pytest.raises(TypeError):
        sk.LSTM(UNITS, reset_after=True)  # an LSTM has no reset gate, nor has Keras's


def test_go_backwards_on_a_bidirectional_layer_is_refused() -> None:
    with pytest.raises(ConfigError, match="go_backwards"):
        sk.LSTM(UNITS, go_backwards=True, bidirectional=True)
    with pytest.raises(ConfigError, match="go_backwards"):
        sk.Bidirectional(sk.GRU(UNITS, go_backwards=True))
