"""Host-side preprocessing in a model: adapted on training rows only, applied everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError
from seqkit.preprocessing.normalization import Normalization


def _series(n: int = 240, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, 6, 2)) * [100.0, 0.01] + [1000.0, -5.0]).astype(np.float32)
    y = (x[:, -1, 0] * 3.0 + 500.0).astype(np.float32)
    return x, y


def test_normalization_adapts_on_training_rows_only() -> None:
    x, y = _series()
    x[-60:] += 1e4  # the validation tail is far off: statistics must not see it
    norm = Normalization()
    model = sk.Sequential([norm, sk.LSTM(4), sk.Dense(1)], loss="mse")
    model.fit(x, y, epochs=1, verbose=0, seed=0, validation_split=0.25)
    flat = x[:180].reshape(-1, 2)
    np.testing.assert_allclose(norm.shift.numpy(), flat.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(norm.scale.numpy(), flat.std(axis=0), rtol=1e-4)
    # The model sees scaled inputs in predict too: compare with scaling by hand.
    scaled = (torch.from_numpy(x[:5]) - norm.shift) / norm.scale
    model.eval()
    with torch.no_grad():
        expected = model.run_blocks(scaled)[0].numpy()
    np.testing.assert_allclose(model.predict(x[:5]), expected, rtol=1e-5, atol=1e-6)


def test_target_scaler_trains_scaled_and_predicts_in_original_units() -> None:
    x, y = _series()
    model = sk.Sequential([Normalization(), sk.LSTM(16), sk.Dense(1)], loss="mse",
                          metrics=["mae"], target_scaler="standard", lr=1e-2)
    history = model.fit(x, y, epochs=25, verbose=0, seed=0)
    scaler = model.target_scaler
    assert scaler is not None and scaler.is_adapted
    pred = model.predict(x)[:, 0]
    mae = float(np.mean(np.abs(pred - y)))
    assert mae < 0.2 * float(np.std(y))  # learnt, in original units (y has std ~300)
    result = model.evaluate(x, y, return_dict=True)
    assert result["mae"] == pytest.approx(mae, rel=1e-4)  # metrics in original units
    scaled_mse = float(np.mean(((pred - y) / scaler.scale.item()) ** 2))
    assert result["loss"] == pytest.approx(scaled_mse, rel=1e-3)  # loss in scaled units
    assert history.history["mae"][-1] > 0


def test_string_labels_round_trip_through_predict_classes(classification_data) -> None:
    x, y = classification_data
    names = np.array(["low", "mid", "high"])[y]
    model = sk.Sequential([sk.LSTM(16), sk.Dense(3)], loss="cross_entropy",
                          metrics=["accuracy"], lr=1e-2)
    model.fit(x, list(names), epochs=15, verbose=0, seed=0)
    assert model.label_encoder is not None
    assert model.label_encoder.classes == ["high", "low", "mid"]
    predicted = model.predict_classes(x)
    assert predicted.dtype.kind == "U"
    assert float((predicted == names).mean()) > 0.8
    assert model.evaluate(x, names, return_dict=True)["accuracy"] == pytest.approx(
        float((predicted == names).mean()), abs=1e-6)
    with pytest.raises(InputError, match="unknown labels"):
        model.evaluate(x[:3], ["low", "mid", "huge"])


def test_preprocessing_is_saved_with_the_model(tmp_path: Path, classification_data) -> None:
    x, y = classification_data
    names = np.array(["low", "mid", "high"])[y]
    model = sk.Sequential([Normalization("minmax"), sk.GRU(4), sk.Dense(3)],
                          loss="cross_entropy")
    model.fit(x * 50 + 7, names, epochs=1, verbose=0, seed=0)
    loaded = sk.load_model(model.save(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.predict(x * 50 + 7), model.predict(x * 50 + 7))
    np.testing.assert_array_equal(loaded.predict_classes(x), model.predict_classes(x))

    regressor = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse", target_scaler="minmax")
    xs, ys = _series(64)
    regressor.fit(xs, ys, epochs=1, verbose=0, seed=0)
    again = sk.load_model(regressor.save(tmp_path / "r"))
    np.testing.assert_array_equal(again.predict(xs), regressor.predict(xs))


def test_preprocessing_must_come_first() -> None:
    with pytest.raises(ConfigError, match="before every layer"):
        sk.Sequential([sk.LSTM(3), Normalization()])


def test_user_dataloaders_get_the_same_preprocessing() -> None:
    from torch.utils.data import DataLoader, TensorDataset

    x, y = _series(128)
    model = sk.Sequential([Normalization(), sk.LSTM(8), sk.Dense(1)], loss="mse",
                          metrics=["mae"], target_scaler="standard")
    model.fit(x, y, epochs=1, verbose=0, seed=0)  # adapts on arrays
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=32)
    history = model.fit(loader, epochs=1, verbose=0, seed=0)
    expected = model.evaluate(x, y, return_dict=True)
    assert history.history["mae"][0] > 0
    fresh = sk.Sequential([Normalization(), sk.LSTM(8), sk.Dense(1)], loss="mse")
    with pytest.raises(sk.errors.NotBuiltError, match="never adapted"):
        fresh.fit(loader, epochs=1, verbose=0)
    assert expected["mae"] > 0


def test_stream_answers_in_original_units() -> None:
    x, y = _series(64)
    model = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.Dense(1)], loss="mse",
                          target_scaler="standard")
    model.fit(x, np.repeat(y[:, None, None], 6, axis=1), epochs=1, verbose=0, seed=0)
    stream = model.stream()
    parts = [stream.step(x[:, :2]), stream.step(x[:, 2:])]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), model.predict(x), rtol=1e-4,
                               atol=1e-3)
    assert abs(float(model.predict(x).mean())) > 100  # original units (y is ~500 + 3x)


def test_summary_lists_preprocessing_steps() -> None:
    from rich.console import Console

    from seqkit.models.summary import summary_table

    console = Console(record=True, width=150)
    console.print(summary_table(sk.Sequential([Normalization(), sk.LSTM(2)])))
    assert "(Normalization)" in console.export_text()
