"""``python -m benchmarks``: run the suite, print the tables and targets, write JSON.

Examples (from the repository root)::

    python -m benchmarks                                  # every CPU config, 1 repeat
    python -m benchmarks --configs small --variants A S --repeats 3
    python -m benchmarks --device cuda --json gpu.json    # the GPU configs
    python -m benchmarks --quick                          # seconds: checks the mechanism
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from benchmarks.suite.driver import Options, run_suite

__all__ = ["format_markdown", "format_report", "main"]


def format_report(report: dict[str, Any]) -> str:
    """The report as plain-text tables: one per config, then the targets."""
    env = report["environment"]
    lines = [f"seqkit {env['seqkit']}, torch {env['torch']}, pytorch-lightning "
             f"{env['pytorch_lightning']}, keras {env['keras']}; {env['platform']}, "
             f"{env['cpu_count']} CPUs, {env['gpu'] or 'no GPU'}; device {env['device']}, "
             f"{env['threads']} threads, {env['repeats']} repeat(s); {env['date']}; load "
             f"average at start {env['load_average_start']}, at end "
             f"{env.get('load_average_end')}"]
    eager = env.get("eager_optional_imports")
    if eager:
        lines.append("installed, so imported by torchmetrics at start-up (adds to C's and "
                     "S's peak RSS): " + ", ".join(f"{k} {v}" for k, v in eager.items()))
    for variant, why in report["skipped"].items():
        lines.append(f"variant {variant} skipped: {why}")
    for name, config in report["configs"].items():
        lines += ["", f"[{name}] {config['description']}; {config['config']['passes']} "
                  "passes per run, the first dropped",
                  f"{'variant':<42}{'median s':>10}{'min-max':>16}{'x A':>7}{'rows/s':>10}"
                  f"{'peak RSS MB':>12}{'train MB':>10}{'CUDA MB':>9}"]
        for key, row in config["variants"].items():
            ratio = row.get("ratio_to_A", math.nan)
            cuda = "-" if row["peak_cuda_mb"] is None else f"{row['peak_cuda_mb']:.0f}"
            lines.append(f"{key + ' ' + row['label']:<42}{row['median_s']:>10.3f}"
                         f"{row['min_s']:>8.3f}-{row['max_s']:<7.3f}{ratio:>7.2f}"
                         f"{row['rows_per_s']:>10.0f}{row['peak_rss_mb']:>12.0f}"
                         f"{row['train_rss_mb']:>10.0f}{cuda:>9}")
    if report["targets"]:
        lines += ["", "targets (ratios of medians measured in this run):"]
        for target in report["targets"]:
            verdict = "met" if target["met"] else "MISSED"
            lines.append(f"  [{target['config']}] {target['target']}: ratio "
                         f"{target['ratio']:.2f} ({target['bound']}) {verdict}")
    return "\n".join(lines)


def format_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables (the docs' Performance page is pasted from this)."""
    lines = []
    for name, config in report["configs"].items():
        lines += [f"**{name}**: {config['description']}", "",
                  "| variant | median s | min-max | x A | rows/s | peak RSS MB | CUDA MB |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for key, row in config["variants"].items():
            cuda = "-" if row["peak_cuda_mb"] is None else f"{row['peak_cuda_mb']:.0f}"
            lines.append(f"| {key}: {row['label']} | {row['median_s']:.3f} | "
                         f"{row['min_s']:.3f}-{row['max_s']:.3f} | "
                         f"{row.get('ratio_to_A', math.nan):.2f} | {row['rows_per_s']:.0f} | "
                         f"{row['peak_rss_mb']:.0f} | {cuda} |")
        lines.append("")
    if report["targets"]:
        lines += ["| config | target | ratio | met |", "|---|---|---:|---|"]
        lines += [f"| {t['config']} | {t['target']} | {t['ratio']:.2f} | "
                  f"{'yes' if t['met'] else '**no**'} |" for t in report["targets"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Variants: A hand-written loop, B DataLoader, C plain Lightning, D Keras 3 "
               "(torch backend), S seqkit; text configs: A padded unpacked, P packed.")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--configs", nargs="+", default=(),
                        help="small, large, text, predict (default: all)")
    parser.add_argument("--variants", nargs="+", default=(),
                        help="variant keys to run (default: all of each config)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="interleaved runs of each variant (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, 2 passes: checks that everything runs")
    parser.add_argument("--show-output", action="store_true",
                        help="let the runs' output (progress bars) through")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--markdown", type=Path, help="also write Markdown tables here")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    report = run_suite(Options(device=args.device, configs=tuple(args.configs),
                               variants=tuple(args.variants), repeats=args.repeats,
                               threads=args.threads, quick=args.quick,
                               show_output=args.show_output))
    print("\n" + format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    if args.markdown:
        args.markdown.write_text(format_markdown(report) + "\n")
        print(f"wrote {args.markdown}")
    return report
