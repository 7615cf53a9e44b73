"""seqkit's ``fit`` against a hand-written PyTorch loop: the per-epoch overhead ratio.

Both variants train the same model, 2xLSTM(64) (the first with ``return_sequences``) +
Dropout(0.2) + Dense(1), on the same synthetic data with Adam (lr 1e-3) and MSE:

* ``A``: a hand-written loop over in-memory index slices (``randperm``, then one index per
  batch), ``nn.LSTM`` modules equivalent to the seqkit model.
* ``S``: ``seqkit.Sequential.fit(..., verbose=1)``, its rich progress bar on. The bar is
  rendered as on a terminal (``TTY_COMPATIBLE=1``) even when stdout is not one, so its
  drawing is paid for; the worker's output goes to ``/dev/null`` unless ``--show-output``.

Each run of a variant is its own subprocess (Lightning keeps global state), the runs are
interleaved ``A, S, A, S, ...``, the first (warm-up) epoch of every run is dropped, and
every subprocess gets the same environment: pinned threads (``torch.set_num_threads``) and
fixed glibc malloc thresholds (its adaptive ones made epoch times jump between ~0.9 and
~2.2 s here). Epochs of ``S`` are timed by a Lightning callback (``on_train_epoch_start``
to ``on_train_epoch_end``), so the Trainer's construction is not counted but everything
per epoch is. Process CPU time is recorded too: on a shared machine, a cross-check of the
wall-clock ratio, not a substitute.

Usage (from the repository root)::

    python benchmarks/fit_overhead.py --epochs 4 --repeats 5 --json fit_overhead.json
    python benchmarks/fit_overhead.py --quick          # a smoke run of the mechanism

Only ratios measured in the same run mean anything on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VARIANTS = {
    "A": "hand-written PyTorch loop (index slices)",
    "S": "seqkit Sequential.fit(verbose=1)",
}
# Applied to every variant's subprocess alike; see BENCHMARKING.md for why.
BENCH_ENV = {
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "1073741824",
    # Rich draws its bar only on a terminal; make it draw (and cost) as it would on one.
    "TTY_COMPATIBLE": "1",
    "COLUMNS": "120",
}
UNITS = 64
DROPOUT = 0.2
LEARNING_RATE = 1e-3


# -- the workers (one variant, one run, in a subprocess) ------------------------------------
def _make_data(n: int, steps: int, features: int, seed: int) -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, steps, features)).astype("float32")
    y = (x[:, -8:, 0].sum(axis=1) - 0.5 * x[:, :, 1].mean(axis=1)).astype("float32")
    return x, y


def _run_torch_loop(args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """Variant A: the hand-written loop; returns the wall and CPU seconds of each epoch."""
    import torch
    from torch import nn

    class TwoLSTM(nn.Module):
        """The seqkit model written by hand: last step of the second LSTM, dropout, dense."""

        def __init__(self, features: int) -> None:
            super().__init__()
            self.lstm1 = nn.LSTM(features, UNITS, batch_first=True)
            self.lstm2 = nn.LSTM(UNITS, UNITS, batch_first=True)
            self.dropout = nn.Dropout(DROPOUT)
            self.dense = nn.Linear(UNITS, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            sequence, _ = self.lstm1(x)
            _, (h, _) = self.lstm2(sequence)
            return self.dense(self.dropout(h[-1]))

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_np, y_np = _make_data(args.n, args.steps, args.features, args.seed)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)[:, None]
    model = TwoLSTM(args.features)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(args.seed)
    times, cpu_times = [], []
    model.train()
    for _ in range(args.epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        order = torch.randperm(args.n, generator=generator)
        for begin in range(0, args.n, args.batch_size):
            index = order[begin : begin + args.batch_size]
            x_batch, y_batch = x[index], y[index]
            optimizer.zero_grad()
            loss = loss_fn(model(x_batch), y_batch)
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times


def _run_seqkit(args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """Variant S: ``Sequential.fit(verbose=1)``; returns the wall and CPU seconds of each
    epoch."""
    import pytorch_lightning as pl
    import torch

    import seqkit as sk

    class EpochTimer(pl.Callback):
        """Wall and CPU time of each training epoch, from its start hook to its end hook
        (added after seqkit's own callbacks, so their epoch-end work is included)."""

        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self.cpu_seconds: list[float] = []
            self._start = self._cpu_start = 0.0

        def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: Any) -> None:
            self._start, self._cpu_start = time.perf_counter(), time.process_time()

        def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: Any) -> None:
            self.seconds.append(time.perf_counter() - self._start)
            self.cpu_seconds.append(time.process_time() - self._cpu_start)

    torch.set_num_threads(args.threads)
    x, y = _make_data(args.n, args.steps, args.features, args.seed)
    model = sk.Sequential(
        [sk.LSTM(UNITS, return_sequences=True), sk.LSTM(UNITS), sk.Dropout(DROPOUT),
         sk.Dense(1)],
        optimizer="adam", lr=LEARNING_RATE, loss="mse",
    )
    timer = EpochTimer()
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=1,
              seed=args.seed, callbacks=[timer])
    return timer.seconds, timer.cpu_seconds


def _worker(args: argparse.Namespace) -> None:
    run = _run_torch_loop if args.worker == "A" else _run_seqkit
    seconds, cpu_seconds = run(args)
    Path(args.result).write_text(json.dumps({"variant": args.worker, "seconds": seconds,
                                             "cpu_seconds": cpu_seconds}))


# -- the driver -------------------------------------------------------------------------------
def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(BENCH_ENV)
    if env.get("TERM", "").lower() in ("", "dumb", "unknown"):
        env["TERM"] = "xterm-256color"
    # Run against this checkout's seqkit even when it is not installed.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def _run_once(variant: str, args: argparse.Namespace, workdir: Path, index: int
              ) -> dict[str, list[float]]:
    result = workdir / f"{variant}_{index}.json"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--worker", variant,
        "--result", str(result), "--epochs", str(args.epochs), "--n", str(args.n),
        "--steps", str(args.steps), "--features", str(args.features),
        "--batch-size", str(args.batch_size), "--threads", str(args.threads),
        "--seed", str(args.seed),
    ]
    output = None if args.show_output else subprocess.DEVNULL
    completed = subprocess.run(command, env=_subprocess_env(), stdout=output,
                               stderr=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"variant {variant} run {index} failed "
                           f"(exit {completed.returncode}):\n{completed.stderr[-4000:]}")
    timed = json.loads(result.read_text())
    if len(timed["seconds"]) != args.epochs:
        raise RuntimeError(f"variant {variant} run {index} timed {len(timed['seconds'])} "
                           f"epochs, expected {args.epochs}")
    return timed


def _summary(runs: list[dict[str, list[float]]]) -> dict[str, Any]:
    # Drop each run's warm-up epoch.
    kept = [t for run in runs for t in run["seconds"][1:]]
    kept_cpu = [t for run in runs for t in run["cpu_seconds"][1:]]
    return {
        "epoch_seconds": [run["seconds"] for run in runs],
        "epoch_cpu_seconds": [run["cpu_seconds"] for run in runs],
        "kept_seconds": kept,
        "median": statistics.median(kept),
        "min": min(kept),
        "max": max(kept),
        # Process CPU time (all threads): a cross-check when other jobs share the machine.
        "cpu_median": statistics.median(kept_cpu),
    }


def _environment(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "torch_threads": args.threads,
        "subprocess_env": BENCH_ENV,
    }


def _print_table(report: dict[str, Any]) -> None:
    config = report["config"]
    print(f"\nN={config['n']} T={config['steps']} F={config['features']} "
          f"batch={config['batch_size']} epochs={config['epochs']} (first dropped) "
          f"repeats={config['repeats']} threads={config['threads']}")
    print(f"{'variant':<44} {'median s/epoch':>14} {'min':>8} {'max':>8} {'cpu s':>8}")
    for key, label in VARIANTS.items():
        row = report["variants"][key]
        print(f"{key + ': ' + label:<44} {row['median']:>14.3f} {row['min']:>8.3f} "
              f"{row['max']:>8.3f} {row['cpu_median']:>8.3f}")
    print(f"ratio S/A (medians): {report['ratio_s_over_a']:.3f}   "
          f"median of paired per-repeat ratios: {report['paired_ratio_median']:.3f}   "
          f"CPU-time ratio: {report['cpu_ratio_s_over_a']:.3f}")


def _drive(args: argparse.Namespace) -> dict[str, Any]:
    runs: dict[str, list[dict[str, list[float]]]] = {key: [] for key in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="fit_overhead_") as tmp:
        for repeat in range(args.repeats):
            for variant in VARIANTS:  # interleaved: A, S, A, S, ...
                timed = _run_once(variant, args, Path(tmp), repeat)
                runs[variant].append(timed)
                print(f"repeat {repeat + 1}/{args.repeats} {variant}: "
                      + " ".join(f"{t:.3f}" for t in timed["seconds"]), flush=True)
    variants = {key: {"label": VARIANTS[key], **_summary(value)} for key, value in runs.items()}
    paired = [statistics.median(s["seconds"][1:]) / statistics.median(a["seconds"][1:])
              for a, s in zip(runs["A"], runs["S"], strict=True)]
    return {
        "config": {"n": args.n, "steps": args.steps, "features": args.features,
                   "batch_size": args.batch_size, "epochs": args.epochs,
                   "repeats": args.repeats, "threads": args.threads, "seed": args.seed,
                   "units": UNITS, "quick": args.quick},
        "environment": _environment(args),
        "variants": variants,
        "ratio_s_over_a": variants["S"]["median"] / variants["A"]["median"],
        "cpu_ratio_s_over_a": variants["S"]["cpu_median"] / variants["A"]["cpu_median"],
        "paired_ratios": paired,
        "paired_ratio_median": statistics.median(paired),
    }


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=4,
                        help="epochs per run, the first of which is dropped (default 4)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="interleaved runs of each variant (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: N=512, 2 epochs, 1 repeat (checks the mechanism)")
    parser.add_argument("--json", help="write the results as JSON to this path")
    parser.add_argument("--n", type=int, default=8192, help="samples (default 8192)")
    parser.add_argument("--steps", type=int, default=32, help="time steps (default 32)")
    parser.add_argument("--features", type=int, default=4, help="features (default 4)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-output", action="store_true",
                        help="let the workers' stdout (the progress bar) through")
    parser.add_argument("--worker", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.epochs, args.repeats = 512, 2, 1
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch is dropped)")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.worker:
        _worker(args)
        return
    report = _drive(args)
    _print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
