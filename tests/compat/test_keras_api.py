"""The model's Keras API against Keras 3 (torch backend): ``get_weights`` / ``set_weights``
in Keras's layout and order both ways, ``count_params``, and the return values of
``evaluate`` and the ``*_on_batch`` methods."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from collections.abc import Callable

import numpy as np
import pytest

import seqkit as sk

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

L = keras.layers
STEPS, FEATURES, VOCAB = 6, 3, 20
RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, STEPS, FEATURES)).astype(np.float32)
IDS = RNG.integers(1, VOCAB, size=(8, STEPS))

# (seqkit layers, Keras layers, input): the same model in both libraries.
PAIRS: dict[str, tuple[Callable[[], list], Callable[[], list], np.ndarray]] = {
    "lstm": (lambda: [sk.LSTM(5), sk.Dense(2)], lambda: [L.LSTM(5), L.Dense(2)], X),
    "gru": (lambda: [sk.GRU(5, return_sequences=True), sk.Dense(1)],
            lambda: [L.GRU(5, return_sequences=True), L.Dense(1)], X),
    "bidirectional_lstm": (lambda: [sk.Bidirectional(sk.LSTM(4)), sk.Dense(1)],
                           lambda: [L.Bidirectional(L.LSTM(4)), L.Dense(1)], X),
    "bidirectional_gru_sum": (
        lambda: [sk.Bidirectional(sk.GRU(4), merge_mode="sum"), sk.Dense(1)],
        lambda: [L.Bidirectional(L.GRU(4), merge_mode="sum"), L.Dense(1)], X),
    "stacked_lstm": (lambda: [sk.LSTM(4, num_layers=2), sk.Dense(1)],
                     lambda: [L.LSTM(4, return_sequences=True), L.LSTM(4), L.Dense(1)], X),
    "stacked_bidirectional_gru": (
        lambda: [sk.GRU(3, num_layers=2, bidirectional=True), sk.Dense(1)],
        lambda: [L.Bidirectional(L.GRU(3, return_sequences=True)),
                 L.Bidirectional(L.GRU(3)), L.Dense(1)], X),
    "no_bias": (lambda: [sk.LSTM(4, use_bias=False, return_sequences=True),
                         sk.GRU(3, use_bias=False), sk.Dense(1, use_bias=False)],
                lambda: [L.LSTM(4, use_bias=False, return_sequences=True),
                         L.GRU(3, use_bias=False), L.Dense(1, use_bias=False)], X),
    "embedding_norm": (lambda: [sk.Embedding(VOCAB, 4), sk.LayerNormalization(),
                                sk.GRU(3), sk.Dense(2)],
                       lambda: [L.Embedding(VOCAB, 4), L.LayerNormalization(), L.GRU(3),
                                L.Dense(2)], IDS),
}


def _pair(kind: str) -> tuple[sk.Sequential, object, np.ndarray]:
    ours, theirs, x = PAIRS[kind]
    model = sk.Sequential([sk.Input(x.shape[1:]), *ours()])
    twin = keras.Sequential([keras.Input(x.shape[1:], dtype=str(x.dtype)), *theirs()])
    return model, twin, x


def _perturbed(weights: list[np.ndarray], seed: int) -> list[np.ndarray]:
    """Non-zero biases and gammas: their layout is checked too."""
    rng = np.random.default_rng(seed)
    return [w + rng.normal(0, 0.3, w.shape).astype(w.dtype) for w in weights]


def _keras_out(twin: object, x: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(twin(x, training=False))


@pytest.mark.parametrize("kind", list(PAIRS))
def test_get_weights_has_keras_shapes_order_and_count(kind: str) -> None:
    model, twin, _ = _pair(kind)
    assert [w.shape for w in model.get_weights()] == [w.shape for w in twin.get_weights()]
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.count_params() == twin.count_params()


@pytest.mark.parametrize("kind", list(PAIRS))
def test_keras_weights_into_seqkit_give_keras_outputs(kind: str) -> None:
    keras.utils.set_random_seed(1)
    model, twin, x = _pair(kind)
    twin.set_weights(_perturbed(twin.get_weights(), 2))
    model.set_weights(twin.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), _keras_out(twin, x),
                               atol=3e-6, rtol=0)
    for ours, theirs in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-6, rtol=0)  # round trip


@pytest.mark.parametrize("kind", list(PAIRS))
def test_seqkit_weights_into_keras_give_seqkit_outputs(kind: str) -> None:
    model, twin, x = _pair(kind)
    model.set_weights(_perturbed(model.get_weights(), 3))
    twin.set_weights(model.get_weights())
    np.testing.assert_allclose(_keras_out(twin, x), model.predict(x, verbose=0),
                               atol=3e-6, rtol=0)


def _compiled_pair(metrics: list[str], kind: str = "gru") -> tuple[sk.Sequential, object]:
    model, twin, _ = _pair(kind)
    model.set_weights(twin.get_weights())
    model.compile(optimizer="sgd", loss="mse", metrics=metrics)
    twin.compile(optimizer="sgd", loss="mse", metrics=metrics)
    return model, twin


Y = RNG.normal(size=(8, STEPS, 1)).astype(np.float32)  # the GRU pair's per-step targets


@pytest.mark.parametrize("metrics", [[], ["mae"], ["mse", "mae"]])
def test_evaluate_returns_what_keras_returns(metrics: list[str]) -> None:
    model, twin = _compiled_pair(metrics)
    ours, theirs = model.evaluate(X, Y, verbose=0), twin.evaluate(X, Y, verbose=0)
    assert type(ours) is type(theirs)  # a float for the loss alone, else a list
    assert ours == pytest.approx(theirs, rel=1e-5)
    as_dict = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert as_dict == pytest.approx(twin.evaluate(X, Y, verbose=0, return_dict=True),
                                    rel=1e-5)
    assert list(as_dict) == ["loss", *metrics]


@pytest.mark.parametrize("metrics", [[], ["mae"]])
def test_on_batch_methods_return_what_keras_returns(metrics: list[str]) -> None:
    model, twin = _compiled_pair(metrics)
    for step in range(3):  # later calls see the earlier calls' SGD steps
        ours, theirs = model.train_on_batch(X, Y), twin.train_on_batch(X, Y)
        assert type(ours) is type(theirs)
        assert ours == pytest.approx(theirs, rel=1e-5), step
    ours, theirs = model.test_on_batch(X, Y), twin.test_on_batch(X, Y)
    assert type(ours) is type(theirs) and ours == pytest.approx(theirs, rel=1e-5)
    assert model.test_on_batch(X, Y, return_dict=True) == pytest.approx(
        twin.test_on_batch(X, Y, return_dict=True), rel=1e-5)
    predicted = model.predict_on_batch(X)
    assert isinstance(predicted, np.ndarray)
    np.testing.assert_allclose(predicted, twin.predict_on_batch(X), atol=3e-6, rtol=0)


def test_lstm_training_steps_follow_keras() -> None:
    model, twin = _compiled_pair([], "lstm")
    y = Y[:, 0].repeat(2, axis=1)
    model.train_on_batch(X, y)
    twin.train_on_batch(X, y)
    assert model.train_on_batch(X, y) == pytest.approx(twin.train_on_batch(X, y), rel=1e-5)
