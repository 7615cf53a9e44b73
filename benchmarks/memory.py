"""Peak memory of ``predict`` and ``fit`` on large inputs, against a hand-written loop.

Each case runs in its own process. The process first makes the data (the user's arrays),
warms up once on a small slice (lazy imports, allocator pools, the first Trainer), then
resets the kernel's peak-RSS counter (``/proc/self/clear_refs``) and measures the peak
resident memory *growth* during the call, in MB. Ratios put that growth against the size
of what the call has to hold anyway:

* ``predict``: one input batch plus the output array (the target is at most 1x);
* ``fit``: the growth of a hand-written PyTorch loop over the same arrays (shuffled
  index gather per batch, Adam), measured the same way in its own process (target: at
  most 1.2x);
* ``fit`` on [`windows`][seqkit.data.windows.windows] of one long series: the series plus one
  batch, and a hand-written loop over an ``unfold`` view of the series.

Growth also holds what does not scale with the data (the Trainer, torch's workspaces for a
training step, allocator pools), so compare the ``/ input`` column across ``--scale``
values too: it must fall as the input grows.

"data kept after" says whether anything still references the user's arrays once the call
has returned and they are deleted (weak references; it should say "no").

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
import weakref
from typing import Any

import numpy as np
import torch

MB = 2**20
BATCH = 256
FEATURES = 8
STEPS = 50
LOOKBACK = 100
WINDOW_BATCH = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the default sizes (200,000 predict rows, "
                             "100,000 fit rows, a series of 1,000,000 values)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--case", help=argparse.SUPPRESS)  # a child process's one case
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.scale, args.threads)))
        return
    results = {case: _in_child(case, args.scale, args.threads) for case in args.cases}
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"{args.threads} threads, scale {args.scale}\n")
    print(f"{'case':<20}{'input MB':>10}{'growth MB':>11}{'/ input':>9}{'budget MB':>11}"
          f"{'/ budget':>10}{'vs loop':>9}  data kept after")
    loops = {"predict": "predict_loop", "predict_float64": "predict_loop",
             "fit": "fit_loop", "fit_windows": "fit_windows_loop"}
    for case, result in results.items():
        growth, budget = result["growth"], result["budget"]
        loop = results[loops[case]]["growth"] if loops.get(case) in results else None
        print(f"{case:<20}{result['input']:>10.1f}{growth:>11.1f}"
              f"{growth / result['input']:>9.3f}{budget:>11.1f}"
              f"{_ratio(growth, budget):>10}{_ratio(growth, loop):>9}"
              f"  {'yes' if result['referenced'] else 'no'}")
    print("\nbudget: predict = one batch + the output array; fit_windows = the series + one "
          "batch; vs loop: growth over the hand-written loop's (same data, same batches)")


def _ratio(value: float, reference: float | None) -> str:
    return "-" if not reference else f"{value / reference:.2f}"


def _in_child(case: str, scale: float, threads: int) -> dict[str, float]:
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="33554432",
               MALLOC_TRIM_THRESHOLD_="1073741824")
    out = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--case", case,
                          "--scale", str(scale), "--threads", str(threads)],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_case(case: str, scale: float, threads: int) -> dict[str, float]:
    """Runs one case in this process: ``{"input", "growth", "budget"}`` in MB and
    ``"referenced"``."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    data, call, budget = CASES[case](scale)
    for _ in range(2):  # warm-up on a small slice
        call(_slices(data, 512))
    gc.collect()
    baseline = _rss()
    _reset_peak()
    call(data)
    growth = _peak() - baseline
    size = sum(v.nbytes for v in data.values())
    references = [weakref.ref(v) for v in data.values()]
    data.clear()
    gc.collect()
    return {"input": size / MB, "growth": growth / MB, "budget": budget / MB,
            "referenced": any(ref() is not None for ref in references)}


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


def _predict_loop(scale: float) -> tuple[dict[str, Any], Any, float]:
    """The baseline for predict: batches of a tensor view, outputs into one array."""
    n = int(200_000 * scale)
    x = np.random.default_rng(0).normal(size=(n, STEPS, FEATURES)).astype(np.float32)
    lstm, dense = torch.nn.LSTM(FEATURES, 16, batch_first=True), torch.nn.Linear(16, 1)

    def call(data: dict[str, Any]) -> None:
        xs = torch.from_numpy(data["x"])
        output = np.empty((xs.shape[0], 1), np.float32)
        with torch.inference_mode():
            for start in range(0, xs.shape[0], BATCH):
                out, _ = lstm(xs[start : start + BATCH])
                output[start : start + BATCH] = dense(out[:, -1]).numpy()

    return {"x": x}, call, BATCH * STEPS * FEATURES * 4 + n * 4


def _fit_arrays(scale: float) -> tuple[dict[str, Any], Any, float]:
    import seqkit as sk

    x, y = _fit_data(scale)
    model = sk.Sequential([sk.LSTM(16), sk.Dense(1)]).compile(loss="mse")

    def call(data: dict[str, Any]) -> None:
        model.fit(data["x"], data["y"], batch_size=BATCH, epochs=1, verbose=0)

    return {"x": x, "y": y}, call, 0.0


def _hand_written_loop(features: int, batch: int) -> Any:
    """The baseline: gather a shuffled batch from the tensors, step Adam."""
    lstm, dense = torch.nn.LSTM(features, 16, batch_first=True), torch.nn.Linear(16, 1)
    optimizer = torch.optim.Adam([*lstm.parameters(), *dense.parameters()], lr=1e-3)

    def train(xs: torch.Tensor, ys: torch.Tensor) -> None:
        order = torch.randperm(xs.shape[0])
        for start in range(0, xs.shape[0], batch):
            index = order[start : start + batch]
            out, _ = lstm(xs.index_select(0, index))
            loss = torch.nn.functional.mse_loss(dense(out[:, -1]), ys.index_select(0, index))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return train


def _fit_loop(scale: float) -> tuple[dict[str, Any], Any, float]:
    x, y = _fit_data(scale)
    train = _hand_written_loop(FEATURES, BATCH)

    def call(data: dict[str, Any]) -> None:
        train(torch.from_numpy(data["x"]), torch.from_numpy(data["y"]))

    return {"x": x, "y": y}, call, 0.0


def _fit_windows_loop(scale: float) -> tuple[dict[str, Any], Any, float]:
    """The baseline on windows: a strided tensor view of the series, gathered per batch."""
    length = int(1_000_000 * scale)
    series = np.sin(np.arange(length, dtype=np.float32) / 50)
    train = _hand_written_loop(1, WINDOW_BATCH)

    def call(data: dict[str, Any]) -> None:
        values = torch.from_numpy(data["series"])
        x = values.unfold(0, LOOKBACK, 1)[:-1, :, None]  # (n, lookback, 1), a view
        train(x, values[LOOKBACK:, None])

    return {"series": series}, call, 0.0


def _fit_windows(scale: float) -> tuple[dict[str, Any], Any, float]:
    import seqkit as sk

    length = int(1_000_000 * scale)
    series = np.sin(np.arange(length, dtype=np.float32) / 50)
    model = sk.Sequential([sk.LSTM(16), sk.Dense(1)]).compile(loss="mse")

    def call(data: dict[str, Any]) -> None:
        x, y = sk.data.windows(data["series"], lookback=LOOKBACK)
        model.fit(x, y, batch_size=WINDOW_BATCH, epochs=1, verbose=0)

    return {"series": series}, call, series.nbytes + WINDOW_BATCH * LOOKBACK * 4


def _fit_data(scale: float) -> tuple[np.ndarray, np.ndarray]:
    n = int(100_000 * scale)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, STEPS, FEATURES)).astype(np.float32)
    return x, x[:, :5, 0].sum(axis=1, keepdims=True)


CASES = {
    "predict_loop": _predict_loop,
    "predict": _predict_case(),
    "predict_float64": _predict_case(np.float64),
    "predict_per_step": _predict_case(per_step=True),
    "fit_loop": _fit_loop,
    "fit": _fit_arrays,
    "fit_windows_loop": _fit_windows_loop,
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
