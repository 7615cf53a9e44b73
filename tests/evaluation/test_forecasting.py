"""Forecast metrics and baselines against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seqkit.datasets import airline_passengers
from seqkit.errors import ConfigError, InputError
from seqkit.evaluation import (
    compare_to_baselines,
    format_table,
    mae,
    mape,
    naive_forecast,
    rmse,
    seasonal_naive_forecast,
)


@pytest.fixture
def passengers() -> np.ndarray:
    return airline_passengers()[1].astype(np.float64)


def test_metrics_by_hand() -> None:
    actual, forecast = [1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]  # errors 1, 0, -1, -2
    assert mae(actual, forecast) == 1.0
    assert rmse(actual, forecast) == pytest.approx(math.sqrt(6 / 4))
    assert mape(actual, forecast) == pytest.approx(100 * (1 / 1 + 0 + 1 / 3 + 2 / 4) / 4)
    assert all(isinstance(f(actual, forecast), float) for f in (mae, rmse, mape))


def test_mape_skips_zero_actuals_and_refuses_all_zeros() -> None:
    assert mape([0.0, 2.0, 4.0], [5.0, 1.0, 5.0]) == pytest.approx(100 * (0.5 + 0.25) / 2)
    with pytest.raises(InputError, match=r"at least one non-zero actual value.*use mae or rmse"):
        mape([0.0, 0.0], [1.0, 2.0])


def test_metrics_accept_tensors_and_a_column_forecast() -> None:
    actual = np.array([1.0, 2.0, 3.0])
    column = torch.tensor([[2.0], [2.0], [1.0]])  # what predict gives for Dense(1)
    assert mae(actual, column) == 1.0
    with pytest.raises(InputError, match=r"the shape of actual, \(3,\) but received shape \(2,\)"):
        mae(actual, [1.0, 2.0])


def test_compare_checks_forecast_and_history_shapes() -> None:
    results = compare_to_baselines([5.0], torch.tensor([[4.0]]), [1.0, 2.0, 3.0], season=2)
    assert results["model"]["mae"] == 1.0 and results["naive"]["mae"] == 2.0
    assert results["seasonal_naive"]["mae"] == 3.0  # two steps back: 2.0
    with pytest.raises(InputError, match="compare_to_baselines forecast"):
        compare_to_baselines([1.0, 2.0], [1.0], [1.0, 2.0, 3.0], season=2)
    with pytest.raises(InputError, match="compare_to_baselines history: expected the features"):
        compare_to_baselines([1.0, 2.0], [1.0, 2.0], np.ones((5, 2)), season=2)


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(InputError, match=r"rmse forecast: expected finite numbers.*index \[1\]"):
        rmse([1.0, 2.0], [1.0, float("nan")])


def test_naive_forecasts() -> None:
    assert naive_forecast([5.0, 7.0, 6.0], 3).tolist() == [6.0, 6.0, 6.0]
    history = np.array([[1.0, 10.0], [2.0, 20.0]])
    assert naive_forecast(history, 2).tolist() == [[2.0, 20.0], [2.0, 20.0]]
    series = np.arange(10.0)  # season 4: last season is 6, 7, 8, 9
    assert seasonal_naive_forecast(series, 6, 4).tolist() == [6.0, 7.0, 8.0, 9.0, 6.0, 7.0]
    with pytest.raises(InputError, match=r"at least one season \(12 steps\).*received 10 steps"):
        seasonal_naive_forecast(series, 3, 12)
    with pytest.raises(ConfigError, match="season"):
        seasonal_naive_forecast(series, 3, 0)
    with pytest.raises(ConfigError, match="horizon"):
        naive_forecast(series, 0)


def test_airline_seasonal_naive_one_year_back(passengers: np.ndarray) -> None:
    """Each of the last 24 months forecast by the same month a year earlier: RMSE 49.99."""
    forecast = np.concatenate([seasonal_naive_forecast(passengers[:-24], 12, 12),
                               seasonal_naive_forecast(passengers[:-12], 12, 12)])
    np.testing.assert_array_equal(forecast, passengers[-36:-12])
    assert round(rmse(passengers[-24:], forecast), 2) == 49.99
    squared = [(passengers[t] - passengers[t - 12]) ** 2 for t in range(120, 144)]
    assert rmse(passengers[-24:], forecast) == pytest.approx(math.sqrt(sum(squared) / 24))


def test_compare_to_baselines_on_airline(passengers: np.ndarray) -> None:
    history, actual = passengers[:-24], passengers[-24:]
    model = actual + np.tile([3.0, -3.0], 12)  # a forecast off by exactly 3 every month
    results = compare_to_baselines(actual, model, history, season=12)
    assert set(results) == {"model", "naive", "seasonal_naive"}
    assert results["model"]["mae"] == pytest.approx(3.0)
    assert results["model"]["rmse"] == pytest.approx(3.0)
    assert results["model"]["mape"] == pytest.approx(100 * np.mean(3.0 / actual))
    # naive: December 1958 (337) for all 24 months
    assert history[-1] == 337.0
    assert results["naive"]["mae"] == pytest.approx(np.mean(np.abs(actual - 337.0)))
    # seasonal naive from history alone repeats 1958 for both 1959 and 1960
    loop = [(passengers[120 + h] - passengers[108 + h % 12]) ** 2 for h in range(24)]
    assert results["seasonal_naive"]["rmse"] == pytest.approx(math.sqrt(sum(loop) / 24))
    assert round(results["seasonal_naive"]["rmse"], 2) == 76.99


def test_all_zero_tail_reports_mape_as_not_available() -> None:
    results = compare_to_baselines([0.0, 0.0], [1.0, 0.0], [4.0, 0.0, 2.0], season=2)
    assert results["naive"]["mae"] == 2.0 and results["seasonal_naive"]["mae"] == 1.0
    assert all(math.isnan(scores["mape"]) for scores in results.values())
    assert format_table(results).splitlines()[1].split() == ["model", "0.50", "0.71", "n/a"]


def test_format_table_exact_text() -> None:
    table = format_table({"model": {"mae": 1.234, "rmse": 10.0, "mape": 5.5},
                          "seasonal_naive": {"mae": 100.0, "rmse": 123.456, "mape": 12.0}})
    assert table == (
        "forecast            MAE    RMSE  MAPE %\n"
        "model              1.23   10.00    5.50\n"
        "seasonal_naive   100.00  123.46   12.00"
    )
