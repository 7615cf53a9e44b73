"""The forecaster preset's defaults: season detection, the time-ordered validation tail,
early stopping with the best weights, the refit, its refusals, and (slow) a panel check
against seasonal naive on real series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import ConfigError, InputError, InputTypeError

PANEL = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "forecasting"


def _seasonal(n: int = 120, season: int = 6, seed: int = 0) -> np.ndarray:
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(scale=0.1, size=n)
    return (10 + 0.05 * t + np.sin(2 * np.pi * t / season) + noise).astype(np.float32)


def test_fit_detects_the_season_and_stops_early_on_the_latest_windows() -> None:
    series = _seasonal()
    x, y = sk.data.windows(series, lookback=12)
    model = sk.presets.forecaster(lookback=12, units=4, members=1)
    model.patience = 2
    history = model.fit(x, y, epochs=60, verbose=0, seed=0)
    assert model.season_length == 6
    assert model.layers[0].get_config()["season_length"] == 6  # saved with the model
    val_loss = history.history["val_loss"]
    assert len(val_loss) < 60  # stopped early
    assert len(history.history["refit_loss"]) == int(np.argmin(val_loss)) + 1
    held_out = int(len(y) * model.validation_tail)
    assert model.validation_residuals.shape == (held_out, 1)


def test_given_season_and_no_validation_tail_train_every_epoch() -> None:
    series = _seasonal(season=4)
    x, y = sk.data.windows(series, lookback=8)
    model = sk.presets.forecaster(lookback=8, units=4, members=1, season_length=4)
    model.validation_tail = 0
    history = model.fit(x, y, epochs=3, verbose=0, seed=0)
    assert model.season_length == 4 and len(history.history["loss"]) == 3
    assert "val_loss" not in history.history and model.validation_residuals is None


def test_untrained_forecaster_is_seasonal_naive() -> None:
    series = _seasonal(season=4)
    model = sk.presets.forecaster(lookback=8, units=4, members=2, season_length=4)
    x, _ = sk.data.windows(series, lookback=8)
    np.testing.assert_allclose(model.predict(x[:5], verbose=0)[:, 0], x[:5, 4, 0], rtol=1e-6)


def test_saved_forecaster_answers_the_same(tmp_path: Path) -> None:
    series = _seasonal()
    x, y = sk.data.windows(series, lookback=12)
    model = sk.presets.forecaster(lookback=12, units=4, members=2)
    model.fit(x, y, epochs=2, verbose=0, seed=0)
    loaded = sk.load_model(model.save(tmp_path / "forecaster"))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    np.testing.assert_allclose(sk.forecast(loaded, series, steps=7),
                               sk.forecast(model, series, steps=7), rtol=1e-6)
    # Intervals after load: the validation residuals are saved with the model.
    np.testing.assert_array_equal(loaded.validation_residuals, model.validation_residuals)
    expected, got = (sk.forecast(m, series, steps=7, intervals=0.8) for m in (model, loaded))
    for a, b in zip(expected[:3], got[:3], strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def test_damaged_forecasting_entry_is_refused(tmp_path: Path) -> None:
    import json
    import zipfile

    from seqkit.errors import ModelFileError

    series = _seasonal()
    x, y = sk.data.windows(series, lookback=12)
    model = sk.presets.forecaster(lookback=12, units=4, members=1)
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    path = model.save(tmp_path / "forecaster")
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(entries["config.json"])
    assert config["forecasting"]["window"] == [12, 1]
    for damage, match in (({"window": [12, 0]}, "window"),
                          ({"validation_residuals": [[float("nan")]]}, "finite"),
                          ({"validation_residuals": [[1.0, 2.0]]}, "horizon=1")):
        broken = json.loads(entries["config.json"])
        broken["forecasting"].update(damage)
        bad = tmp_path / "bad.seqkit"
        with zipfile.ZipFile(bad, "w") as archive:
            for name, data in entries.items():
                archive.writestr(name, json.dumps(broken) if name == "config.json" else data)
        with pytest.raises(ModelFileError, match=match):
            sk.load_model(bad)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"season_length": 13}, "season_length: expected an integer from 1 to lookback=12"),
    ({"season_length": 2.5}, "season_length"),
    ({"season_length": "yearly"}, "season_length"),
    ({"members": 0}, "members"),
    ({"base": "drift"}, "base"),
])
def test_refused_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        sk.presets.forecaster(lookback=12, **kwargs)


def test_bad_series_are_refused_with_the_fix() -> None:
    with pytest.raises(InputError, match="use a longer series or a smaller lookback"):
        sk.data.windows(np.arange(10.0), lookback=24)
    gappy = _seasonal().astype(np.float64)
    gappy[50] = np.nan
    with pytest.raises(InputError, match="drop or impute missing values"):
        sk.data.windows(gappy, lookback=12)
    with pytest.raises(InputTypeError, match="convert the columns to numbers"):
        sk.data.windows(np.array(["1", "2", "3", "4"]), lookback=2)
    with pytest.raises(InputError, match="at least lookback=24 values"):
        sk.forecast(sk.presets.forecaster(lookback=24), np.arange(10.0), steps=3)


def _load(name: str) -> tuple[np.ndarray, int]:
    lines = (PANEL / f"{name}.csv").read_text().split()[1:]
    season = 4 if "Q" in lines[0] else 12
    return np.array([float(line.split(",")[1]) for line in lines], dtype=np.float32), season


@pytest.mark.slow
@pytest.mark.parametrize("name", ["austourists", "euretail"])
def test_recipe_beats_seasonal_naive_on_real_series(name: str) -> None:
    series, season = _load(name)
    horizon, lookback = 2 * season, 2 * season
    train = series[:-horizon]
    x, y = sk.data.windows(train, lookback=lookback)
    model = sk.presets.forecaster(lookback=lookback)
    model.fit(x, y, epochs=50, verbose=0, seed=0)
    every, _ = sk.data.windows(series, lookback=lookback)
    one_step = model.predict(every[-horizon:], verbose=0)[:, 0]
    actual = series[-horizon:]
    rmse = float(np.sqrt(np.mean((one_step - actual) ** 2)))
    seasonal_naive = series[-horizon - season:-season]
    assert rmse < float(np.sqrt(np.mean((seasonal_naive - actual) ** 2)))


def test_one_model_for_many_series_detects_the_season_and_forecasts_each() -> None:
    small, large = _seasonal(90, season=6, seed=1), 1000 * _seasonal(70, season=6, seed=2)
    x, y = sk.data.windows([small, large], lookback=12)
    assert len(x) == (90 - 12) + (70 - 12)
    model = sk.presets.forecaster(lookback=12, units=4, members=1)
    model.fit(x, y, epochs=3, verbose=0, seed=0)
    assert model.season_length == 6
    for series in (small, large):
        ahead = sk.forecast(model, series, steps=6)
        assert np.abs(ahead - series[-6:]).max() < 0.5 * np.ptp(series)  # in its own units


def test_history_compares_validation_with_seasonal_naive_and_warns_when_worse() -> None:
    periodic = np.tile(np.array([1.0, 5.0, 2.0, 8.0], dtype=np.float32), 40)
    periodic[:110] += np.random.default_rng(0).normal(size=110).astype(np.float32)
    x, y = sk.data.windows(periodic, lookback=8)  # the validation tail: an exact season
    model = sk.presets.forecaster(lookback=8, units=4, members=1, season_length=4, lr=0.05)
    model.refit = False
    with pytest.warns(UserWarning, match="worse than seasonal naive's"):
        history = model.fit(x, y, epochs=2, verbose=0, seed=0)
    # One value per epoch, beside val_loss (the model's MSE on the same rows).
    assert history.history["val_seasonal_naive_mse"] == [0.0, 0.0]
    assert len(history.history["val_loss"]) == 2
    assert history.history["val_mse_best"][0] > 0
