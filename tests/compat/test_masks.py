"""Masks against Keras 3 (torch backend): any masked step is skipped, as in Keras.

Each case builds the Keras layers and the seqkit ones, copies Keras's weights across and
compares: LSTM, GRU and Bidirectional (every merge mode), ``return_sequences`` on and
off, right and left padding, masked steps inside rows and rows with no kept step, masks
from ``Embedding(mask_zero=True)`` and from ``Masking``, pooling after a mask, and the
masked loss of per-step targets. seqkit runs both exact paths (packed, gathered).

Deliberate differences, pinned here and listed in docs/guide/keras-differences.md:
outputs at masked steps are zeros (Keras's LSTM and GRU repeat the previous output;
its ``Bidirectional`` gives zeros too), a row with no kept step averages to zeros (Keras:
NaN), and ``GlobalMaxPooling1D`` leaves masked steps out (Keras's takes them in).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch
from _keras_weights import copy_layer

import seqkit as sk
from seqkit.layers import masks

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

VOCAB, EMBED, UNITS, STEPS = 12, 4, 5, 7
ATOL = 2e-6

# Kept steps (1) per row; each pattern also holds one full row.
PATTERNS = {
    "right": [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0],
              [1, 1, 1, 1, 1, 1, 0]],
    "left": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0, 1],
             [0, 1, 1, 1, 1, 1, 1]],
    "inner": [[1, 1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0, 0, 1], [0, 1, 0, 1, 0, 1, 0],
              [1, 1, 0, 0, 0, 1, 1]],
    "all_padding": [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0, 0],
                    [1, 1, 1, 0, 0, 0, 0]],
}
WRAPPERS = [None, "concat", "sum", "mul", "ave"]


def _ids(pattern: str, seed: int = 0) -> np.ndarray:
    kept = np.array(PATTERNS[pattern], dtype=bool)
    ids = np.random.default_rng(seed).integers(1, VOCAB, size=kept.shape)
    return np.where(kept, ids, 0).astype(np.int32)


def _numeric(pattern: str, seed: int = 0) -> np.ndarray:
    kept = np.array(PATTERNS[pattern], dtype=bool)
    x = np.random.default_rng(seed).normal(size=(*kept.shape, 3)).astype(np.float32)
    return np.where(kept[..., None], x, 0.0).astype(np.float32)


def _perturbed(layer: object, seed: int) -> None:
    """Non-zero biases and less regular weights, so every layout is tested."""
    rng = np.random.default_rng(seed)
    layer.set_weights([w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                       for w in layer.get_weights()])


def _recurrent(kind: str, wrapper: str | None, return_sequences: bool, **arguments: object
               ) -> tuple[object, sk.layers.Layer]:
    theirs = getattr(keras.layers, kind)(UNITS, return_sequences=return_sequences,
                                         **arguments)
    ours = getattr(sk, kind)(UNITS, return_sequences=return_sequences, **arguments)
    if wrapper is not None:
        theirs = keras.layers.Bidirectional(theirs, merge_mode=wrapper)
        ours = sk.Bidirectional(ours, merge_mode=wrapper)
    return theirs, ours


def _twins(keras_layers: list, seqkit_layers: list, sample: np.ndarray, seed: int = 1
           ) -> tuple[object, list]:
    """A Keras model and the seqkit layers holding its weights (built on ``sample``)."""
    dtype = "int32" if sample.dtype == np.int32 else "float32"
    model = keras.Sequential([keras.Input(sample.shape[1:], dtype=dtype), *keras_layers])
    for index, layer in enumerate(model.layers):
        if layer.get_weights() and not isinstance(layer, keras.layers.Embedding):
            _perturbed(layer, seed + index)
    values: torch.Tensor = torch.from_numpy(sample)
    for theirs, ours in zip(model.layers, seqkit_layers, strict=True):
        ours.eval()
        values = ours(values).values  # builds it
        copy_layer(theirs, ours)
    return model, seqkit_layers


def _run(layers: list, sample: np.ndarray, need_state: bool = True) -> sk.layers.LayerOutput:
    out = sk.layers.LayerOutput(torch.from_numpy(sample))
    with torch.no_grad():
        for layer in layers:
            if isinstance(layer, sk.LSTM | sk.GRU | sk.Bidirectional):
                out = layer(out.values, out.lengths, out.state, None, need_state)
            else:
                out = layer(out.values, out.lengths, out.state)
    return out


def _keras(model: object, sample: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(model(sample, training=False))


def _kept(pattern: str) -> np.ndarray:
    return np.array(PATTERNS[pattern], dtype=bool)


@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_embedding_mask_skips_steps_as_keras(kind: str, wrapper: str | None,
                                             return_sequences: bool, pattern: str) -> None:
    ids = _ids(pattern)
    theirs, ours = _recurrent(kind, wrapper, return_sequences)
    model, layers = _twins([keras.layers.Embedding(VOCAB, EMBED, mask_zero=True), theirs],
                           [sk.Embedding(VOCAB, EMBED, mask_zero=True), ours], ids)
    expected = _keras(model, ids)
    kept = _kept(pattern)
    for need_state in (True, False):  # packed, gathered
        got = _run(layers, ids, need_state).values.numpy()
        if return_sequences:
            np.testing.assert_allclose(got[kept], expected[kept], atol=ATOL, rtol=0)
            assert not got[~kept].any()  # seqkit: zeros at masked steps
        else:
            np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("pattern", ["left", "inner", "all_padding"])
@pytest.mark.parametrize("wrapper", [None, "concat"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_masking_layer_skips_steps_as_keras(kind: str, wrapper: str | None,
                                            pattern: str) -> None:
    x = _numeric(pattern, seed=2)
    theirs, ours = _recurrent(kind, wrapper, True)
    model, layers = _twins([keras.layers.Masking(0.0), theirs], [sk.Masking(0.0), ours], x)
    expected = _keras(model, x)
    kept = _kept(pattern)
    for need_state in (True, False):
        out = _run(layers, x, need_state)
        assert out.lengths.tolist() == kept.tolist()  # the mask flows on
        np.testing.assert_allclose(out.values.numpy()[kept], expected[kept], atol=ATOL,
                                   rtol=0)


def test_masking_value_and_masked_inputs_as_keras() -> None:
    x = _numeric("inner", seed=3)
    x[0, 2, 0] = -1.0  # one feature equal to the mask value does not mask a step
    x = np.where(_kept("inner")[..., None], x, -1.0).astype(np.float32)
    expected = keras.ops.convert_to_numpy(keras.layers.Masking(-1.0)(x))
    out = sk.Masking(-1)(torch.from_numpy(x))
    np.testing.assert_array_equal(out.values.numpy(), expected)  # masked steps: zeros
    assert out.lengths.tolist() == _kept("inner").tolist()


def test_stacked_layers_pass_the_mask_as_keras() -> None:
    ids = _ids("inner", seed=4)
    keras_layers = [keras.layers.Embedding(VOCAB, EMBED, mask_zero=True),
                    keras.layers.GRU(UNITS, return_sequences=True),
                    keras.layers.Dropout(0.5), keras.layers.Dense(3),
                    keras.layers.Bidirectional(keras.layers.LSTM(UNITS), merge_mode="ave")]
    ours = [sk.Embedding(VOCAB, EMBED, mask_zero=True), sk.GRU(UNITS, return_sequences=True),
            sk.Dropout(0.5), sk.Dense(3), sk.Bidirectional(sk.LSTM(UNITS), merge_mode="ave")]
    model, layers = _twins(keras_layers, ours, ids)
    expected = _keras(model, ids)
    for need_state in (True, False):
        got = _run(layers, ids, need_state).values.numpy()
        np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)


def test_outputs_at_masked_steps_are_zeros_where_keras_repeats() -> None:
    """The pinned difference: Keras's LSTM repeats its previous output at a masked step
    (zeros before the first kept step); seqkit gives zeros, as Keras's Bidirectional."""
    ids = _ids("inner", seed=5)
    model, layers = _twins([keras.layers.Embedding(VOCAB, EMBED, mask_zero=True),
                            keras.layers.LSTM(UNITS, return_sequences=True)],
                           [sk.Embedding(VOCAB, EMBED, mask_zero=True),
                            sk.LSTM(UNITS, return_sequences=True)], ids)
    expected, got = _keras(model, ids), _run(layers, ids).values.numpy()
    np.testing.assert_array_equal(expected[1, 1], expected[1, 0])  # Keras: repeated
    assert not got[1, 1].any()
    theirs, ours = _recurrent("GRU", "concat", True)
    model, layers = _twins([keras.layers.Embedding(VOCAB, EMBED, mask_zero=True), theirs],
                           [sk.Embedding(VOCAB, EMBED, mask_zero=True), ours], ids)
    np.testing.assert_allclose(_run(layers, ids).values.numpy(), _keras(model, ids),
                               atol=ATOL, rtol=0)  # Bidirectional: zeros in both


@pytest.mark.parametrize("pattern", ["right", "left", "inner"])
@pytest.mark.parametrize("after", ["embedding", "recurrent"])
def test_average_pooling_ignores_masked_steps_as_keras(after: str, pattern: str) -> None:
    ids = _ids(pattern, seed=6)
    keras_layers = [keras.layers.Embedding(VOCAB, EMBED, mask_zero=True)]
    ours = [sk.Embedding(VOCAB, EMBED, mask_zero=True)]
    if after == "recurrent":
        keras_layers.append(keras.layers.LSTM(UNITS, return_sequences=True))
        ours.append(sk.LSTM(UNITS, return_sequences=True))
    model, layers = _twins([*keras_layers, keras.layers.GlobalAveragePooling1D()],
                           [*ours, sk.GlobalAveragePooling1D()], ids)
    np.testing.assert_allclose(_run(layers, ids, False).values.numpy(), _keras(model, ids),
                               atol=ATOL, rtol=0)


def test_pooling_rows_without_kept_steps_and_max_pooling_differ_from_keras() -> None:
    """Pinned: a row with no kept step averages to zeros (Keras: NaN); the maximum leaves
    masked steps out (Keras's GlobalMaxPooling1D ignores the mask)."""
    ids = _ids("all_padding", seed=7)
    average = keras.Sequential([keras.Input((STEPS,), dtype="int32"),
                                keras.layers.Embedding(VOCAB, EMBED, mask_zero=True),
                                keras.layers.GlobalAveragePooling1D()])
    assert np.isnan(_keras(average, ids)[1]).all()
    embedding = sk.Embedding(VOCAB, EMBED, mask_zero=True)
    embedded = embedding(torch.from_numpy(ids))
    mean = sk.GlobalAveragePooling1D()(*embedded).values
    assert not mean[1].any()
    table = embedding.embedding.weight.detach()
    with torch.no_grad():
        table[0] = 10.0  # were id 0 read, it would be every maximum
    embedded = embedding(torch.from_numpy(ids))
    maximum = sk.GlobalMaxPooling1D()(*embedded).values
    kept = torch.from_numpy(_kept("all_padding"))
    for row in (0, 2, 3):
        torch.testing.assert_close(maximum[row], table[ids[row][kept[row].numpy()]].amax(0))
    assert not maximum[1].any()
    keras_max = keras.Sequential([keras.Input((STEPS,), dtype="int32"),
                                  keras.layers.Embedding(VOCAB, EMBED, mask_zero=True),
                                  keras.layers.GlobalMaxPooling1D()])
    keras_max.layers[0].set_weights([table.numpy()])
    assert (_keras(keras_max, ids)[2] == 10.0).all()  # Keras: the masked id 0 enters


def _models(pattern: str, head: str) -> tuple[object, sk.Sequential, np.ndarray, np.ndarray]:
    ids = _ids(pattern, seed=8)
    rng = np.random.default_rng(9)
    if head == "per_step":
        keras_layers = [keras.layers.Embedding(VOCAB, EMBED, mask_zero=True),
                        keras.layers.LSTM(UNITS, return_sequences=True),
                        keras.layers.Dense(1)]
        ours = [sk.Embedding(VOCAB, EMBED, mask_zero=True),
                sk.LSTM(UNITS, return_sequences=True), sk.Dense(1)]
        y, loss, metric = rng.normal(size=(*ids.shape, 1)).astype(np.float32), "mse", "mae"
    else:
        keras_layers = [keras.layers.Embedding(VOCAB, EMBED, mask_zero=True),
                        keras.layers.Bidirectional(keras.layers.GRU(UNITS)),
                        keras.layers.Dense(1, activation="sigmoid")]
        ours = [sk.Embedding(VOCAB, EMBED, mask_zero=True),
                sk.Bidirectional(sk.GRU(UNITS)), sk.Dense(1, activation="sigmoid")]
        y = (rng.random(size=(ids.shape[0], 1)) > 0.5).astype(np.float32)
        loss, metric = "binary_crossentropy", "binary_accuracy"
    keras_model, layers = _twins(keras_layers, ours, ids)
    keras_model.compile(loss=loss, metrics=[metric])
    model = sk.Sequential(layers, loss=loss, metrics=[metric])
    return keras_model, model, ids, y


@pytest.mark.parametrize("pattern", ["left", "inner", "all_padding"])
@pytest.mark.parametrize("head", ["per_step", "per_sequence"])
def test_model_predict_and_loss_as_keras(head: str, pattern: str) -> None:
    """Through the whole model (input pipeline, batches in order of length): Keras's
    outputs at kept steps, and Keras's loss and metric, which leave masked steps out."""
    keras_model, model, ids, y = _models(pattern, head)
    expected = _keras(keras_model, ids)
    got = model.predict(ids, verbose=0, batch_size=3)
    if head == "per_step":
        kept = _kept(pattern)
        np.testing.assert_allclose(got[kept], expected[kept], atol=ATOL, rtol=0)
        assert not got[~kept].any()  # predict: zeros at masked steps
    else:
        np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
    keras_scores = keras_model.evaluate(ids, y, verbose=0, return_dict=True)
    scores = model.evaluate(ids, y, verbose=0, return_dict=True)
    assert scores.keys() == keras_scores.keys()
    for name, value in keras_scores.items():
        assert scores[name] == pytest.approx(value, abs=1e-5), name


@pytest.mark.parametrize("host_check", [True, False])
@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_masked_batch_equals_each_sequence_run_alone(kind: str, pattern: str,
                                                     host_check: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract: a masked batch gives each row's outputs and final state as its kept
    steps run alone (also where the mask travels unreduced, as on CUDA)."""
    if not host_check:
        monkeypatch.setattr(masks, "MASK_HOST_CHECK", {})
        monkeypatch.setattr("seqkit.layers._masked_rnn.MASK_HOST_CHECK", {})
    torch.manual_seed(10)
    ids = torch.from_numpy(_ids(pattern, seed=11)).long()
    embedding = sk.Embedding(VOCAB, EMBED, mask_zero=True)
    recurrent = getattr(sk, kind)(UNITS, num_layers=2, bidirectional=True,
                                  return_sequences=True).eval()
    sequences = sk.Bidirectional(getattr(sk, kind)(UNITS), merge_mode="sum").eval()
    embedded = embedding(ids)
    assert masks.is_step_mask(embedded.lengths) == (pattern != "right" or not host_check)
    with torch.no_grad():
        packed = recurrent(*embedded)
        gathered = recurrent(*embedded, None, False)
        last = sequences(*embedded, None, False)
        for row in range(ids.shape[0]):
            kept = ids[row][ids[row] != 0][None]
            if kept.shape[1] == 0:
                assert not packed.values[row].any() and not packed.state.h[row].any()
                continue
            alone = recurrent(*embedding(kept))
            where = ids[row] != 0
            for out in (packed, gathered):
                torch.testing.assert_close(out.values[row][where], alone.values[0],
                                           atol=1e-6, rtol=0)
                assert not out.values[row][~where].any()
            torch.testing.assert_close(packed.state.h[row], alone.state.h[0], atol=1e-6,
                                       rtol=0)
            torch.testing.assert_close(last.values[row], sequences(*embedding(kept)).values[0],
                                       atol=1e-6, rtol=0)
