"""One run of one variant on one config, in a process of its own.

``python -m benchmarks.suite.worker --variant S --config small --device cpu --result r.json``
writes the seconds of each timed pass, the resident memory after the variant's imports (and
one tiny LSTM step, which loads the kernels' libraries) and at its peak
(``/proc/self/status``), and the peak CUDA memory on a GPU. The driver starts these; run
one by hand only to debug a variant.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
from pathlib import Path

from benchmarks.suite.configs import configs_for, quick

__all__ = ["VARIANT_FUNCTIONS", "main"]

VARIANT_FUNCTIONS: dict[str, tuple[str, str]] = {
    "A": ("benchmarks.suite.variant_torch", "index_loop"),
    "B": ("benchmarks.suite.variant_torch", "dataloader"),
    "P": ("benchmarks.suite.variant_torch", "packed"),
    "C": ("benchmarks.suite.variant_lightning", "plain_lightning"),
    "D": ("benchmarks.suite.variant_keras", "keras_fit"),
    "S": ("benchmarks.suite.variant_seqkit", "seqkit_fit"),
    "L": ("benchmarks.suite.variant_seqkit", "seqkit_fit_bucketed"),
}


def memory_mb(field: str) -> float:
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in MiB; NaN elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _load_kernels() -> None:
    """One tiny LSTM training step, so the libraries torch loads at first use (oneDNN...)
    count as every variant's start-up memory, not as some variants' training memory."""
    import torch

    lstm = torch.nn.LSTM(2, 2, batch_first=True)
    torch.optim.Adam(lstm.parameters()).zero_grad()
    lstm(torch.zeros(1, 2, 2))[0].sum().backward()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=sorted(VARIANT_FUNCTIONS), required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    os.environ["KERAS_BACKEND"] = "torch"  # Keras picks its backend at import

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = configs_for(args.device)[args.config]
    if args.quick:
        config = quick(config)
    module, function = VARIANT_FUNCTIONS[args.variant]
    run = getattr(importlib.import_module(module), function)
    _load_kernels()
    rss_after_imports = memory_mb("VmRSS")
    cuda = args.device.startswith("cuda")
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    seconds = run(config, args.device)
    Path(args.result).write_text(json.dumps({
        "seconds": seconds,
        "rss_after_imports_mb": rss_after_imports,
        "peak_rss_mb": memory_mb("VmHWM"),
        "peak_cuda_mb": torch.cuda.max_memory_allocated() / 2**20 if cuda else None,
    }))


if __name__ == "__main__":
    main()
