"""A fitted model pickles (Lightning's spawn strategies do) and survives torch.save."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import seqkit as sk


def by_pickle(model: sk.Sequential) -> sk.Sequential:
    return pickle.loads(pickle.dumps(model))


def by_torch_save(model: sk.Sequential) -> sk.Sequential:
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)


COPIES = [pytest.param(by_pickle, id="pickle"), pytest.param(by_torch_save, id="torch.save")]


def regression() -> tuple[sk.Sequential, Any, Any]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 2)).astype("float32")
    y = x.sum(axis=(1, 2))
    model = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.Dropout(0.1), sk.GRU(3),
                           sk.Dense(2, activation="relu"), sk.Dense(1)],
                          target_scaler="standard", loss="mse", metrics=["mae", "rmse"])
    return model, x, y


def forecaster() -> tuple[sk.Sequential, Any, Any]:
    series = np.sin(np.arange(120, dtype="float32") / 4)
    x, y = sk.data.windows(series, lookback=8)
    return sk.presets.forecaster(lookback=8, units=4), x, y


def text_classifier() -> tuple[sk.Sequential, Any, Any]:
    texts, labels = sk.datasets.quotes_by_topic()
    model = sk.presets.text_classifier(max_tokens=300, embed_dim=4, units=3, ensemble=2,
                                       output_sequence_length=12)
    return model, texts[:64], labels[:64]


def sequence_classifier() -> tuple[sk.Sequential, Any, Any]:
    rng = np.random.default_rng(1)
    x = [rng.normal(size=(int(n), 2)).astype("float32") for n in rng.integers(3, 9, size=32)]
    y = np.array(["up" if s[:, 0].sum() > 0 else "down" for s in x])
    return sk.presets.sequence_classifier(units=3, cell="gru"), x, y


MODELS = [pytest.param(make, id=make.__name__)
          for make in (regression, forecaster, text_classifier, sequence_classifier)]


@pytest.mark.parametrize("copy", COPIES)
@pytest.mark.parametrize("make", MODELS)
def test_a_fitted_model_round_trips(make: Callable[[], tuple[sk.Sequential, Any, Any]],
                                    copy: Callable[[sk.Sequential], sk.Sequential]) -> None:
    model, x, y = make()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, seed=0)
    restored = copy(model)
    assert restored is not model
    np.testing.assert_array_equal(restored.predict(x), model.predict(x))
    if model.label_encoder is not None:
        np.testing.assert_array_equal(restored.predict_classes(x), model.predict_classes(x))
    restored.fit(x, y, epochs=1, batch_size=16, verbose=0, seed=0)  # and it trains on


def test_an_unbuilt_compiled_model_pickles() -> None:
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1, activation="linear")], loss="huber")
    restored = by_pickle(model)
    assert not restored.built
    assert restored.compile_settings is not None
