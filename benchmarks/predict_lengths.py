"""``model.predict`` over skewed lengths: length-sorted batches against the caller's order.

The model and data are :mod:`benchmarks.variable_lengths`' (the suite's text config: an
``Embedding -> BiLSTM(128) -> Dense`` model over token ids with lengths 10-400, skewed
towards short). Two ways to predict the same rows with the same weights, interleaved:

* ``in-order``: ``model.predict`` called once per ``--batch-size`` rows in the caller's
  order, so every batch is cut after its own longest sequence only (what ``predict`` did
  before it sorted by length);
* ``sorted``: one ``model.predict(ids, batch_size=...)`` call, which runs batches of
  neighbouring lengths and puts the results back in the caller's order.

Prints the median seconds per pass over all rows (the first pass is a warm-up), min-max,
the ratio to ``in-order``, and the largest difference between the two outputs.

Usage (from the repository root)::

    python -m benchmarks.predict_lengths --samples 2048 --threads 2
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import torch

import seqkit as sk
from benchmarks.variable_lengths import make_data, seqkit_model


def in_order(model: sk.Sequential, ids: np.ndarray, batch_size: int) -> np.ndarray:
    """One ``predict`` call per batch of rows in the caller's order."""
    return np.concatenate([model.predict(ids[start: start + batch_size], batch_size=batch_size)
                           for start in range(0, len(ids), batch_size)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--passes", type=int, default=6, help="timed passes, first dropped")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ids = make_data(args.samples)[0].numpy()
    model = seqkit_model()
    variants = {"in-order": lambda: in_order(model, ids, args.batch_size),
                "sorted": lambda: model.predict(ids, batch_size=args.batch_size)}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(args.passes):
        for name, run in variants.items():
            started = time.perf_counter()
            outputs[name] = run()
            seconds[name].append(time.perf_counter() - started)

    print(f"seqkit {sk.__version__}, torch {torch.__version__}, {platform.platform()}, "
          f"{torch.get_num_threads()} threads; N={args.samples}, batch {args.batch_size}")
    base = statistics.median(seconds["in-order"][1:])
    print(f"{'variant':<10}{'median s':>10}{'min-max':>16}{'x in-order':>12}")
    for name, times in seconds.items():
        kept = times[1:]
        median = statistics.median(kept)
        print(f"{name:<10}{median:>10.3f}{min(kept):>8.3f}-{max(kept):<7.3f}"
              f"{median / base:>12.2f}")
    difference = float(np.abs(outputs["sorted"] - outputs["in-order"]).max())
    print(f"largest output difference: {difference:.2e}")


if __name__ == "__main__":
    main()
