"""Forecasting the airline passengers series with the forecaster preset, against baselines.

The last 24 months (1959-1960) are held out. The model does not see raw passenger counts:
an LSTM cannot extrapolate a trend beyond the range it was trained on, so it learns the
seasonal log-difference log(y[t]) - log(y[t-12]) (growth against the same month a year
earlier), and its forecasts are turned back into passengers. Two settings are scored:

- one step ahead: each test month is forecast from the true history up to the month
  before it, next to the one-step baselines (naive: last month; seasonal naive: the same
  month last year);
- 24 months at once: sk.forecast feeds the model's own forecasts back, from the end of
  1958 only, next to the baselines of sk.evaluation.compare_to_baselines (which also see
  nothing after 1958).

Run: python examples/airline_forecast.py (--fast for a short smoke run, --plot out.png to
save a plot, which needs matplotlib).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

# seqkit (and torch) are imported where they are used, so that --help answers at once.

SEASON = 12
TEST_MONTHS = 24
LOOKBACK = 12


def to_growth(passengers: np.ndarray) -> np.ndarray:
    """``log(y[t]) - log(y[t - 12])``: element ``k`` belongs to month ``k + 12``."""
    log_series = np.log(passengers.astype(np.float64))
    return (log_series[SEASON:] - log_series[:-SEASON]).astype(np.float32)


def from_growth(history: np.ndarray, growth: np.ndarray) -> np.ndarray:
    """Passengers for the months after ``history`` from their forecast growth.

    Month ``t`` is ``y[t - 12] * exp(growth)``, where ``y[t - 12]`` is a forecast itself
    once the forecasts reach more than a season past the history.
    """
    values = list(history.astype(np.float64))
    for step in growth:
        values.append(values[-SEASON] * float(np.exp(step)))
    return np.asarray(values[len(history):])


def scores(actual: np.ndarray, forecast: np.ndarray) -> dict[str, float]:
    """MAE, RMSE and MAPE of one forecast."""
    from seqkit.evaluation import mae, mape, rmse

    return {"mae": mae(actual, forecast), "rmse": rmse(actual, forecast),
            "mape": mape(actual, forecast)}


def main(fast: bool = False, plot: str | None = None, seed: int = 0) -> dict[str, dict]:
    import seqkit as sk
    from seqkit.evaluation import compare_to_baselines, format_table

    months, passengers = sk.datasets.airline_passengers()
    history, actual = passengers[:-TEST_MONTHS], passengers[-TEST_MONTHS:]
    growth = to_growth(passengers)
    print(f"airline passengers: {len(passengers)} months ({months[0]} .. {months[-1]}); "
          f"test: the last {TEST_MONTHS} ({months[-TEST_MONTHS]} .. {months[-1]})")
    print("the model learns the seasonal log-difference log(y[t]) - log(y[t-12]); its "
          "forecasts are turned back into passengers")

    # Window i holds growth[i : i + 12] and its target is growth[i + 12]; the last 24
    # targets are the test months.
    x, y = sk.data.windows(growth, lookback=LOOKBACK)
    n_train = len(y) - TEST_MONTHS
    model = sk.presets.forecaster(lookback=LOOKBACK, units=32, lr=1e-2)
    model.fit(x[:n_train], y[:n_train], epochs=15 if fast else 150, batch_size=16,
              verbose=0, seed=seed)

    # One step ahead: the true history up to each test month.
    same_month_last_year = passengers[-TEST_MONTHS - SEASON:-SEASON]
    one_step = same_month_last_year * np.exp(model.predict(x[n_train:])[:, 0])
    one_step_results = {
        "lstm": scores(actual, one_step),
        "naive": scores(actual, passengers[-TEST_MONTHS - 1:-1]),
        "seasonal_naive": scores(actual, same_month_last_year),
    }
    print(f"\none step ahead over the {TEST_MONTHS} test months (each forecast sees the true "
          "history up to the month before):")
    print(format_table(one_step_results))

    # 24 months at once: sk.forecast feeds the model's own growth forecasts back.
    growth_forecast = sk.forecast(model, growth[:-TEST_MONTHS], steps=TEST_MONTHS)
    recursive = from_growth(history, growth_forecast)
    compared = compare_to_baselines(actual, recursive, history, season=SEASON)
    recursive_results = {"lstm": compared.pop("model"), **compared}
    print(f"\n{TEST_MONTHS} months at once from the end of {months[-TEST_MONTHS - 1][:4]} "
          "(sk.forecast, recursive; baselines from the same history):")
    print(format_table(recursive_results))

    for name, results in (("one step ahead", one_step_results),
                          ("24 months at once", recursive_results)):
        ratio = results["lstm"]["rmse"] / results["seasonal_naive"]["rmse"]
        verdict = "beats" if ratio < 1 else "does not beat"
        print(f"{name}: the LSTM {verdict} seasonal naive (RMSE ratio {ratio:.2f})")

    if plot is not None:
        save_plot(Path(plot), months, passengers, one_step, recursive)
    return {"one_step": one_step_results, "recursive": recursive_results}


def save_plot(path: Path, months: list[str], passengers: np.ndarray, one_step: np.ndarray,
              recursive: np.ndarray) -> None:
    """Saves the series and both forecasts to ``path`` (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"--plot {path}: matplotlib is not installed; pip install \"seqkit[plot]\" "
              "(or matplotlib) to save the plot")
        return
    steps = np.arange(len(passengers))
    test = steps[-TEST_MONTHS:]
    figure, axes = plt.subplots(figsize=(10, 4))
    axes.plot(steps, passengers, color="black", label="passengers (thousands)")
    axes.plot(test, one_step, label="LSTM, one step ahead")
    axes.plot(test, recursive, label="LSTM, 24 months at once")
    axes.plot(test, passengers[-TEST_MONTHS - SEASON:-SEASON], linestyle="--",
              label="seasonal naive (same month last year)")
    ticks = steps[::SEASON]
    axes.set_xticks(ticks, [months[i][:4] for i in ticks])
    axes.axvline(test[0] - 0.5, color="grey", linewidth=0.8)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    print(f"plot saved to {path}")


def parse_arguments() -> argparse.Namespace:
    """The command line (parsed before seqkit is imported)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="a short smoke run")
    parser.add_argument("--plot", metavar="PATH", help="save a plot (needs matplotlib)")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and shuffling")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_arguments()
    if arguments.fast:
        import torch

        # Smoke runs share small CI machines; there torch's default of one thread per core
        # oversubscribes them (text_classification.py --fast: 10 s with one thread, 145 s
        # with two on a busy 2-core machine). One thread is as fast for models this small.
        torch.set_num_threads(1)
    main(fast=arguments.fast, plot=arguments.plot, seed=arguments.seed)
