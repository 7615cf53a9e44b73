"""Runs the variants interleaved, one subprocess per run, and turns their timings into
medians, ratios to ``A`` and the issue's targets."""

from __future__ import annotations

import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.suite.configs import VARIANT_LABELS, Config, configs_for, quick

__all__ = ["TARGETS", "Options", "Target", "check_targets", "run_suite", "summarize"]

ROOT = Path(__file__).resolve().parents[2]

# Applied to every run alike (see shared BENCHMARKING.md): fixed glibc malloc thresholds
# (adaptive ones made CPU epoch times jump ~2x), and rich's bar drawn as on a terminal.
BENCH_ENV = {
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "1073741824",
    "TTY_COMPATIBLE": "1",
    "COLUMNS": "120",
    "KERAS_BACKEND": "torch",
}


@dataclass(frozen=True)
class Options:
    """What to run: ``configs`` and ``variants`` (all when empty) on ``device``."""

    device: str = "cpu"
    configs: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    repeats: int = 1
    threads: int = 2
    quick: bool = False
    show_output: bool = False


@dataclass(frozen=True)
class Target:
    """``metric(numerator) / metric(denominator) <op> bound`` on one config."""

    device: str
    config: str
    text: str
    numerator: str
    denominator: str
    metric: str  # "median_s", "peak_rss_mb", "train_rss_mb" or "peak_cuda_mb"
    op: str  # "<=", "<" or ">="
    bound: float
    extra: dict[str, Any] = field(default_factory=dict)


TARGETS = (
    Target("cpu", "small", "S epoch <= 1.10x A", "S", "A", "median_s", "<=", 1.10),
    Target("cpu", "large", "S epoch <= 1.10x A", "S", "A", "median_s", "<=", 1.10),
    Target("cpu", "cnn_lstm", "S epoch <= 1.10x A", "S", "A", "median_s", "<=", 1.10),
    Target("cpu", "small", "S >= 4x faster than Keras (D)", "D", "S", "median_s", ">=", 4.0),
    Target("cpu", "predict", "S predict throughput >= 0.9x A", "A", "S", "median_s", ">=",
           0.9),
    Target("cpu", "text", "S (exact) no slower than padded A", "S", "A", "median_s", "<=",
           1.0),
    Target("cpu", "text", "S faster than naive packing (P)", "S", "P", "median_s", "<", 1.0),
    Target("cpu", "attention", "S epoch <= 1.10x A", "S", "A", "median_s", "<=", 1.10),
    Target("cpu", "small", "S peak RSS <= 1.2x A", "S", "A", "peak_rss_mb", "<=", 1.2),
    Target("cpu", "large", "S peak RSS <= 1.2x A", "S", "A", "peak_rss_mb", "<=", 1.2),
    Target("cpu", "small", "S training RSS growth <= 1.2x A", "S", "A", "train_rss_mb",
           "<=", 1.2),
    Target("cpu", "large", "S training RSS growth <= 1.2x A", "S", "A", "train_rss_mb",
           "<=", 1.2),
    Target("cuda", "small", "S throughput >= 0.9x A", "A", "S", "median_s", ">=", 0.9),
    Target("cuda", "large", "S throughput >= 0.9x A", "A", "S", "median_s", ">=", 0.9),
    Target("cuda", "predict", "S predict throughput >= 0.9x A", "A", "S", "median_s", ">=",
           0.9),
    Target("cuda", "text", "S >= 100x faster than Keras masked (D)", "D", "S", "median_s",
           ">=", 100.0),
    Target("cuda", "text", "S (exact) no slower than padded A", "S", "A", "median_s", "<=",
           1.0),
    Target("cuda", "attention", "S throughput >= 0.9x A", "A", "S", "median_s", ">=", 0.9),
    Target("cuda", "large", "S peak CUDA memory <= 1.2x A", "S", "A", "peak_cuda_mb", "<=",
           1.2),
)


def keras_available() -> bool:
    """Keras 3 is importable (the optional ``bench`` extra)."""
    if importlib.util.find_spec("keras") is None:
        return False
    return int(importlib.metadata.version("keras").split(".")[0]) >= 3


def run_suite(options: Options, log: Any = print) -> dict[str, Any]:
    """Runs every selected config, variants interleaved; returns the report (JSON-ready)."""
    available = configs_for(options.device)
    unknown = set(options.configs) - set(available)
    if unknown:
        raise SystemExit(f"unknown config(s) {sorted(unknown)}; choose from {sorted(available)}")
    names = options.configs or tuple(available)
    skipped: dict[str, str] = {}
    if not keras_available():
        skipped["D"] = "Keras 3 is not installed (pip install -e '.[bench]')"
    report: dict[str, Any] = {"environment": environment(options), "skipped": skipped,
                              "configs": {}}
    with tempfile.TemporaryDirectory(prefix="seqkit_bench_") as tmp:
        for name in names:
            config = quick(available[name]) if options.quick else available[name]
            variants = [v for v in config.variants
                        if v not in skipped and (not options.variants or v in options.variants)]
            runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
            log(f"\n[{name}] {config.describe()}")
            for repeat in range(options.repeats):
                for variant in variants:  # interleaved: A, B, ..., A, B, ...
                    result = _run_once(variant, name, options, Path(tmp), repeat)
                    runs[variant].append(result)
                    log(f"  repeat {repeat + 1}/{options.repeats} {variant}: "
                        + " ".join(f"{s:.3f}" for s in result["seconds"]))
            report["configs"][name] = summarize(config, runs)
    report["targets"] = check_targets(options.device, report["configs"])
    report["environment"]["load_average_end"] = _load_average()
    return report


def summarize(config: Config, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians over every run's passes after the first, memory peaks, ratios to ``A``."""
    variants: dict[str, dict[str, Any]] = {}
    for variant, results in runs.items():
        kept = [s for result in results for s in result["seconds"][1:]]
        cuda = [r["peak_cuda_mb"] for r in results if r["peak_cuda_mb"] is not None]
        variants[variant] = {
            "label": VARIANT_LABELS[config.task][variant],
            "seconds": [result["seconds"] for result in results],
            "median_s": statistics.median(kept),
            "min_s": min(kept),
            "max_s": max(kept),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "train_rss_mb": max(r["peak_rss_mb"] - r["rss_after_imports_mb"] for r in results),
            "peak_cuda_mb": max(cuda) if cuda else None,
            "rows_per_s": config.n / statistics.median(kept),
        }
    if "A" in variants:
        for row in variants.values():
            row["ratio_to_A"] = row["median_s"] / variants["A"]["median_s"]
    return {"config": config.__dict__ | {"variants": list(config.variants)},
            "description": config.describe(), "variants": variants}


def check_targets(device: str, configs: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of ``device`` whose config and variants ran: the ratio and whether met."""
    kind = "cuda" if device.startswith("cuda") else "cpu"
    checked = []
    for target in TARGETS:
        variants = configs.get(target.config, {}).get("variants", {})
        if target.device != kind or not {target.numerator, target.denominator} <= set(variants):
            continue
        numerator = variants[target.numerator][target.metric]
        denominator = variants[target.denominator][target.metric]
        if numerator is None or denominator is None or denominator <= 0:
            continue
        ratio = numerator / denominator
        met = {"<=": ratio <= target.bound, "<": ratio < target.bound,
               ">=": ratio >= target.bound}[target.op]
        checked.append({"config": target.config, "target": target.text,
                        "ratio": ratio, "bound": f"{target.op} {target.bound}", "met": met})
    return checked


#: Packages that torchmetrics imports when they are installed, whether used or not.
OPTIONAL_IMPORTS = ("scipy", "matplotlib")


def environment(options: Options) -> dict[str, Any]:
    """Versions and machine, for the report."""
    import torch

    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    gpu = torch.cuda.get_device_name() if options.device.startswith("cuda") else None
    return {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
            "torch": torch.__version__, "pytorch_lightning": version("pytorch-lightning"),
            "keras": version("keras"), "seqkit": version("seqkit"),
            "torchmetrics": version("torchmetrics"),
            # Installed, torchmetrics imports them at start-up (not needed by seqkit): they
            # add ~90 MB to the peak RSS of C and S (scipy.signal ~63 MB, matplotlib ~28 MB).
            "eager_optional_imports": {name: version(name) for name in OPTIONAL_IMPORTS
                                       if version(name) is not None},
            "platform": platform.platform(), "cpu_count": os.cpu_count(), "gpu": gpu,
            "load_average_start": _load_average(),
            "device": options.device, "threads": options.threads,
            "repeats": options.repeats, "quick": options.quick, "env": BENCH_ENV,
            "command": " ".join([Path(sys.executable).name, "-m", "benchmarks", *sys.argv[1:]])}


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: other work on the machine skews timings."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _run_once(variant: str, config: str, options: Options, workdir: Path, repeat: int
              ) -> dict[str, Any]:
    result = workdir / f"{config}_{variant}_{repeat}.json"
    command = [sys.executable, "-m", "benchmarks.suite.worker", "--variant", variant,
               "--config", config, "--device", options.device,
               "--threads", str(options.threads), "--result", str(result)]
    if options.quick:
        command.append("--quick")
    env = dict(os.environ) | BENCH_ENV
    if env.get("TERM", "").lower() in ("", "dumb", "unknown"):
        env["TERM"] = "xterm-256color"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(command, cwd=ROOT, env=env, text=True, check=False,
                               stdout=None if options.show_output else subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    if completed.returncode != 0:
        raise RuntimeError(f"variant {variant} on {config} failed (exit "
                           f"{completed.returncode}):\n{completed.stderr[-4000:]}")
    return json.loads(result.read_text())
