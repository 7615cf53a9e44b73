"""Initial weights and input dropout against Keras 3 (torch backend).

Random draws cannot be equal across libraries, so each check compares what Keras
guarantees: the bias exactly (zeros, the LSTM forget gate at 1), orthonormal rows of the
recurrent kernel in Keras's layout, the variance and bounds of each named distribution,
and, with Keras's weights copied in, the same forward output.

Layouts: Keras's kernels are ``(in, gates * units)``, torch's ``(gates * units, in)``;
LSTM gates i, f, c, o are torch's i, f, g, o; GRU gates z, r, h are torch's r, z, n (so
blocks 0 and 1 swap); Keras's LSTM bias is torch's ``bias_ih + bias_hh``, its GRU bias
``(2, 3 * units)`` is ``(bias_ih, bias_hh)``.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch
from _keras_weights import _numpy, copy_from_keras, keras_weights_of

import seqkit as sk
from seqkit.layers.initializers import initialize

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

UNITS, FEATURES, STEPS = 16, 3, 7
X = np.random.default_rng(0).normal(size=(5, STEPS, FEATURES)).astype(np.float32)


def _pair(kind: str, units: int = UNITS, features: int = FEATURES, **arguments: object
          ) -> tuple[sk.LSTM | sk.GRU, object]:
    layer = getattr(sk, kind)(units, **arguments)
    layer.build((None, STEPS, features))
    twin = getattr(keras.layers, kind)(units, **arguments)
    twin.build((None, STEPS, features))
    return layer, twin


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_biases_equal_keras(kind: str) -> None:
    layer, twin = _pair(kind)
    ours, theirs = keras_weights_of(layer)[2], _numpy(twin.get_weights()[2])
    assert ours.shape == theirs.shape  # LSTM (4u,), GRU (2, 3u)
    assert torch.equal(ours, theirs)  # zeros, and the LSTM forget gate at 1
    if kind == "LSTM":
        assert float(ours[UNITS:2 * UNITS].min()) == 1.0


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_kernels_are_orthogonal_in_keras_layout(kind: str) -> None:
    torch.manual_seed(0)
    layer, twin = _pair(kind)
    ours, theirs = keras_weights_of(layer)[1], _numpy(twin.get_weights()[1])
    assert ours.shape == theirs.shape == (UNITS, len(ours[0]))
    for matrix in (theirs, ours):  # one orthogonal (units, gates * units) matrix
        torch.testing.assert_close(matrix @ matrix.T, torch.eye(UNITS), atol=1e-5, rtol=0)
    assert float(ours.std()) == pytest.approx(float(theirs.std()), rel=0.02)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_kernels_follow_keras_glorot(kind: str) -> None:
    torch.manual_seed(1)
    layer, twin = _pair(kind, units=64, features=48)
    ours, theirs = keras_weights_of(layer)[0], _numpy(twin.get_weights()[0])
    assert ours.shape == theirs.shape
    limit = math.sqrt(6 / sum(theirs.shape))  # fans of Keras's (in, gates * units)
    for matrix in (theirs, ours):
        assert 0.98 * limit < float(matrix.abs().max()) <= limit
        assert float(matrix.var()) == pytest.approx(limit**2 / 3, rel=0.04)


def test_dense_and_embedding_follow_keras() -> None:
    torch.manual_seed(2)
    dense = sk.Dense(200)
    dense.build((None, 120))
    twin = keras.layers.Dense(200)
    twin.build((None, 120))
    kernel, bias = (_numpy(w) for w in twin.get_weights())
    assert torch.equal(dense.linear.bias.detach(), bias)
    assert float(dense.linear.weight.detach().var()) == pytest.approx(float(kernel.var()),
                                                                      rel=0.05)
    embedding = sk.Embedding(1000, 16)
    embedding.build((None, 4))
    table = keras.layers.Embedding(1000, 16)
    table.build((None, 4))
    theirs = _numpy(table.get_weights()[0])
    ours = embedding.embedding.weight.detach()
    assert ours.shape == theirs.shape
    assert float(ours.std()) == pytest.approx(float(theirs.std()), rel=0.05)
    assert float(ours.abs().max()) <= 0.05 and float(theirs.abs().max()) <= 0.05


NAMES = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
         "lecun_normal", "orthogonal", "uniform", "random_uniform", "normal",
         "random_normal", "truncated_normal", "zeros", "ones"]


@pytest.mark.parametrize("name", NAMES)
def test_every_keras_name_draws_keras_distribution(name: str) -> None:
    shape = (96, 256)  # Keras's (in, out); torch's tensor is its transpose
    keras.utils.set_random_seed(3)
    theirs = _numpy(keras.ops.convert_to_numpy(keras.initializers.get(name)(shape)))
    torch.manual_seed(3)
    ours = torch.empty(shape[::-1])
    initialize(name, ours, shape)
    ours = ours.T
    assert float(ours.mean()) == pytest.approx(float(theirs.mean()), abs=0.01)
    assert float(ours.std()) == pytest.approx(float(theirs.std()), rel=0.03, abs=1e-7)
    assert float(ours.abs().max()) <= max(1.05 * float(theirs.abs().max()), 1e-7)
    if name == "orthogonal":
        torch.testing.assert_close(ours @ ours.T, torch.eye(96), atol=1e-5, rtol=0)


@pytest.mark.parametrize(("kind", "arguments"), [
    ("LSTM", {}), ("GRU", {}), ("LSTM", {"return_sequences": True}),
    ("GRU", {"return_sequences": True, "dropout": 0.5})])
def test_keras_weights_give_keras_outputs(kind: str, arguments: dict) -> None:
    keras.utils.set_random_seed(4)
    layer, twin = _pair(kind, **arguments)
    weights = [w + np.random.default_rng(5).normal(0, 0.3, w.shape).astype(np.float32)
               for w in twin.get_weights()]  # non-zero biases: their layout is tested too
    twin.set_weights(weights)
    copy_from_keras(weights, layer)
    expected = keras.ops.convert_to_numpy(twin(X, training=False))
    got = layer.eval()(torch.from_numpy(X)).values.detach().numpy()
    np.testing.assert_allclose(got, expected, atol=2e-6, rtol=0)


def test_bidirectional_keras_weights_give_keras_outputs() -> None:
    keras.utils.set_random_seed(6)
    twin = keras.layers.Bidirectional(keras.layers.LSTM(UNITS, return_sequences=True))
    twin.build((None, STEPS, FEATURES))
    layer = sk.Bidirectional(sk.LSTM(UNITS, return_sequences=True))
    layer.build((None, STEPS, FEATURES))
    weights = twin.get_weights()  # forward's three, then backward's
    copy_from_keras(weights[:3], layer.layer, "_l0")
    copy_from_keras(weights[3:], layer.layer, "_l0_reverse")
    expected = keras.ops.convert_to_numpy(twin(X))
    got = layer.eval()(torch.from_numpy(X)).values.detach().numpy()
    np.testing.assert_allclose(got, expected, atol=2e-6, rtol=0)


def _built_bidirectional() -> sk.LSTM:
    layer = sk.LSTM(UNITS, bidirectional=True)
    layer.build((None, STEPS, FEATURES))
    return layer


def test_fresh_bidirectional_biases_equal_keras_per_direction() -> None:
    twin = keras.layers.Bidirectional(keras.layers.LSTM(UNITS))
    twin.build((None, STEPS, FEATURES))
    weights = twin.get_weights()
    layer = _built_bidirectional()
    for suffix, start in (("_l0", 0), ("_l0_reverse", 3)):
        assert torch.equal(keras_weights_of(layer, suffix)[2], _numpy(weights[start + 2]))


def test_input_dropout_keeps_keras_inference_and_drops_in_training() -> None:
    """Keras's dropout is off at inference and drops inputs in training; so is seqkit's."""
    keras.utils.set_random_seed(7)
    layer, twin = _pair("LSTM", dropout=0.5)
    copy_from_keras(twin.get_weights(), layer)
    inputs = torch.from_numpy(X)
    expected = keras.ops.convert_to_numpy(twin(X, training=False))
    np.testing.assert_allclose(layer.eval()(inputs).values.detach().numpy(), expected,
                               atol=2e-6, rtol=0)
    trained_keras = keras.ops.convert_to_numpy(twin(X, training=True))
    trained = layer.train()(inputs).values.detach().numpy()
    assert np.abs(trained_keras - expected).max() > 1e-3
    assert np.abs(trained - expected).max() > 1e-3
