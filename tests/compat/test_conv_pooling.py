"""``Conv1D``, ``MaxPooling1D`` and ``AveragePooling1D`` against Keras 3 (torch backend).

Keras's weights are copied across (``set_weights(keras_layer.get_weights())``). A padded
seqkit batch is compared with Keras run on each sequence alone (Keras has no lengths for
these layers): the valid outputs agree, the output lengths are those Keras's shapes give,
and outputs after them are zeros.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.layers._windows import same_pads
from seqkit.layers.keras_weights import get_layer_weights, set_layer_weights

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

ATOL = 1e-5
LENGTHS = [13, 11, 8, 7]
FEATURES = 3


def _batch(seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """A padded batch (padding holds large junk) and its sequences alone."""
    rng = np.random.default_rng(seed)
    rows = [rng.normal(size=(length, FEATURES)).astype(np.float32) for length in LENGTHS]
    padded = np.full((len(rows), max(LENGTHS), FEATURES), 1e6, dtype=np.float32)
    for index, row in enumerate(rows):
        padded[index, :len(row)] = row
    return padded, rows


def _keras_alone(layer: object, row: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(layer(row[None], training=False))[0]


def _tensorflow_average(row: np.ndarray, pool: int, stride: int) -> np.ndarray:
    """TensorFlow's ``"same"`` average: padding never counted."""
    before, _ = same_pads(len(row), span=pool, stride=stride)
    starts = range(-before, -before + stride * -(-len(row) // stride), stride)
    return np.stack([row[max(0, s):s + pool].mean(axis=0) for s in starts])


def _uneven(row: np.ndarray, pool: int, stride: int) -> bool:
    before, after = same_pads(len(row), span=pool, stride=stride)
    return before != after


def _check(ours: sk.layers.Layer, theirs: object, seed: int) -> None:
    padded, rows = _batch(seed)
    with torch.no_grad():
        out = ours.eval()(torch.from_numpy(padded), torch.tensor(LENGTHS))
    for index, row in enumerate(rows):
        expected = _keras_alone(theirs, row)
        if (isinstance(ours, sk.AveragePooling1D) and ours.padding == "same"
                and _uneven(row, ours.pool_size, ours.strides)):
            # Keras 3 on torch repeats the edge step into uneven padding; TensorFlow's
            # Keras (and seqkit) leave padding out of the mean
            expected = _tensorflow_average(row, ours.pool_size, ours.strides)
        length = int(out.lengths[index])
        assert length == len(expected)
        np.testing.assert_allclose(out.values[index, :length].numpy(), expected, atol=ATOL,
                                   rtol=0)
        assert not out.values[index, length:].any()


CONV_CASES = [
    {"kernel_size": 3},
    {"kernel_size": 1, "activation": "relu"},
    {"kernel_size": 4, "padding": "same"},
    {"kernel_size": 3, "strides": 2, "padding": "same"},
    {"kernel_size": 4, "strides": 3, "padding": "same"},
    {"kernel_size": 3, "strides": 2},
    {"kernel_size": 3, "padding": "causal", "dilation_rate": 2},
    {"kernel_size": 2, "padding": "causal", "strides": 2},
    {"kernel_size": 2, "dilation_rate": 3, "use_bias": False, "activation": "tanh"},
]


@pytest.mark.parametrize("arguments", CONV_CASES, ids=str)
def test_conv1d_on_a_padded_batch_equals_keras_on_each_sequence(arguments: dict) -> None:
    theirs = keras.layers.Conv1D(4, **arguments)
    theirs.build((None, None, FEATURES))
    rng = np.random.default_rng(1)
    theirs.set_weights([w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                        for w in theirs.get_weights()])
    ours = sk.Conv1D(4, **arguments)
    ours.build((None, None, FEATURES))
    set_layer_weights(ours, theirs.get_weights())
    _check(ours, theirs, seed=2)
    assert ours.count_params() == theirs.count_params()
    assert ours.compute_output_shape((None, 13, FEATURES)) == \
        tuple(theirs.compute_output_shape((None, 13, FEATURES)))


def test_conv1d_groups_and_weights_layout_are_keras() -> None:
    theirs = keras.layers.Conv1D(4, 3, groups=2)
    theirs.build((None, None, 6))
    ours = sk.Conv1D(4, 3, groups=2)
    ours.build((None, None, 6))
    assert [w.shape for w in get_layer_weights(ours)] == \
        [w.shape for w in theirs.get_weights()]
    set_layer_weights(ours, theirs.get_weights())
    x = np.random.default_rng(3).normal(size=(2, 9, 6)).astype(np.float32)
    with torch.no_grad():
        got = ours(torch.from_numpy(x)).values.numpy()
    np.testing.assert_allclose(got, keras.ops.convert_to_numpy(theirs(x)), atol=ATOL, rtol=0)


def test_conv1d_initial_weights_follow_keras() -> None:
    ours = sk.Conv1D(64, 5)
    ours.build((None, None, 8))
    kernel, bias = get_layer_weights(ours)
    limit = (6 / (5 * 8 + 5 * 64)) ** 0.5  # glorot_uniform with Keras's fans
    assert not bias.any() and abs(kernel).max() <= limit
    assert abs(kernel).max() > 0.9 * limit


POOL_CASES = [
    {"pool_size": 2},
    {"pool_size": 3, "strides": 1},
    {"pool_size": 3, "strides": 2},
    {"pool_size": 2, "padding": "same"},
    {"pool_size": 3, "strides": 2, "padding": "same"},
    {"pool_size": 3, "strides": 1, "padding": "same"},
    {"pool_size": 4, "strides": 3, "padding": "same"},
]


@pytest.mark.parametrize("arguments", POOL_CASES, ids=str)
@pytest.mark.parametrize("kind", ["MaxPooling1D", "AveragePooling1D"])
def test_pooling_on_a_padded_batch_equals_keras_on_each_sequence(kind: str,
                                                                 arguments: dict) -> None:
    theirs = getattr(keras.layers, kind)(**arguments)
    ours = getattr(sk, kind)(**arguments)
    _check(ours, theirs, seed=4)
    assert ours.compute_output_shape((None, 13, FEATURES)) == \
        tuple(theirs.compute_output_shape((None, 13, FEATURES)))
