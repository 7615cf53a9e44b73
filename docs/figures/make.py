"""Draws the documentation's figures into docs/figures/*.png.

Run from anywhere: ``MPLBACKEND=Agg python docs/figures/make.py [NAME ...]`` (all figures
without names). Offline and seeded; CI runs it before ``mkdocs build``. Every figure the
pages embed is listed in ``FIGURES``, and tests/test_docs.py checks that the two agree.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

if TYPE_CHECKING:
    from seqkit.demo import DemoForecast

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# The Performance page's first tables (two threads, runtime dependencies only).
PERFORMANCE_RESULTS = ROOT / "benchmarks/results/cpu-2threads-runtime-deps-2026-11-27.json"
DPI = 110

plt.rcParams.update({"figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 10,
                     "axes.spines.top": False, "axes.spines.right": False})

_demo_cache: dict[str, DemoForecast] = {}


def _airline() -> DemoForecast:
    """The demo's model and baselines on the airline series, trained once per run."""
    if "result" not in _demo_cache:
        from seqkit.demo import forecast_demo

        _demo_cache["result"] = forecast_demo(seed=0, validate=True)
    return _demo_cache["result"]


def training_curve(path: Path) -> None:
    """The airline forecaster's loss per epoch, drawn by ``History.plot``."""
    result = _airline()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    result.history.plot(ax=ax)
    ax.set_yscale("log")
    ax.set_ylabel("loss (MSE, scaled units, log scale)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def airline_forecast(path: Path) -> None:
    """Held-out months: actual passengers, the LSTM's forecast, the seasonal-naive one."""
    import seqkit as sk

    result = _airline()
    months, passengers = sk.datasets.airline_passengers()
    held_out = len(result.months)
    steps = np.arange(len(passengers))
    test = steps[-held_out:]
    rmse = {name: float(np.sqrt(np.mean((values - result.actual) ** 2)))
            for name, values in (("lstm", result.lstm), ("naive", result.seasonal_naive))}

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    ax.plot(steps[:-held_out + 1], passengers[:-held_out + 1], color="0.55", lw=1.2,
            label="training months")
    ax.plot(test, result.actual, color="black", lw=1.6, label="held-out months (actual)")
    ax.plot(test, result.lstm, color="tab:blue", lw=1.6, marker="o", ms=3,
            label=f"LSTM, one month ahead (RMSE {rmse['lstm']:.1f})")
    ax.plot(test, result.seasonal_naive, color="tab:orange", lw=1.2, ls="--",
            label=f"seasonal naive: same month last year (RMSE {rmse['naive']:.1f})")
    ax.axvspan(test[0] - 0.5, test[-1] + 0.5, color="0.93", zorder=0)
    ticks = [i for i, month in enumerate(months) if month.endswith("-01")][::2]
    ax.set_xticks(ticks, [months[i][:4] for i in ticks])
    ax.set_xlabel("month")
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("Airline passengers: forecast of the last 24 months")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def text_confusion(path: Path) -> None:
    """Confusion matrix of a small text classifier on the held-out fifth of the quotes."""
    import seqkit as sk

    texts, labels = sk.datasets.quotes_by_topic()  # a fixed shuffle: every topic held out
    cut = int(0.8 * len(texts))
    # The preset with its defaults, as the text-classification guide trains it
    model = sk.presets.text_classifier()
    model.fit(texts[:cut], labels[:cut], epochs=6, validation_split=0.1, verbose=0, seed=0)
    predicted = model.predict_classes(texts[cut:])
    actual = labels[cut:]
    topics = sorted(set(labels.tolist()))
    index = {topic: i for i, topic in enumerate(topics)}
    counts = np.zeros((len(topics), len(topics)), dtype=int)
    for true, guess in zip(actual.tolist(), predicted.tolist(), strict=True):
        counts[index[true], index[guess]] += 1
    share = counts / counts.sum(axis=1, keepdims=True).clip(min=1)
    accuracy = float(np.mean(predicted == actual))

    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(topics)):
        for j in range(len(topics)):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(topics)), topics, rotation=45, ha="right")
    ax.set_yticks(range(len(topics)), topics)
    ax.set_xlabel("predicted topic")
    ax.set_ylabel("actual topic")
    ax.set_title(f"text_classifier on {len(actual)} held-out quotes "
                 f"(accuracy {accuracy:.2f})")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the actual topic")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def padded_batch(path: Path) -> None:
    """A right-padded batch: lengths, each row's last valid step, the backward start."""
    lengths = [6, 4, 2]
    steps = 6
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    for row, length in enumerate(lengths):
        y = len(lengths) - 1 - row
        for t in range(steps):
            valid = t < length
            ax.add_patch(Rectangle((t, y), 0.92, 0.8, lw=1,
                                   facecolor="#cfe2f3" if valid else "#eeeeee",
                                   edgecolor="#3d6fa5" if valid else "#bbbbbb",
                                   hatch=None if valid else "///"))
            ax.text(t + 0.46, y + 0.4, f"x{t}" if valid else "pad", ha="center",
                    va="center", fontsize=8, color="black" if valid else "0.5")
        last = length - 1
        ax.add_patch(Rectangle((last, y), 0.92, 0.8, lw=2.2, fill=False, edgecolor="#c0392b"))
        ax.add_patch(FancyArrowPatch((last + 0.8, y + 0.1), (0.12, y + 0.1),
                                     arrowstyle="-|>", mutation_scale=9, lw=1.2,
                                     color="#8e44ad"))
        ax.text(-0.25, y + 0.4, f"length {length}", ha="right", va="center", fontsize=9)
    ax.text(steps + 0.15, 2.6, "red box: last valid step\n(forward output, LastStep)",
            fontsize=8, color="#c0392b", va="center")
    ax.text(steps + 0.15, 1.2, "purple arrow: the backward\ndirection starts at the last\n"
            "valid step, not at the\npadding, and ends at t=0", fontsize=8,
            color="#8e44ad", va="center")
    for t in range(steps):
        ax.text(t + 0.46, len(lengths) - 0.05, f"t={t}", ha="center", fontsize=8,
                color="0.4")
    ax.set_xlim(-1.9, steps + 2.6)
    ax.set_ylim(-0.2, len(lengths) + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("A padded batch of 3 sequences, lengths [6, 4, 2]", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def performance_ratios(path: Path) -> None:
    """Median time per epoch (predict: per pass) relative to the hand-written loop A."""
    results = json.loads(PERFORMANCE_RESULTS.read_text(encoding="utf-8"))["configs"]
    configs = [name for name in ("small", "large", "predict") if name in results]
    variants = ["A", "B", "C", "D", "S"]
    colors = {"A": "0.6", "B": "0.75", "C": "tab:purple", "D": "tab:red", "S": "tab:blue"}
    labels = {v: results[configs[0]]["variants"][v]["label"] for v in variants}
    labels["S"] = "seqkit"
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    width = 0.16
    for k, variant in enumerate(variants):
        ratios = [results[c]["variants"][variant]["ratio_to_A"] for c in configs]
        xs = np.arange(len(configs)) + (k - 2) * width
        bars = ax.bar(xs, ratios, width, color=colors[variant],
                      label=f"{variant}: {labels[variant]}")
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(range(len(configs)), [c if c == "predict" else f"{c} (fit)"
                                        for c in configs])
    ax.set_ylabel("median time / A's (lower is faster)")
    ax.set_title("CPU, 2 threads: time relative to a hand-written loop (A)")
    ax.legend(fontsize=7, frameon=False, loc="upper center", ncol=2)
    ax.set_ylim(0, 7.2)
    fig.text(0.99, 0.01, f"source: benchmarks/results/{PERFORMANCE_RESULTS.name}",
             ha="right", fontsize=6, color="0.45")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


FIGURES: dict[str, Callable[[Path], None]] = {
    "training-curve.png": training_curve,
    "airline-forecast.png": airline_forecast,
    "text-confusion.png": text_confusion,
    "padded-batch.png": padded_batch,
    "performance-ratios.png": performance_ratios,
}


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(FIGURES))
    if unknown:
        raise SystemExit(f"unknown figure(s) {unknown}; choose from {sorted(FIGURES)}")
    import torch

    torch.manual_seed(0)
    for name, draw in FIGURES.items():
        if not names or name in names:
            draw(HERE / name)
            print(f"wrote {(HERE / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
