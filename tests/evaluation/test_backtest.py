"""sk.evaluation.backtest: rolling origins, folds that never see the future, baselines."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import InputError


class _LastValueModel:
    """A stand-in forecaster that records what it was trained on and repeats the last
    value of each window."""

    seen: list[np.ndarray] = []

    def __init__(self) -> None:
        self.forecast_window = (4, 1)

    def fit(self, x: np.ndarray, y: np.ndarray, **_: Any) -> None:
        _LastValueModel.seen.append(np.concatenate([x[:, :, 0].ravel(), y.ravel()]))

    def predict(self, x: np.ndarray, verbose: int = 0) -> np.ndarray:
        return x[:, -1, :]


def test_folds_train_only_on_the_past_and_score_the_next_steps() -> None:
    _LastValueModel.seen = []
    series = np.arange(40.0)
    folds = sk.evaluation.backtest(_LastValueModel, series, horizon=5, folds=3,
                                   season_length=4)
    assert [fold["origin"] for fold in folds] == [25, 30, 35]
    for fold, seen in zip(folds, _LastValueModel.seen, strict=True):
        assert seen.max() == fold["origin"] - 1  # the newest value it saw: before the origin
        np.testing.assert_array_equal(fold["actual"], series[fold["origin"]:][:5])
        np.testing.assert_array_equal(fold["forecast"], np.full(5, fold["origin"] - 1.0))
        assert fold["scores"]["model"] == fold["scores"]["naive"]  # it is naive
        assert fold["scores"]["seasonal_naive"]["mae"] > fold["scores"]["naive"]["mae"]


def test_too_short_series_is_refused_with_the_fix() -> None:
    with pytest.raises(InputError, match="use fewer folds or a shorter horizon"):
        sk.evaluation.backtest(_LastValueModel, np.arange(20.0), horizon=6, folds=3)


def test_backtest_of_the_preset_detects_the_season() -> None:
    t = np.arange(100)
    series = (5 + np.sin(2 * np.pi * t / 4) + 0.01 * t).astype(np.float32)
    folds = sk.evaluation.backtest(
        lambda: sk.presets.forecaster(lookback=8, units=4, members=1), series, horizon=4,
        folds=2, epochs=3)
    assert [fold["season"] for fold in folds] == [4, 4]
    assert all(np.isfinite(fold["scores"]["model"]["rmse"]) for fold in folds)


def test_folds_score_ets_and_theta_fitted_on_the_past_only() -> None:
    pytest.importorskip("statsmodels")
    from seqkit.evaluation.statistical import ets_forecast, theta_forecast

    t = np.arange(72)
    noise = np.random.default_rng(0).normal(scale=0.3, size=72)
    series = (50 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12) + noise).astype(np.float32)
    folds = sk.evaluation.backtest(_LastValueModel, series, horizon=6, folds=2,
                                   season_length=12)
    for fold in folds:
        train = series[:fold["origin"]].astype(np.float64)
        ets = sk.evaluation.rmse(fold["actual"], ets_forecast(train, 6, 12))
        assert fold["scores"]["ets"]["rmse"] == pytest.approx(ets)
        theta = sk.evaluation.rmse(fold["actual"], theta_forecast(train, 6, 12))
        assert fold["scores"]["theta"]["rmse"] == pytest.approx(theta)
        # A trend with a clean season: ETS forecasts it far better than naive.
        assert fold["scores"]["ets"]["rmse"] < 0.2 * fold["scores"]["naive"]["rmse"]
    plain = sk.evaluation.backtest(_LastValueModel, series, horizon=6, folds=1,
                                   season_length=12, statistical=False)
    assert sorted(plain[0]["scores"]) == ["model", "naive", "seasonal_naive"]


def test_statistical_baselines_refuse_many_features_and_missing_statsmodels(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from seqkit.errors import ConfigError
    from seqkit.evaluation import statistical

    two = np.ones((30, 2))
    with pytest.raises(InputError, match="one feature"):
        sk.evaluation.compare_to_baselines(two[-6:], two[-6:], two[:-6], season=4,
                                           statistical=True)
    monkeypatch.setattr(statistical, "has_statsmodels", lambda: False)
    assert statistical.statistical_baselines(np.arange(30.0), 3, 4) == {}
    with pytest.raises(ConfigError, match="statsmodels"):
        statistical.ets_forecast(np.arange(30.0), 3, 4)
