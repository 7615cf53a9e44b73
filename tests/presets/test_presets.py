"""Presets: ordinary compiled Sequentials, end to end on small real or synthetic data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seqkit as sk


def test_regressor_is_an_ordinary_compiled_sequential(regression_data) -> None:
    x, y = regression_data
    model = sk.presets.regressor(units=16, num_layers=2, dropout=0.1, lr=1e-2)
    assert isinstance(model, sk.Sequential) and model.compile_settings is not None
    assert [type(layer).__name__ for layer in model.layers] == ["LSTM", "Dropout", "LSTM",
                                                                "Dense"]
    model.fit(x * 100 + 50, y * 100 + 50, epochs=15, verbose=0, seed=0)
    mae = float(np.mean(np.abs(model.predict(x * 100 + 50)[:, 0] - (y * 100 + 50))))
    assert mae < 0.5 * float(np.std(y * 100))  # original units, well below the spread


def test_per_step_regressor_predicts_every_step() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 10, 1)).astype(np.float32)
    model = sk.presets.regressor(units=8, per_step=True, cell="gru")
    model.fit(x, np.cumsum(x, axis=1), epochs=1, verbose=0, seed=0)
    assert model.predict(x).shape == (64, 10, 1)


def test_recursive_forecast_feeds_forecasts_back() -> None:
    series = np.sin(np.arange(300) / 6).astype(np.float32)
    x, y = sk.data.windows(series, lookback=24, horizon=2)
    model = sk.presets.forecaster(lookback=24, horizon=2, units=16, lr=1e-2)
    model.fit(x, y, epochs=10, verbose=0, seed=0)
    produced = sk.forecast(model, series, steps=5)
    # By hand: rounds of two predictions, each from the last 24 values known by then.
    extended = series
    for _ in range(3):
        extended = np.concatenate([extended, model.predict(extended[None, -24:, None])[0]])
    np.testing.assert_allclose(produced, extended[300:305], rtol=1e-6)
    truth = np.sin(np.arange(300, 305) / 6)
    assert float(np.abs(produced - truth).max()) < 0.3


def test_text_classifier_infers_binary_and_multiclass_heads() -> None:
    texts = ["a wonderful film", "a dreadful film", "wonderful acting", "dreadful acting"]
    binary = sk.presets.text_classifier(units=8, embed_dim=8, max_tokens=50)
    binary.fit(texts * 8, ["pos", "neg", "pos", "neg"] * 8, epochs=30, verbose=0, seed=0,
               batch_size=8)
    assert binary.layers[-1].deep[-1].units == 2  # softmax over both classes
    assert binary.layers[-1].wide.units == 2 and binary.layers[-1].activation == "softmax"
    assert binary.compile_settings.loss == "cross_entropy"
    assert list(binary.predict_classes(["wonderful", "dreadful"])) == ["pos", "neg"]

    multi = sk.presets.text_classifier(units=8, embed_dim=8, max_tokens=50)
    multi.fit(texts * 4, [3, 1, 7, 1] * 4, epochs=1, verbose=0, seed=0)
    assert multi.layers[-1].deep[-1].units == 3
    assert multi.compile_settings.loss == "cross_entropy"
    assert set(multi.predict_classes(texts).tolist()) <= {1, 3, 7}


@pytest.mark.parametrize("num_classes", [None, 2, 3])
def test_text_classifier_ensemble_heads_every_member_and_round_trips(
        tmp_path: Path, num_classes: int | None) -> None:
    texts = ["a wonderful film", "a dreadful film", "wonderful acting", "dreadful acting",
             "a film"]
    labels = {None: ["pos", "neg", "pos", "neg", "pos"], 2: [1, 0, 1, 0, 1],
              3: ["pos", "neg", "pos", "neg", "meh"]}[num_classes]
    model = sk.presets.text_classifier(num_classes, units=8, embed_dim=8, max_tokens=50,
                                       lr=1e-2, ensemble=3)
    model.fit(texts * 8, labels * 8, epochs=20, batch_size=8, verbose=0, seed=0)

    classes = len(set(labels))
    (ensemble,) = model.layers
    assert isinstance(ensemble, sk.Ensemble) and ensemble.member_count == 3
    assert ensemble.combine == "mean"  # of the members' probabilities
    heads = [member[-1].deep[-1] for member in ensemble.members]
    assert all(head.units == classes for head in heads)
    assert all(type(member[0].deep[0]).__name__ == "Embedding"
               for member in ensemble.members)
    assert len({id(member[0].deep[0]) for member in ensemble.members}) == 3
    assert list(model.predict_classes(["wonderful", "dreadful"])) == labels[:2]
    loaded = sk.load_model(model.save(tmp_path / "ensemble"))
    np.testing.assert_array_equal(loaded.predict(texts), model.predict(texts))
    assert list(loaded.predict_classes(texts)) == list(model.predict_classes(texts))


def test_sequence_classifier_on_ragged_sequences() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 20, size=200)
    sequences = [rng.normal(size=(int(n), 2)).astype(np.float32) for n in lengths]
    labels = np.where([s[:, 0].mean() > 0 for s in sequences], "up", "down")
    model = sk.presets.sequence_classifier(units=16, lr=1e-2)
    model.fit(sequences, labels, epochs=15, verbose=0, seed=0)
    accuracy = float((model.predict_classes(sequences) == labels).mean())
    assert accuracy > 0.85


@pytest.mark.slow
def test_text_classifier_on_real_quotations_beats_the_majority_class(tmp_path: Path) -> None:
    all_texts, all_labels = sk.datasets.quotes_by_topic()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(all_texts))
    texts = [all_texts[i] for i in order]
    labels = all_labels[order]
    cut = int(0.8 * len(texts))
    model = sk.presets.text_classifier(max_tokens=8000, embed_dim=32, units=32, lr=3e-3)
    model.fit(texts[:cut], labels[:cut], epochs=4, batch_size=64, verbose=0, seed=0)
    predicted = model.predict_classes(texts[cut:])
    accuracy = float((predicted == labels[cut:]).mean())
    majority = max(float((labels[cut:] == c).mean()) for c in set(labels[:cut]))
    assert accuracy > majority + 0.05
    loaded = sk.load_model(model.save(tmp_path / "quotes"))
    np.testing.assert_array_equal(loaded.predict(texts[cut:]), model.predict(texts[cut:]))
    assert list(loaded.predict_classes(texts[cut:cut + 20])) == list(predicted[:20])


@pytest.mark.parametrize("preset", ["regressor", "forecaster", "sequence_classifier",
                                    "sequence_classifier_ensemble"])
def test_every_preset_round_trips_bit_for_bit(tmp_path: Path, preset: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 12, 1)).astype(np.float32) * 3 + 1
    model = {
        "regressor": lambda: sk.presets.regressor(units=4),
        "forecaster": lambda: sk.presets.forecaster(lookback=12, horizon=2, units=4),
        "sequence_classifier": lambda: sk.presets.sequence_classifier(units=4),
        "sequence_classifier_ensemble": lambda: sk.presets.sequence_classifier(units=4,
                                                                               ensemble=2),
    }[preset]()
    y = {"regressor": x.sum(axis=(1, 2)), "forecaster": x[:, -2:, 0],
         "sequence_classifier": np.where(x.mean(axis=(1, 2)) > 1, "hi", "lo")}.get(
             preset, np.where(x.mean(axis=(1, 2)) > 1, "hi", "lo"))
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    loaded = sk.load_model(model.save(tmp_path / preset))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
