"""``SimpleRNN`` against Keras 3 (torch backend), Keras's weights copied across.

Masks from ``Embedding(mask_zero=True)`` and ``Masking`` (right and left padding, masked
steps inside rows, a row without a kept step), ``tanh`` and ``relu``, ``Bidirectional`` in
two merge modes, ``return_sequences`` on and off, ``go_backwards``, ``use_bias=False``
and two stacked layers (``num_layers=2`` is Keras's two ``SimpleRNN`` layers). seqkit runs
both exact paths (packed, gathered). Outputs at masked steps are zeros here (Keras's
repeats the previous one): valid steps are compared.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.layers.keras_weights import set_layer_weights

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

VOCAB, EMBED, UNITS = 12, 4, 5
ATOL = 2e-6
PATTERNS = {
    "right": [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]],
    "left": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1]],
    "inner": [[1, 0, 1, 1, 0, 0, 1], [0, 1, 0, 1, 0, 1, 0], [1, 1, 1, 1, 1, 1, 1]],
    "all_padding": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0, 0]],
}


def _ids(pattern: str, seed: int = 0) -> np.ndarray:
    kept = np.array(PATTERNS[pattern], dtype=bool)
    ids = np.random.default_rng(seed).integers(1, VOCAB, size=kept.shape)
    return np.where(kept, ids, 0).astype(np.int32)


def _twins(keras_layers: list, ours: list, sample: np.ndarray) -> object:
    """A Keras model on ``sample`` whose (perturbed) weights the seqkit layers copy."""
    dtype = "int32" if sample.dtype == np.int32 else "float32"
    model = keras.Sequential([keras.Input(sample.shape[1:], dtype=dtype), *keras_layers])
    rng = np.random.default_rng(7)
    values = torch.from_numpy(sample)
    for theirs, layer in zip(model.layers, ours, strict=True):
        weights = [w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                   for w in theirs.get_weights()]
        theirs.set_weights(weights)
        layer.eval()
        values = layer(values).values
        set_layer_weights(layer, weights)
    return model


def _run(layers: list, sample: np.ndarray, need_state: bool) -> sk.layers.LayerOutput:
    out = sk.layers.LayerOutput(torch.from_numpy(sample))
    with torch.no_grad():
        for layer in layers:
            if isinstance(layer, sk.layers.RecurrentLayer | sk.Bidirectional):
                out = layer(out.values, out.lengths, out.state, None, need_state)
            else:
                out = layer(out.values, out.lengths, out.state)
    return out


def _compare(model: object, layers: list, sample: np.ndarray, kept: np.ndarray | None,
             sequences: bool) -> None:
    expected = keras.ops.convert_to_numpy(model(sample, training=False))
    for need_state in (True, False):  # packed, gathered
        got = _run(layers, sample, need_state).values.numpy()
        if sequences and kept is not None:
            np.testing.assert_allclose(got[kept], expected[kept], atol=ATOL, rtol=0)
            assert not got[~kept].any()
        else:
            np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("wrapper", [None, "concat", "sum"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_masked_simple_rnn_equals_keras(activation: str, wrapper: str | None,
                                        return_sequences: bool, pattern: str) -> None:
    theirs = keras.layers.SimpleRNN(UNITS, activation=activation,
                                    return_sequences=return_sequences)
    ours = sk.SimpleRNN(UNITS, activation=activation, return_sequences=return_sequences)
    if wrapper is not None:
        theirs = keras.layers.Bidirectional(theirs, merge_mode=wrapper)
        ours = sk.Bidirectional(ours, merge_mode=wrapper)
    ids = _ids(pattern)
    layers = [sk.Embedding(VOCAB, EMBED, mask_zero=True), ours]
    model = _twins([keras.layers.Embedding(VOCAB, EMBED, mask_zero=True), theirs], layers, ids)
    _compare(model, layers, ids, np.array(PATTERNS[pattern], dtype=bool), return_sequences)


@pytest.mark.parametrize("arguments", [{"go_backwards": True}, {"use_bias": False}])
def test_go_backwards_and_no_bias_equal_keras(arguments: dict) -> None:
    x = np.random.default_rng(1).normal(size=(3, 6, 2)).astype(np.float32)
    x[1, 4:] = 0.0
    theirs = [keras.layers.Masking(), keras.layers.SimpleRNN(UNITS, **arguments)]
    layers = [sk.Masking(), sk.SimpleRNN(UNITS, **arguments)]
    model = _twins(theirs, layers, x)
    _compare(model, layers, x, None, False)


def test_num_layers_two_is_two_keras_layers() -> None:
    x = np.random.default_rng(2).normal(size=(3, 6, 2)).astype(np.float32)
    x[2, 3:] = 0.0
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.Masking(),
                              keras.layers.SimpleRNN(UNITS, return_sequences=True),
                              keras.layers.SimpleRNN(UNITS)])
    rng = np.random.default_rng(3)
    model.set_weights([w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    ours = sk.Sequential([sk.Input((6, 2)), sk.Masking(), sk.SimpleRNN(UNITS, num_layers=2)])
    ours.set_weights(model.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               keras.ops.convert_to_numpy(model(x)), atol=ATOL, rtol=0)
    assert ours.count_params() == model.count_params()


def test_initial_weights_follow_keras() -> None:
    layer = sk.SimpleRNN(6)
    layer.build((None, 4, 3))
    kernel, recurrent, bias = sk.layers.keras_weights.get_layer_weights(layer)
    theirs = keras.layers.SimpleRNN(6)
    theirs.build((None, 4, 3))
    assert [w.shape for w in theirs.get_weights()] == [kernel.shape, recurrent.shape,
                                                       bias.shape]
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-5)
    assert not bias.any() and abs(kernel).max() <= (6 / (3 + 6)) ** 0.5
    assert not layer.rnn.bias_hh_l0.requires_grad  # Keras's one bias is bias_ih
