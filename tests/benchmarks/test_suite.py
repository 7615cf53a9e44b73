"""``python -m benchmarks``: the driver's arithmetic on given timings, and a quick end-to-end
run of real variants in subprocesses. The mechanism only, never the speed."""

from __future__ import annotations

import importlib.util
import math

import pytest

from benchmarks.suite.cli import format_markdown, format_report
from benchmarks.suite.configs import configs_for, quick
from benchmarks.suite.data import regression_data, text_data
from benchmarks.suite.driver import Options, check_targets, keras_available, run_suite, summarize


def _run(seconds: list[float], rss: float = 400.0) -> dict[str, object]:
    return {"seconds": seconds, "rss_after_imports_mb": 300.0, "peak_rss_mb": rss,
            "peak_cuda_mb": None}


def test_summary_drops_the_warm_up_pass_and_takes_ratios_to_a() -> None:
    config = configs_for("cpu")["small"]
    summary = summarize(config, {
        "A": [_run([9.0, 1.0, 1.2]), _run([9.0, 1.1, 1.0])],
        "S": [_run([9.0, 1.3, 1.2], rss=500.0), _run([9.0, 1.2, 1.3], rss=520.0)],
    })
    a, s = summary["variants"]["A"], summary["variants"]["S"]
    assert a["median_s"] == pytest.approx(1.05) and (a["min_s"], a["max_s"]) == (1.0, 1.2)
    assert s["median_s"] == pytest.approx(1.25)
    assert s["ratio_to_A"] == pytest.approx(1.25 / 1.05) and a["ratio_to_A"] == 1.0
    assert s["peak_rss_mb"] == 520.0 and s["train_rss_mb"] == 220.0
    assert s["rows_per_s"] == pytest.approx(config.n / 1.25)
    targets = {t["target"]: t for t in check_targets("cpu", {"small": summary})}
    epoch = targets["S epoch <= 1.10x A"]
    assert epoch["ratio"] == pytest.approx(1.25 / 1.05) and epoch["met"] is False
    assert targets["S peak RSS <= 1.2x A"]["met"] is False  # 520 / 400
    assert "S >= 4x faster than Keras (D)" not in targets  # D did not run


def test_data_is_the_same_in_every_process() -> None:
    config = quick(configs_for("cpu")["text"])
    first, second = text_data(config), text_data(config)
    for a, b in zip(first, second, strict=True):
        assert (a == b).all()
    ids, lengths, _ = first
    assert lengths.min() >= config.min_length and lengths.max() <= config.steps
    assert ((ids != 0).sum(axis=1) == lengths).all()  # ids 1.., zero padding after the end
    x, y = regression_data(quick(configs_for("cpu")["small"]))
    assert x.shape[1:] == (24, 4) and y.shape == (x.shape[0], 1)


@pytest.mark.slow
def test_quick_run_of_real_variants() -> None:
    report = run_suite(Options(configs=("small", "text"), variants=("A", "P", "S"),
                               quick=True), log=lambda line: None)
    assert set(report["configs"]) == {"small", "text"}
    assert set(report["configs"]["small"]["variants"]) == {"A", "S"}
    assert set(report["configs"]["text"]["variants"]) == {"A", "P", "S"}
    for config in report["configs"].values():
        for row in config["variants"].values():
            assert all(len(run) == 2 for run in row["seconds"])  # quick: 2 passes
            assert 0 < row["min_s"] <= row["median_s"] <= row["max_s"]
            assert row["peak_rss_mb"] > 0 or math.isnan(row["peak_rss_mb"])
    checked = {(t["config"], t["target"]) for t in report["targets"]}
    assert ("text", "S faster than naive packing (P)") in checked
    assert ("small", "S epoch <= 1.10x A") in checked
    assert ("D" in report["skipped"]) == (not keras_available())
    text = format_report(report)
    assert "[small]" in text and "[text]" in text and "targets" in text
    eager = report["environment"]["eager_optional_imports"]
    for package in ("scipy", "matplotlib"):  # present or not, the report says which
        installed = importlib.util.find_spec(package) is not None
        assert (package in eager) == installed
        if installed:
            assert f"{package} {eager[package]}" in text
    assert ("imported by torchmetrics" in text) == bool(eager)
    markdown = format_markdown(report)
    assert "| S: seqkit fit" in markdown and "| text |" in markdown
