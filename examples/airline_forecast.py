"""Forecasting the airline passengers series with the forecaster preset, against baselines.

The last 24 months (1959-1960) are held out. The recipe is the one a user writes: raw
passenger counts in, sk.data.windows -> sk.presets.forecaster -> fit -> predict /
sk.forecast, no hand-made transform (the preset normalizes each window
by its own level and scale and learns the correction to seasonal naive). Two settings
are scored:

- one step ahead: each test month is forecast from the true history up to the month
  before it, next to the one-step baselines (naive: last month; seasonal naive: the same
  month last year);
- 24 months at once: sk.forecast feeds the model's own forecasts back, from the end of
  1958 only, next to the baselines of sk.evaluation.compare_to_baselines (which also see
  nothing after 1958), with 80 % conformal intervals and their coverage.

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
LOOKBACK = 24


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
    print(f"airline passengers: {len(passengers)} months ({months[0]} .. {months[-1]}); "
          f"test: the last {TEST_MONTHS} ({months[-TEST_MONTHS]} .. {months[-1]})")

    # The recipe: windows of the training part, the preset, fit with its defaults.
    x, y = sk.data.windows(history, lookback=LOOKBACK)
    model = sk.presets.forecaster(lookback=LOOKBACK)
    model.fit(x, y, epochs=15 if fast else 100, verbose=0, seed=seed)
    print(f"season detected: {model.season_length}")

    # One step ahead: the windows of the true history that end before each test month.
    x_all, _ = sk.data.windows(passengers, lookback=LOOKBACK)
    one_step = model.predict(x_all[-TEST_MONTHS:], verbose=0)[:, 0]
    same_month_last_year = passengers[-TEST_MONTHS - SEASON:-SEASON]
    one_step_results = {
        "forecaster": scores(actual, one_step),
        "naive": scores(actual, passengers[-TEST_MONTHS - 1:-1]),
        "seasonal_naive": scores(actual, same_month_last_year),
    }
    print(f"\none step ahead over the {TEST_MONTHS} test months (each forecast sees the true "
          "history up to the month before):")
    print(format_table(one_step_results))

    # 24 months at once: sk.forecast feeds the model's own forecasts back.
    result = sk.forecast(model, history, steps=TEST_MONTHS, intervals=0.8)
    recursive = np.asarray(result.forecast)
    compared = compare_to_baselines(actual, recursive, history, season=SEASON)
    recursive_results = {"forecaster": compared.pop("model"), **compared}
    covered = np.mean((actual >= result.lower) & (actual <= result.upper))
    print(f"\n{TEST_MONTHS} months at once from the end of {months[-TEST_MONTHS - 1][:4]} "
          "(sk.forecast, recursive; baselines from the same history):")
    print(format_table(recursive_results))
    print(f"80 % intervals cover {covered:.0%} of the test months")

    for name, results in (("one step ahead", one_step_results),
                          ("24 months at once", recursive_results)):
        ratio = results["forecaster"]["rmse"] / results["seasonal_naive"]["rmse"]
        verdict = "beats" if ratio < 1 else "does not beat"
        print(f"{name}: the forecaster {verdict} seasonal naive (RMSE ratio {ratio:.2f})")

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
    axes.plot(test, one_step, label="forecaster, one step ahead")
    axes.plot(test, recursive, label="forecaster, 24 months at once")
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
