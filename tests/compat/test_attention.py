"""``MultiHeadAttention`` against Keras 3's (torch backend) with Keras's weights copied:
self-attention ``mha(x, x)`` after ``Embedding(mask_zero=True)`` (right and left padding,
masked steps inside rows), ``value_dim``, ``output_shape``, no bias, ``causal`` (Keras's
``use_causal_mask``). Outputs are compared at kept steps (Keras's at masked query steps
are a softmax over nothing; seqkit's are zeros)."""

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

VOCAB, EMBED = 12, 6
ATOL = 2e-6
PATTERNS = {
    "full": [[1] * 7, [1] * 7],
    "right": [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]],
    "left": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1]],
    "inner": [[1, 0, 1, 1, 0, 0, 1], [0, 1, 0, 1, 0, 1, 0], [1, 1, 1, 1, 1, 1, 1]],
}
CASES = [
    {"num_heads": 2, "key_dim": 3},
    {"num_heads": 3, "key_dim": 2, "value_dim": 4},
    {"num_heads": 1, "key_dim": 5, "output_shape": 4},
    {"num_heads": 2, "key_dim": 4, "use_bias": False},
]


def _ids(pattern: str) -> np.ndarray:
    kept = np.array(PATTERNS[pattern], dtype=bool)
    ids = np.random.default_rng(0).integers(1, VOCAB, size=kept.shape)
    return np.where(kept, ids, 0).astype(np.int32)


def _keras_model(arguments: dict, causal: bool) -> object:
    inputs = keras.Input((7,), dtype="int32")
    embedded = keras.layers.Embedding(VOCAB, EMBED, mask_zero=True)(inputs)
    attended = keras.layers.MultiHeadAttention(**arguments)(embedded, embedded,
                                                             use_causal_mask=causal)
    model = keras.Model(inputs, attended)
    rng = np.random.default_rng(1)
    model.set_weights([w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    return model


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("arguments", CASES, ids=lambda a: "-".join(map(str, a.values())))
def test_self_attention_equals_keras(arguments: dict, pattern: str, causal: bool) -> None:
    theirs = _keras_model(arguments, causal)
    embedding = sk.Embedding(VOCAB, EMBED, mask_zero=True)
    attention = sk.MultiHeadAttention(**arguments, causal=causal)
    ids = _ids(pattern)
    with torch.no_grad():
        out = embedding(torch.from_numpy(ids))
        attention(out.values, out.lengths)  # builds it
        set_layer_weights(embedding, theirs.layers[1].get_weights())
        set_layer_weights(attention, theirs.layers[2].get_weights())
        out = embedding(torch.from_numpy(ids))
        got = attention.eval()(out.values, out.lengths).values.numpy()
    expected = keras.ops.convert_to_numpy(theirs(ids, training=False))
    kept = np.array(PATTERNS[pattern], dtype=bool)
    np.testing.assert_allclose(got[kept], expected[kept], atol=ATOL, rtol=0)
    assert not got[~kept].any()


def test_weights_have_keras_shapes_and_order() -> None:
    theirs = keras.layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5)
    sample = np.zeros((1, 4, 6), dtype=np.float32)
    theirs(sample, sample)
    ours = sk.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5)
    ours.build((None, 4, 6))
    assert [w.shape for w in get_layer_weights(ours)] == [
        tuple(w.shape) for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()


def test_initial_kernels_have_keras_scale() -> None:
    """Keras's glorot fans of an (in, heads, key_dim) kernel: in * heads and in * key_dim."""
    torch.manual_seed(0)
    ours = sk.MultiHeadAttention(num_heads=4, key_dim=8)
    ours.build((None, 5, 16))
    kernel = get_layer_weights(ours)[0]
    limit = (6 / (16 * 4 + 16 * 8)) ** 0.5
    assert abs(kernel).max() <= limit and abs(kernel).max() > 0.9 * limit


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("pattern", ["right", "left", "inner"])
@pytest.mark.parametrize("arguments", [{}, {"use_scale": True},
                                       {"score_mode": "concat", "use_scale": True}],
                         ids=["dot", "scaled", "concat"])
def test_dot_product_attention_equals_keras(arguments: dict, pattern: str,
                                            causal: bool) -> None:
    """Keras's ``Attention()([x, x])``: masked queries give zeros there too."""
    inputs = keras.Input((7,), dtype="int32")
    embedded = keras.layers.Embedding(VOCAB, EMBED, mask_zero=True)(inputs)
    attended = keras.layers.Attention(**arguments)([embedded, embedded],
                                                   use_causal_mask=causal)
    theirs = keras.Model(inputs, attended)
    rng = np.random.default_rng(2)
    theirs.set_weights([w + rng.normal(0, 0.3, np.shape(w)).astype(np.float32)
                        for w in theirs.get_weights()])
    embedding = sk.Embedding(VOCAB, EMBED, mask_zero=True)
    attention = sk.Attention(**arguments, causal=causal)
    ids = _ids(pattern)
    with torch.no_grad():
        out = embedding(torch.from_numpy(ids))
        attention(out.values, out.lengths)
        set_layer_weights(embedding, theirs.layers[1].get_weights())
        set_layer_weights(attention, theirs.layers[2].get_weights())
        out = embedding(torch.from_numpy(ids))
        got = attention.eval()(out.values, out.lengths).values.numpy()
    expected = keras.ops.convert_to_numpy(theirs(ids, training=False))
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)  # zeros at masked too
    assert [w.shape for w in get_layer_weights(attention)] == [
        np.shape(w) for w in theirs.layers[2].get_weights()]
