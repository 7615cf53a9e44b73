"""The cost of ``fit``'s NaN guard: ``stop_on_nan=True`` (the default) against ``False``.

Per training step the guard reads the loss once on the host and copies the weights into a
preallocated set of tensors (see ``seqkit.training.faults``). This times whole ``fit`` runs
both ways, interleaved (in alternating order), on a small model (where per-step costs
weigh most) and a larger one, and prints the median seconds per epoch (the first two runs
of each are warm-ups), the
ratio ``True / False`` (CPU seconds of this process), and the guard's own time per step
and share of a fit's wall time, timed from inside its hooks in a real fit (the figure
that a loaded machine disturbs least).

Usage (from the repository root)::

    python -m benchmarks.nan_guard --threads 1
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from typing import Any

import numpy as np
import torch

import seqkit as sk
from seqkit.training.faults import NonFiniteLossGuard

CONFIGS = {  # name: (units, time steps, features, samples)
    "small LSTM(16)": (16, 10, 4, 2048),
    "LSTM(128)": (128, 50, 8, 1024),
}


def make(config: tuple[int, int, int, int]) -> tuple[sk.Sequential, np.ndarray, np.ndarray]:
    units, steps, features, samples = config
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, steps, features)).astype("float32")
    y = x[:, -3:, 0].mean(axis=1)
    model = sk.Sequential([sk.Input((steps, features)), sk.LSTM(units), sk.Dense(1)],
                          loss="mse")
    return model, x, y


def time_fit(model: sk.Sequential, x: np.ndarray, y: np.ndarray, epochs: int,
             stop_on_nan: bool) -> float:
    """CPU seconds (of this process: steadier than wall time on a shared machine) per epoch
    of one ``fit``."""
    started = time.process_time()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, stop_on_nan=stop_on_nan)
    return (time.process_time() - started) / epochs


class TimedGuard(NonFiniteLossGuard):
    """The guard, timing its own hooks inside a real fit."""

    seconds, steps = 0.0, 0

    def on_train_batch_start(self, *args: Any) -> None:
        started = time.perf_counter()
        super().on_train_batch_start(*args)
        self.seconds += time.perf_counter() - started

    def on_before_backward(self, *args: Any) -> None:
        started = time.perf_counter()
        super().on_before_backward(*args)
        self.seconds += time.perf_counter() - started
        self.steps += 1


def guard_share(model: sk.Sequential, x: np.ndarray, y: np.ndarray, epochs: int
                ) -> tuple[float, float]:
    """The guard's microseconds per step inside a real fit, and its share of the fit's
    wall time (its hooks timed from inside, so other processes' load hardly matters)."""
    guard = TimedGuard()
    started = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, stop_on_nan=False,
              callbacks=[guard])
    total = time.perf_counter() - started
    return guard.seconds / guard.steps * 1e6, guard.seconds / total


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5, help="timed runs each (2 warm-ups)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {args.epochs} epochs x {args.runs} runs")
    print(f"{'model':<16} {'params':>8} {'guard cpu-s/ep':>14} {'off cpu-s/ep':>12} "
          f"{'ratio':>6} {'guard us/step':>14} {'guard share':>11}")
    results: dict[str, dict[str, float]] = {}
    for name in args.configs:
        torch.manual_seed(0)
        model, x, y = make(CONFIGS[name])
        seconds: dict[bool, list[float]] = {True: [], False: []}
        for run in range(args.runs):
            for stop in ((True, False) if run % 2 else (False, True)):  # alternate the order
                seconds[stop].append(time_fit(model, x, y, args.epochs, stop))
        on, off = (statistics.median(seconds[s][2:] or seconds[s]) for s in (True, False))
        step_us, share = guard_share(model, x, y, args.epochs)
        results[name] = {"on": on, "off": off, "ratio": on / off, "guard_us": step_us,
                         "share": share}
        print(f"{name:<16} {model.count_params():>8} {on:>14.4f} {off:>12.4f} "
              f"{on / off:>6.3f} {step_us:>14.1f} {share:>11.2%}")
    return results


if __name__ == "__main__":
    main()
