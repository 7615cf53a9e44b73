"""Peak memory of ``predict`` and ``fit`` on large inputs, against a hand-written loop.

Each case runs in its own process. The process first makes the data (the user's arrays),
warms up once on a small slice (lazy imports, allocator pools, the first Trainer), then
resets the kernel's peak-RSS counter (``/proc/self/clear_refs``) and measures the peak
resident memory *growth* during the call, in MB. Ratios put that growth against the size
of what the call has to hold anyway:

* ``predict``: one input batch plus the output array (the target is at most 1x);
* ``fit``: the growth of a hand-written PyTorch loop over the same arrays, measured the
  same way in its own process (target: at most 1.2x);
* ``fit`` on [`windows`][seqkit.data.windows] of one long series: the series plus one
  batch (the windows are a strided view: the target is at most 1x).

``retained`` is what is still resident after the call returns and the user's arrays are
deleted and collected (nothing of them should stay referenced).

Usage (from the repository root; Linux only)::

    python -m benchmarks.memory                     # the sizes of issue 13 (~5 minutes)
    python -m benchmarks.memory --scale 0.1         # a quick run
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
from typing import Any

import numpy as np
import torch

MB = 2**20
BATCH = 256
FEATURES = 8
STEPS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the default sizes (200,000 predict rows, "
                             "100,000 fit rows, a series of 1,000,000 values)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # a child process's one case
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.scale, args.threads)))
        return
    results = {case: _in_child(case, args.scale, args.threads) for case in CASES}
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"{args.threads} threads, scale {args.scale}\n")
    print(f"{'case':<26}{'input MB':>10}{'growth MB':>11}{'budget MB':>11}{'ratio':>8}"
          f"{'retained MB':>13}")
    loop_growth = results["fit_loop"]["growth"]
    for case, result in results.items():
        budget = loop_growth if case == "fit" else result["budget"]
        ratio = result["growth"] / budget if budget else float("nan")
        print(f"{case:<26}{result['input']:>10.0f}{result['growth']:>11.0f}{budget:>11.0f}"
              f"{ratio:>8.2f}{result['retained']:>13.0f}")
    print("\nbudget: predict = one batch + the output; fit = the hand-written loop's growth;"
          " fit_windows = the series + one batch")


def _in_child(case: str, scale: float, threads: int) -> dict[str, float]:
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="33554432",
               MALLOC_TRIM_THRESHOLD_="1073741824")
    out = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--case", case,
                          "--scale", str(scale), "--threads", str(threads)],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_case(case: str, scale: float, threads: int) -> dict[str, float]:
    """Runs one case in this process: ``{"input", "growth", "budget", "retained"}`` in MB."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    data, call, budget = CASES[case](scale)
    call(_slices(data, 512))  # warm-up on a small slice
    gc.collect()
    baseline = _rss()
    _reset_peak()
    call(data)
    growth = _peak() - baseline
    size = sum(v.nbytes for v in data.values() if isinstance(v, np.ndarray))
    data.clear()
    gc.collect()
    return {"input": size / MB, "growth": growth / MB, "budget": budget / MB,
            "retained": max(_rss() - baseline + size, 0) / MB}


def _predict_case(dtype: Any = np.float32, per_step: bool = False) -> Any:
    def make(scale: float) -> tuple[dict[str, Any], Any, float]:
        import seqkit as sk

        n = int(200_000 * scale)
        x = np.random.default_rng(0).normal(size=(n, STEPS, FEATURES)).astype(dtype)
        model = sk.Sequential([sk.LSTM(16, return_sequences=per_step), sk.Dense(1)])
        model.build((None, STEPS, FEATURES))
        output = n * (STEPS if per_step else 1) * 4
        batch = BATCH * STEPS * FEATURES * 4

        def call(data: dict[str, Any]) -> None:
            model.predict(data["x"], batch_size=BATCH, verbose=0)

        return {"x": x}, call, batch + output
    return make


def _fit_arrays(scale: float) -> tuple[dict[str, Any], Any, float]:
    import seqkit as sk

    x, y = _fit_data(scale)
    model = sk.Sequential([sk.LSTM(16), sk.Dense(1)]).compile(loss="mse")

    def call(data: dict[str, Any]) -> None:
        model.fit(data["x"], data["y"], batch_size=BATCH, epochs=1, verbose=0)

    return {"x": x, "y": y}, call, 0.0


def _fit_loop(scale: float) -> tuple[dict[str, Any], Any, float]:
    """The hand-written baseline: gather a shuffled batch from the arrays, step Adam."""
    x, y = _fit_data(scale)
    lstm, dense = torch.nn.LSTM(FEATURES, 16, batch_first=True), torch.nn.Linear(16, 1)
    params = [*lstm.parameters(), *dense.parameters()]
    optimizer = torch.optim.Adam(params, lr=1e-3)

    def call(data: dict[str, Any]) -> None:
        xs, ys = torch.from_numpy(data["x"]), torch.from_numpy(data["y"])
        order = torch.randperm(xs.shape[0])
        for start in range(0, xs.shape[0], BATCH):
            index = order[start : start + BATCH]
            out, _ = lstm(xs.index_select(0, index))
            loss = torch.nn.functional.mse_loss(dense(out[:, -1]), ys.index_select(0, index))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return {"x": x, "y": y}, call, 0.0


def _fit_windows(scale: float) -> tuple[dict[str, Any], Any, float]:
    import seqkit as sk

    length, lookback = int(1_000_000 * scale), 100
    series = np.sin(np.arange(length, dtype=np.float32) / 50)
    model = sk.Sequential([sk.LSTM(16), sk.Dense(1)]).compile(loss="mse")
    batch = 1024

    def call(data: dict[str, Any]) -> None:
        x, y = sk.data.windows(data["series"], lookback=lookback)
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)

    return {"series": series}, call, series.nbytes + batch * lookback * 4


def _fit_data(scale: float) -> tuple[np.ndarray, np.ndarray]:
    n = int(100_000 * scale)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, STEPS, FEATURES)).astype(np.float32)
    return x, x[:, :5, 0].sum(axis=1, keepdims=True)


CASES = {
    "predict": _predict_case(),
    "predict_float64": _predict_case(np.float64),
    "predict_per_step": _predict_case(per_step=True),
    "fit_loop": _fit_loop,
    "fit": _fit_arrays,
    "fit_windows": _fit_windows,
}


def _slices(data: dict[str, Any], rows: int) -> dict[str, Any]:
    if "series" in data:
        return {"series": data["series"][: rows + 200]}
    return {key: value[:rows] for key, value in data.items()}


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM, the peak resident set size


def _peak() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main()
