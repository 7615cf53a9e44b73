"""Acceptance: the forecaster preset against seasonal naive on the airline passengers series.

The last 24 months (1959-01 .. 1960-12) are held out. What is compared:

* **one step ahead, true history** (the acceptance number): each test month is forecast
  from the observed series up to the month before, exactly the information the
  seasonal-naive forecast "same month last year" (``y[t-12]``) uses. Both RMSEs are over
  the same 24 months, in thousands of passengers.
* for reference, **24 months at once**: ``sk.forecast`` from the end of 1958, feeding its own
  forecasts back, against the 24-month seasonal-naive forecast from the same history (1958
  repeated twice).

The model works on a transformed series, the seasonal log-difference
``log(y[t]) - log(y[t-12])`` (an LSTM cannot extrapolate the trend of the raw counts), and
its forecasts are mapped back to passengers, ``y[t-12] * exp(forecast)``. Beyond loading
and that transform, the model is the preset in three lines::

    model = sk.presets.forecaster(lookback=12, units=32, lr=1e-2)
    model.fit(x[:n_train], y[:n_train], epochs=150, batch_size=16, seed=seed, verbose=0)
    growth = model.predict(x[n_train:])[:, 0]

Usage (from the repository root)::

    python benchmarks/airline_acceptance.py --json airline_acceptance.json
    python benchmarks/airline_acceptance.py --seeds 0 --epochs 20   # a quick look
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

import seqkit as sk
from seqkit.evaluation import rmse, seasonal_naive_forecast

SEASON = 12
TEST_MONTHS = 24
LOOKBACK = 12


def run_seed(passengers: np.ndarray, seed: int, epochs: int) -> dict[str, float]:
    """Trains the preset with ``seed``; the RMSEs of both settings and of their baselines."""
    log_series = np.log(passengers.astype(np.float64))
    growth = (log_series[SEASON:] - log_series[:-SEASON]).astype(np.float32)  # month k + 12
    x, y = sk.data.windows(growth, lookback=LOOKBACK)  # target i: growth of month i + 24
    n_train = len(y) - TEST_MONTHS
    actual = passengers[-TEST_MONTHS:]
    same_month_last_year = passengers[-TEST_MONTHS - SEASON:-SEASON]
    started = time.perf_counter()

    model = sk.presets.forecaster(lookback=LOOKBACK, units=32, lr=1e-2)
    model.fit(x[:n_train], y[:n_train], epochs=epochs, batch_size=16, seed=seed, verbose=0)
    one_step = same_month_last_year * np.exp(model.predict(x[n_train:])[:, 0])

    history = list(passengers[:-TEST_MONTHS].astype(np.float64))
    for step in sk.forecast(model, growth[:-TEST_MONTHS], steps=TEST_MONTHS):
        history.append(history[-SEASON] * float(np.exp(step)))
    recursive = np.asarray(history[-TEST_MONTHS:])
    seasonal_24 = seasonal_naive_forecast(passengers[:-TEST_MONTHS], TEST_MONTHS, SEASON)
    return {
        "seed": seed,
        "one_step_lstm_rmse": rmse(actual, one_step),
        "one_step_seasonal_naive_rmse": rmse(actual, same_month_last_year),
        "recursive_lstm_rmse": rmse(actual, recursive),
        "recursive_seasonal_naive_rmse": rmse(actual, seasonal_24),
        "seconds": time.perf_counter() - started,
    }


def summarize(rows: list[dict[str, float]]) -> dict[str, float]:
    """Mean (and sample standard deviation) of every RMSE over the seeds."""
    summary: dict[str, float] = {}
    for key in rows[0]:
        if key.endswith("_rmse"):
            values = [row[key] for row in rows]
            summary[f"{key}_mean"] = statistics.fmean(values)
            summary[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return summary


def format_report(rows: list[dict[str, float]], summary: dict[str, float]) -> str:
    """The per-seed table, the means and the verdict."""
    header = (f"{'seed':>6} | {'one step ahead (true history)':^29} | "
              f"{'24 months at once (recursive)':^29}")
    columns = f"{'':>6} | {'LSTM':>9} {'s-naive':>9} {'ratio':>9} | " \
              f"{'LSTM':>9} {'s-naive':>9} {'ratio':>9}"
    lines = [header, columns, "-" * len(columns)]

    def line(label: str, values: dict[str, float], suffix: str = "") -> str:
        cells = []
        for setting in ("one_step", "recursive"):
            model = values[f"{setting}_lstm_rmse{suffix}"]
            naive = values[f"{setting}_seasonal_naive_rmse{suffix}"]
            cells.append(f"{model:>9.2f} {naive:>9.2f} {model / naive:>9.2f}")
        return f"{label:>6} | {cells[0]} | {cells[1]}"

    lines += [line(str(int(row["seed"])), row) for row in rows]
    lines.append("-" * len(columns))
    lines.append(line("mean", summary, "_mean"))
    spread = summary["one_step_lstm_rmse_std"]
    mean_model = summary["one_step_lstm_rmse_mean"]
    mean_naive = summary["one_step_seasonal_naive_rmse_mean"]
    verdict = "beats" if mean_model < mean_naive else "does NOT beat"
    lines += [
        "",
        "RMSE in thousands of passengers over the 24 held-out months (1959-01 .. 1960-12).",
        "Acceptance (one step ahead: each month forecast from the true history up to the "
        "month before,",
        "the same information as seasonal naive's 'same month last year'): the preset "
        f"{verdict} seasonal naive,",
        f"mean RMSE {mean_model:.2f} (std {spread:.2f} over {len(rows)} seeds) vs "
        f"{mean_naive:.2f}.",
        "The model is trained on log(y[t]) - log(y[t-12]) and mapped back to passengers.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="training seeds (default 0 1 2)")
    parser.add_argument("--epochs", type=int, default=150, help="training epochs (150)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--json", help="write the results as JSON to this path")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    _, passengers = sk.datasets.airline_passengers()
    rows = [run_seed(passengers, seed, args.epochs) for seed in args.seeds]
    summary = summarize(rows)
    print(format_report(rows, summary))
    report = {
        "benchmark": "airline_acceptance",
        "setting": "one step ahead with the true history (acceptance); 24-month recursive "
                   "sk.forecast for reference",
        "test_months": TEST_MONTHS,
        "model": {"preset": "forecaster", "lookback": LOOKBACK, "units": 32, "lr": 1e-2,
                  "epochs": args.epochs, "batch_size": 16,
                  "target": "log(y[t]) - log(y[t-12])"},
        "per_seed": rows,
        "summary": summary,
        "environment": {"python": platform.python_version(), "torch": torch.__version__,
                        "seqkit": sk.__version__, "threads": torch.get_num_threads()},
    }
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    return report


if __name__ == "__main__":
    main()
