"""The forecaster preset against naive, seasonal-naive, ETS and Theta on 12 real series.

The dev panel (``benchmarks/data/forecasting/``, R's fpp2 data; see
``benchmarks/data/README.md``): six monthly and six quarterly series. The last two seasons
(24 months / 8 quarters) are held out and forecast two ways:

* **one step ahead** (true history): each held-out value from the observations before it;
* **multi-step**: all two seasons at once from the end of the training part (the recursive
  ``sk.forecast`` for seqkit, the model's own multi-step forecast for ETS and Theta).

Baselines: naive (last value), seasonal naive (same period last season), ETS (statsmodels'
Holt-Winters ``ExponentialSmoothing``, additive trend damped or not, additive or
multiplicative season, the lowest AIC; one-step forecasts refitted on every expanding
history, or every ``--ets-refit-every`` steps) and Theta (statsmodels' ``ThetaModel``,
refitted the same way); both from ``seqkit.evaluation.statistical``, as
``sk.evaluation.backtest`` scores them. seqkit runs the recipe as a user would, defaults only::

    x, y = sk.data.windows(train, lookback=2 * season)
    model = sk.presets.forecaster(lookback=2 * season)
    model.fit(x, y, epochs=epochs, seed=seed, verbose=0)
    model.predict(windows_of_the_held_out_steps), sk.forecast(model, train, steps=2 * season)

Scores per series: RMSE, MASE (scaled by the in-sample seasonal-naive MAE) and sMAPE; the
RMSE ratio to ETS, their geometric means, and how many series seqkit forecasts better than
the better of naive and seasonal naive; the empirical coverage of seqkit's 80 % conformal
intervals (``sk.forecast(..., intervals=0.8)``; one-step bounds from the same validation
residuals). Time per series is reported for each method (seqkit's: windows, fit and the
one-step predictions).

Usage (from the repository root)::

    python benchmarks/forecasting_panel.py --json benchmarks/results/forecasting_panel.json
    python benchmarks/forecasting_panel.py --series a10,ausbeer --epochs 50   # a subset
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seqkit as sk
from seqkit.evaluation import seasonal_naive_forecast
from seqkit.evaluation.statistical import ets_fit, theta_fit
from seqkit.presets.forecast_output import conformal_bounds

DATA = Path(__file__).resolve().parent / "data" / "forecasting"
PANEL = ("a10", "h02", "elecequip", "usmelec", "debitcards", "auscafe",
         "ausbeer", "qauselec", "qcement", "qgas", "austourists", "euretail")
METHODS = ("naive", "seasonal_naive", "ets", "theta", "seqkit")
MODES = ("one_step", "multi_step")
INTERVAL = 0.8  # the conformal intervals' coverage target


def load_series(name: str, folder: Path = DATA) -> tuple[np.ndarray, int]:
    """The values of ``folder/name.csv`` (``period,value``) and its season length."""
    lines = (folder / f"{name}.csv").read_text().strip().splitlines()[1:]
    periods = [line.split(",")[0] for line in lines]
    values = np.array([float(line.split(",")[1]) for line in lines])
    return values, 4 if "Q" in periods[0] else 12


# -- metrics ---------------------------------------------------------------------------------
def scores(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int
           ) -> dict[str, float]:
    """RMSE, MASE (in-sample seasonal-naive MAE as the scale) and sMAPE (percent)."""
    error = np.asarray(forecast, dtype=np.float64) - actual
    scale = float(np.mean(np.abs(train[season:] - train[:-season])))
    denominator = np.abs(actual) + np.abs(forecast)
    return {"rmse": float(np.sqrt(np.mean(error ** 2))),
            "mase": float(np.mean(np.abs(error)) / scale),
            "smape": float(200 * np.mean(np.abs(error) / np.where(denominator == 0, 1,
                                                                    denominator)))}


# -- baselines -------------------------------------------------------------------------------
def refitted_one_step(fit_fn: Any, series: np.ndarray, season: int, horizon: int,
                      refit_every: int) -> np.ndarray:
    """One-step forecasts of the last ``horizon`` values, refitted every ``refit_every``
    steps on the expanding history (between refits a forecast of more steps is used)."""
    start = len(series) - horizon
    out = np.empty(horizon)
    for first in range(0, horizon, refit_every):
        block = min(refit_every, horizon - first)
        out[first:first + block] = np.asarray(
            fit_fn(series[:start + first], season).forecast(block))
    return out


def baselines(series: np.ndarray, season: int, horizon: int, refit_every: int
              ) -> dict[str, dict[str, Any]]:
    """Forecasts (one-step, multi-step) and seconds of every statistical baseline."""
    train = series[:-horizon]
    results: dict[str, dict[str, Any]] = {
        "naive": {"one_step": series[-horizon - 1:-1], "multi_step": np.repeat(train[-1:],
                                                                               horizon)},
        "seasonal_naive": {"one_step": series[-horizon - season:-season],
                           "multi_step": seasonal_naive_forecast(train, horizon, season)},
    }
    for name, fit_fn in (("ets", ets_fit), ("theta", theta_fit)):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            multi = np.asarray(fit_fn(train, season).forecast(horizon))
            one = refitted_one_step(fit_fn, series, season, horizon, refit_every)
        results[name] = {"one_step": one, "multi_step": multi,
                         "seconds": time.perf_counter() - started}
    return results


# -- seqkit ----------------------------------------------------------------------------------
def seqkit_recipe(series: np.ndarray, season: int, horizon: int, epochs: int, seed: int
                  ) -> dict[str, Any]:
    """The README recipe with ``lookback = 2 * season``, defaults only."""
    train = series[:-horizon]
    lookback = 2 * season
    started = time.perf_counter()
    x, y = sk.data.windows(train.astype(np.float32), lookback=lookback)
    model = sk.presets.forecaster(lookback=lookback)
    history = model.fit(x, y, epochs=epochs, seed=seed, verbose=0)
    x_all, _ = sk.data.windows(series.astype(np.float32), lookback=lookback)
    one = model.predict(x_all[-horizon:], verbose=0)[:, 0].astype(np.float64)
    seconds = time.perf_counter() - started
    bounds = sk.forecast(model, train, steps=horizon, intervals=INTERVAL)
    multi = np.asarray(bounds.forecast, dtype=np.float64)
    lower, upper = conformal_bounds(model.validation_residuals, one, INTERVAL,
                                    horizon=len(one))  # each a one-step forecast
    actual = series[-horizon:]
    return {"one_step": one, "multi_step": multi, "seconds": seconds,
            "coverage": {"one_step": _covered(actual, lower, upper),
                         "multi_step": _covered(actual, bounds.lower, bounds.upper)},
            "epochs_run": len(history.history["loss"]),
            "season_detected": model.season_length}


def _covered(actual: np.ndarray, lower: Any, upper: Any) -> float:
    return float(np.mean((actual >= np.asarray(lower)) & (actual <= np.asarray(upper))))


# -- the panel -------------------------------------------------------------------------------
def run_series(name: str, epochs: int, seeds: list[int], refit_every: int) -> dict[str, Any]:
    """Every method's forecasts and scores on one series."""
    series, season = load_series(name)
    horizon = 2 * season
    train, actual = series[:-horizon], series[-horizon:]
    forecasts = baselines(series, season, horizon, refit_every)
    runs = [seqkit_recipe(series, season, horizon, epochs, seed) for seed in seeds]
    forecasts["seqkit"] = {
        mode: np.mean([run[mode] for run in runs], axis=0) if len(runs) > 1 else runs[0][mode]
        for mode in MODES}
    forecasts["seqkit"]["seconds"] = float(np.mean([run["seconds"] for run in runs]))
    row: dict[str, Any] = {"series": name, "season": season, "train_length": len(train),
                           "horizon": horizon,
                           "seqkit_epochs_run": [run["epochs_run"] for run in runs],
                           "seqkit_season_detected": runs[0]["season_detected"],
                           "seqkit_interval_coverage": {
                               mode: float(np.mean([run["coverage"][mode] for run in runs]))
                               for mode in MODES}}
    if len(runs) > 1:
        row["seqkit_per_seed_rmse"] = {mode: [scores(actual, run[mode], train, season)["rmse"]
                                              for run in runs] for mode in MODES}
    for method, result in forecasts.items():
        row[method] = {mode: scores(actual, result[mode], train, season) for mode in MODES}
        if "seconds" in result:
            row[method]["seconds"] = round(float(result["seconds"]), 2)
    for mode in MODES:
        ets = row["ets"][mode]["rmse"]
        best_naive = min(row["naive"][mode]["rmse"], row["seasonal_naive"][mode]["rmse"])
        row[f"ratio_to_ets_{mode}"] = {m: row[m][mode]["rmse"] / ets for m in METHODS}
        row[f"seqkit_beats_best_naive_{mode}"] = row["seqkit"][mode]["rmse"] < best_naive
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometric-mean RMSE ratios to ETS and the count of series beating the naive ones."""
    summary: dict[str, Any] = {}
    for mode in MODES:
        summary[f"geomean_ratio_to_ets_{mode}"] = {
            m: math.exp(float(np.mean([math.log(r[f"ratio_to_ets_{mode}"][m]) for r in rows])))
            for m in METHODS}
        summary[f"seqkit_beats_best_naive_{mode}"] = sum(
            bool(r[f"seqkit_beats_best_naive_{mode}"]) for r in rows)
        summary[f"seqkit_interval{round(100 * INTERVAL)}_coverage_{mode}"] = float(np.mean(
            [r["seqkit_interval_coverage"][mode] for r in rows]))
    summary["series"] = len(rows)
    summary["seconds_per_series"] = {m: float(np.mean([r[m]["seconds"] for r in rows]))
                                     for m in ("ets", "theta", "seqkit")}
    return summary


def table(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """A Markdown table: RMSE ratios to ETS per series and mode, seqkit's seconds."""
    head = "| series | " + " | ".join(f"{m} 1-step" for m in METHODS[:2] + METHODS[3:]) \
        + " | " + " | ".join(f"{m} multi" for m in METHODS[:2] + METHODS[3:]) \
        + " | ETS RMSE 1-step / multi | seqkit s |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    others = [m for m in METHODS if m != "ets"]
    for r in rows:
        cells = [f"{r[f'ratio_to_ets_{mode}'][m]:.3f}" for mode in MODES for m in others]
        ets = f"{r['ets']['one_step']['rmse']:.4g} / {r['ets']['multi_step']['rmse']:.4g}"
        lines.append(f"| {r['series']} | " + " | ".join(cells)
                     + f" | {ets} | {r['seqkit']['seconds']:.1f} |")
    geo = [f"**{summary[f'geomean_ratio_to_ets_{mode}'][m]:.3f}**" for mode in MODES
           for m in others]
    lines.append("| geometric mean | " + " | ".join(geo) + " | | "
                 f"{summary['seconds_per_series']['seqkit']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", default=",".join(PANEL), help="comma-separated names")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", default="0", help="comma-separated; forecasts averaged")
    parser.add_argument("--ets-refit-every", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", module="statsmodels")
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    for name in args.series.split(","):
        row = run_series(name, args.epochs, seeds, args.ets_refit_every)
        print(f"{name}: seqkit/ETS RMSE one-step {row['ratio_to_ets_one_step']['seqkit']:.3f}"
              f", multi {row['ratio_to_ets_multi_step']['seqkit']:.3f}; beats naive "
              f"{row['seqkit_beats_best_naive_one_step']}/"
              f"{row['seqkit_beats_best_naive_multi_step']}; "
              f"{row['seqkit']['seconds']:.1f} s", flush=True)
        rows.append(row)
    summary = summarize(rows)
    print(table(rows, summary))
    print(json.dumps({k: v for k, v in summary.items()}, indent=1))
    result = {"command": "python benchmarks/forecasting_panel.py " + " ".join(
                  argv if argv is not None else sys.argv[1:]),
              "settings": {"epochs": args.epochs, "seeds": seeds,
                           "ets_refit_every": args.ets_refit_every,
                           "torch_threads": 1, "python": platform.python_version(),
                           "torch": torch.__version__, "seqkit": sk.__version__},
              "summary": summary, "series": rows}
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
