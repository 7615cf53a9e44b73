"""train_on_batch / test_on_batch / predict_on_batch: Keras's return values and steps
(compared with Keras 3 in tests/compat/test_keras_api.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 5, 2)).astype(np.float32)
Y = X.sum(axis=(1, 2))


def _model(**compile_kwargs: object) -> sk.Sequential:
    settings = {"loss": "mse", **compile_kwargs}
    return sk.Sequential([sk.Input((5, 2)), sk.GRU(4), sk.Dense(1)], **settings)


def test_return_values_follow_keras() -> None:
    plain, scored = _model(), _model(metrics=["mae", "mse"])
    assert isinstance(plain.train_on_batch(X, Y), float)
    assert isinstance(plain.test_on_batch(X, Y), float)
    loss, mae, mse = scored.train_on_batch(X, Y)
    assert loss == pytest.approx(mse) and mae > 0
    assert set(scored.test_on_batch(X, Y, return_dict=True)) == {"loss", "mae", "mse"}
    assert isinstance(scored.predict_on_batch(torch.from_numpy(X)), np.ndarray)


def test_train_on_batch_steps_and_keeps_the_optimizer() -> None:
    model = _model(optimizer="adam", lr=1e-2)
    losses = [model.train_on_batch(X, Y) for _ in range(20)]
    assert losses[-1] < 0.8 * losses[0]
    optimizer = model._on_batch_optimizer()
    assert optimizer.state  # Adam's moments are kept between calls
    model.compile(loss="mse", optimizer="sgd")
    assert isinstance(model._on_batch_optimizer(), torch.optim.SGD)  # compile starts over


def test_test_on_batch_scores_without_changing_the_model() -> None:
    model = _model(metrics=["mae"])
    before = [w.copy() for w in model.get_weights()]
    loss, mae = model.test_on_batch(X, Y)
    assert [loss, mae] == pytest.approx(model.evaluate(X, Y, verbose=0))
    for now, then in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)
    assert model.training  # the mode it had


def test_weights_count_as_in_fit() -> None:
    model = _model()
    weight = np.linspace(0, 2, 16).astype(np.float32)
    with torch.no_grad():
        pred = model(X)[:, 0].numpy()
    expected = float(np.mean(weight * (pred - Y) ** 2))
    assert model.test_on_batch(X, Y, sample_weight=weight) == pytest.approx(expected,
                                                                            rel=1e-5)
    classifier = sk.Sequential([sk.Input((5, 2)), sk.GRU(3), sk.Dense(2)],
                               loss="sparse_categorical_crossentropy")
    labels = (Y > 0).astype(np.int64)
    light = classifier.test_on_batch(X, labels)
    heavy = classifier.train_on_batch(X, labels, class_weight={0: 5.0, 1: 5.0})
    assert heavy == pytest.approx(5 * light, rel=1e-5)  # the loss before the step


def test_uncompiled_model_says_so() -> None:
    model = sk.Sequential([sk.Input((5, 2)), sk.Dense(1)])
    with pytest.raises(sk.errors.NotCompiledError, match="train_on_batch"):
        model.train_on_batch(X, Y)
