"""Forecasting a pandas series with the forecaster preset: intervals, a plot, a backtest.

The airline passengers series as a pandas Series with a monthly PeriodIndex; the last 12
months (1960) are held out. The preset is used as written in the README: windows of 24
months, forecaster(lookback=24), fit. Its forecast of 1960 comes back indexed by the
months of 1960, with 80 % conformal bounds, next to seasonal naive (1959 repeated). A
rolling-origin backtest (sk.evaluation.backtest) then refits it at two earlier origins.

Run: python examples/forecast_intervals.py (--fast for a short smoke run, --plot out.png
to save the figure).
"""

from __future__ import annotations

import argparse

import numpy as np

# seqkit (and torch) are imported where they are used, so that --help answers at once.


def main(fast: bool = False, plot: str | None = None) -> dict[str, float]:
    import pandas as pd

    import seqkit as sk

    months, passengers = sk.datasets.airline_passengers()
    series = pd.Series(passengers, index=pd.PeriodIndex(months, freq="M"), name="passengers")
    train, test = series[:-12], series[-12:]
    epochs = 3 if fast else 50

    x, y = sk.data.windows(train, lookback=24)
    model = sk.presets.forecaster(lookback=24)
    model.fit(x, y, epochs=epochs, verbose=0, seed=0)
    result = sk.forecast(model, train, steps=12, intervals=0.8)

    rmse = float(np.sqrt(np.mean((result.forecast.to_numpy() - test.to_numpy()) ** 2)))
    naive = float(np.sqrt(np.mean((train[-12:].to_numpy() - test.to_numpy()) ** 2)))
    inside = (test.to_numpy() >= result.lower.to_numpy()) & (
        test.to_numpy() <= result.upper.to_numpy())
    print(f"1960: forecaster RMSE {rmse:.1f}, seasonal naive {naive:.1f}; "
          f"{int(inside.sum())} of 12 months inside the 80 % interval")
    print(pd.DataFrame({"forecast": result.forecast, "lower": result.lower,
                        "upper": result.upper, "actual": test}).round(1).head(3))

    folds = sk.evaluation.backtest(lambda: sk.presets.forecaster(lookback=24), train,
                                   horizon=12, folds=2, epochs=epochs)
    for fold in folds:
        scores = fold["scores"]
        print(f"backtest origin {fold['origin']}: RMSE {scores['model']['rmse']:.1f} "
              f"(seasonal naive {scores['seasonal_naive']['rmse']:.1f})")

    if plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = sk.plot_forecast(train, result, actual=test, history_steps=48,
                              title="Airline passengers, 1960 forecast")
        ax.figure.savefig(plot, dpi=120, bbox_inches="tight")
        print(f"saved {plot}")
    return {"rmse": rmse, "seasonal_naive_rmse": naive}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Forecast a pandas series with intervals, "
                                     "plot it and backtest the forecaster preset.")
    parser.add_argument("--fast", action="store_true", help="a few epochs (a smoke run)")
    parser.add_argument("--plot", default=None, help="save the figure to this PNG file")
    arguments = parser.parse_args()
    main(fast=arguments.fast, plot=arguments.plot)
