"""``BatchNormalization``, ``SpatialDropout1D``, ``Flatten``, ``Reshape`` and
``TimeDistributed`` against Keras 3 (torch backend), Keras's weights copied across; and a
CNN-LSTM ``Sequential`` against the same Keras model (``set_weights(get_weights())``)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.layers.keras_weights import get_layer_weights, set_layer_weights

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

ATOL = 1e-5


def _numpy(tensor: object) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


def _perturbed(layer: object, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = [w + rng.uniform(0.1, 0.5, w.shape).astype(np.float32)
               for w in layer.get_weights()]  # + keeps the moving variance positive
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("arguments", [{}, {"momentum": 0.9, "epsilon": 1e-2},
                                       {"center": False}, {"scale": False}], ids=str)
def test_batch_normalization_equals_keras_in_training_and_inference(arguments: dict) -> None:
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(4, 6, 3)).astype(np.float32)
    theirs = keras.layers.BatchNormalization(**arguments)
    theirs.build((None, 6, 3))
    ours = sk.BatchNormalization(**arguments)
    ours.build((None, 6, 3))
    assert [w.shape for w in get_layer_weights(ours)] == \
        [w.shape for w in theirs.get_weights()]
    set_layer_weights(ours, _perturbed(theirs, 1))
    assert ours.count_params() == theirs.count_params()
    for training in (False, True, False):  # inference, a training step, inference again
        expected = _numpy(theirs(x, training=training))
        got = ours.train(training)(torch.from_numpy(x)).values.detach().numpy()
        np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
    for got, expected in zip(get_layer_weights(ours), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)


def test_masked_batch_normalization_statistics_are_keras_over_valid_steps() -> None:
    x = np.random.default_rng(2).normal(1.0, 2.0, size=(3, 7, 2)).astype(np.float32)
    lengths = [7, 4, 2]
    for row, length in enumerate(lengths):
        x[row, length:] = 0.0
    theirs = keras.Sequential([keras.Input((7, 2)), keras.layers.Masking(),
                               keras.layers.BatchNormalization(momentum=0.5)])
    ours = sk.BatchNormalization(momentum=0.5)
    ours.build((None, 7, 2))
    set_layer_weights(ours, _perturbed(theirs.layers[-1], 3))
    expected = _numpy(theirs(x, training=True))
    got = ours.train()(torch.from_numpy(x) + 50.0 * (torch.from_numpy(x) == 0),  # junk
                       torch.tensor(lengths)).values.detach().numpy()
    kept = np.arange(7)[None] < np.array(lengths)[:, None]
    np.testing.assert_allclose(got[kept], expected[kept], atol=ATOL, rtol=0)
    assert not got[~kept].any()
    for got_w, expected_w in zip(get_layer_weights(ours)[2:], theirs.get_weights()[2:],
                                 strict=True):
        np.testing.assert_allclose(got_w, expected_w, atol=ATOL, rtol=0)


def test_spatial_dropout_drops_channels_as_keras() -> None:
    x = np.ones((64, 5, 8), dtype=np.float32)
    theirs = _numpy(keras.layers.SpatialDropout1D(0.25)(x, training=True))
    torch.manual_seed(0)
    ours = sk.SpatialDropout1D(0.25).train()(torch.from_numpy(x)).values.numpy()
    for out in (theirs, ours):  # the same values along time, kept ones scaled by 1 / 0.75
        assert (out == out[:, :1]).all()
        np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.75], rtol=1e-6)
        assert 0.15 < (out[:, 0] == 0).mean() < 0.35
    np.testing.assert_array_equal(sk.SpatialDropout1D(0.25).eval()(torch.from_numpy(x))
                                  .values.numpy(), _numpy(keras.layers.SpatialDropout1D(0.25)(x)))


@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda: sk.Flatten(), lambda: keras.layers.Flatten()),
    (lambda: sk.Reshape((3, -1)), lambda: keras.layers.Reshape((3, -1))),
    (lambda: sk.Reshape((6, 2, 2)), lambda: keras.layers.Reshape((6, 2, 2))),
], ids=["Flatten", "Reshape(3,-1)", "Reshape(6,2,2)"])
def test_flatten_and_reshape_equal_keras(ours: object, theirs: object) -> None:
    x = np.random.default_rng(4).normal(size=(2, 6, 4)).astype(np.float32)
    expected = _numpy(theirs()(x))
    layer = ours()
    np.testing.assert_array_equal(layer(torch.from_numpy(x)).values.numpy(), expected)
    assert layer.compute_output_shape((None, 6, 4)) == \
        tuple(theirs().compute_output_shape((None, 6, 4)))


@pytest.mark.parametrize(("ours", "theirs", "shape"), [
    (lambda: sk.Dense(3, activation="tanh"),
     lambda: keras.layers.Dense(3, activation="tanh"), (2, 5, 4)),
    (lambda: sk.Conv1D(4, 3, padding="same"),
     lambda: keras.layers.Conv1D(4, 3, padding="same"), (2, 5, 6, 2)),
    (lambda: sk.LSTM(3), lambda: keras.layers.LSTM(3), (2, 4, 6, 2)),
], ids=["Dense", "Conv1D", "LSTM"])
def test_time_distributed_equals_keras(ours: object, theirs: object, shape: tuple) -> None:
    x = np.random.default_rng(5).normal(size=shape).astype(np.float32)
    keras_layer = keras.layers.TimeDistributed(theirs())
    keras_layer.build((None, *shape[1:]))
    layer = sk.TimeDistributed(ours())
    layer.build((None, *shape[1:]))
    set_layer_weights(layer, _perturbed(keras_layer, 6))
    with torch.no_grad():
        got = layer.eval()(torch.from_numpy(x)).values.numpy()
    np.testing.assert_allclose(got, _numpy(keras_layer(x)), atol=ATOL, rtol=0)
    assert layer.compute_output_shape((None, *shape[1:])) == \
        tuple(keras_layer.compute_output_shape((None, *shape[1:])))


def test_cnn_lstm_sequential_equals_keras() -> None:
    x = np.random.default_rng(7).normal(size=(5, 24, 2)).astype(np.float32)

    def stack(lib: object) -> list:
        layers = lib.layers if lib is keras else sk
        return [layers.Conv1D(8, 3, padding="causal", activation="relu"),
                layers.BatchNormalization(), layers.MaxPooling1D(2),
                layers.SpatialDropout1D(0.2), layers.Conv1D(6, 2, strides=2),
                layers.AveragePooling1D(2, padding="same"), layers.LSTM(5),
                layers.Dense(1)]

    theirs = keras.Sequential([keras.Input((24, 2)), *stack(keras)])
    _perturbed(theirs, 8)
    ours = sk.Sequential([sk.Input((24, 2)), *stack(sk)])
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), _numpy(theirs(x)), atol=ATOL,
                               rtol=0)
    assert ours.count_params() == theirs.count_params()
