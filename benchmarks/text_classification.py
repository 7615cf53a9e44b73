"""Acceptance: the text-classifier preset with its defaults against tuned TF-IDF + logistic
regression, on every text set in the repository.

Text sets (``text,label`` CSV files, provenance in ``benchmarks/data/README.md`` and
``seqkit/datasets/data/README.md``):

* ``quotes``: 3,544 quotations by topic (10 classes), shipped as
  ``sk.datasets.quotes_by_topic()``; split 80/20 stratified by topic (split seed 0).
* ``food_reviews``: 4,000 / 1,000 Amazon fine-food reviews, ``great`` or ``other``, the
  train/test split of R's ``modeldata``.

The training rows are put in one fixed shuffled order (seed 0), so that ``fit``'s
``validation_split`` (Keras's: the last rows) holds out every class. Scored on the test
rows, by accuracy and macro-F1 (``sklearn.metrics``), with the wall time of the fit:

* **majority**: the most common training label;
* **TF-IDF + LR**: ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` and
  ``LogisticRegression``, its ``C`` from ``C_GRID`` and plain or ``"balanced"`` class
  weights chosen by macro-F1 on a stratified
  80/20 split of the *training* rows only (never the test rows), then refit on all of
  them;
* **preset**: ``sk.presets.text_classifier()`` with its defaults,
  ``fit(texts, labels, epochs=6, validation_split=0.1, seed=s, verbose=0)`` for each
  training seed ``s``; the mean over the seeds is reported.

Usage (from the repository root; one thread, as the numbers in the docs)::

    python benchmarks/text_classification.py --seeds 0 1 2 \\
        --json benchmarks/results/text_classification.json
    python benchmarks/text_classification.py --sets food_reviews --seeds 0

With ``--json``, the sets run replace their entries in an existing file, so the sets can
run in separate processes (``--sets quotes`` and ``--sets food_reviews``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seqkit.datasets import read_text_csv

ROOT = Path(__file__).resolve().parents[1]
C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
CLASS_WEIGHTS = (None, "balanced")
EPOCHS = 6
VALIDATION_SPLIT = 0.1

TextSet = tuple[list[str], np.ndarray, list[str], np.ndarray]


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)`` with ``test_fraction`` of every class in ``test``."""
    rng = np.random.default_rng(seed)
    test: list[int] = []
    for label in sorted(set(labels.tolist())):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.extend(members[: round(test_fraction * len(members))].tolist())
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def load_quotes() -> TextSet:
    texts, labels = read_text_csv(ROOT / "seqkit" / "datasets" / "data" /
                                  "quotes_by_topic.csv")
    train, test = stratified_split(labels, 0.2, seed=0)
    return ([texts[i] for i in train], labels[train], [texts[i] for i in test], labels[test])


def load_food_reviews() -> TextSet:
    data = ROOT / "benchmarks" / "data"
    return (*read_text_csv(data / "food_reviews_train.csv"),
            *read_text_csv(data / "food_reviews_test.csv"))


TEXT_SETS: dict[str, Callable[[], TextSet]] = {"quotes": load_quotes,
                                               "food_reviews": load_food_reviews}


def shuffled(texts: list[str], labels: np.ndarray, seed: int = 0
             ) -> tuple[list[str], np.ndarray]:
    order = np.random.default_rng(seed).permutation(len(labels))
    return [texts[i] for i in order], labels[order]


def scores(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"accuracy": float(accuracy_score(actual, predicted)),
            "macro_f1": float(f1_score(actual, predicted, average="macro"))}


def tfidf_lr(texts: list[str], labels: np.ndarray, c: float, weights: str | None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                          LogisticRegression(C=c, class_weight=weights, max_iter=2000))
    return model.fit(texts, labels)


def baseline(train_texts: list[str], train_labels: np.ndarray, test_texts: list[str],
             test_labels: np.ndarray) -> dict[str, Any]:
    """TF-IDF + LR with ``C`` tuned on an inner split of the training rows."""
    start = time.perf_counter()
    inner_train, inner_valid = stratified_split(train_labels, 0.2, seed=1)
    inner: dict[tuple[float, str | None], float] = {}
    for c in C_GRID:
        for weights in CLASS_WEIGHTS:
            model = tfidf_lr([train_texts[i] for i in inner_train], train_labels[inner_train],
                             c, weights)
            predicted = model.predict([train_texts[i] for i in inner_valid])
            inner[c, weights] = scores(train_labels[inner_valid], predicted)["macro_f1"]
    best = max(inner, key=lambda key: (inner[key], -key[0]))
    model = tfidf_lr(train_texts, train_labels, *best)
    seconds = time.perf_counter() - start
    return {**scores(test_labels, model.predict(test_texts)), "C": best[0],
            "class_weight": best[1], "fit_seconds": seconds,
            "inner_macro_f1": {f"C={c:g} {w}": f for (c, w), f in inner.items()}}


def preset(train_texts: list[str], train_labels: np.ndarray, test_texts: list[str],
           test_labels: np.ndarray, seed: int) -> dict[str, Any]:
    """The preset with its defaults, trained with one seed."""
    import seqkit as sk

    model = sk.presets.text_classifier()
    start = time.perf_counter()
    model.fit(train_texts, train_labels, epochs=EPOCHS, validation_split=VALIDATION_SPLIT,
              seed=seed, verbose=0)
    seconds = time.perf_counter() - start
    return {**scores(test_labels, np.asarray(model.predict_classes(test_texts))),
            "fit_seconds": seconds, "parameters": int(model.count_params())}


def run(names: list[str], seeds: list[int], with_preset: bool = True) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in names:
        train_texts, train_labels, test_texts, test_labels = TEXT_SETS[name]()
        train_texts, train_labels = shuffled(train_texts, train_labels)
        values, counts = np.unique(train_labels, return_counts=True)
        majority = np.full(len(test_labels), values[np.argmax(counts)])
        entry: dict[str, Any] = {
            "train_rows": len(train_labels), "test_rows": len(test_labels),
            "classes": len(values), "majority": scores(test_labels, majority),
            "tfidf_lr": baseline(train_texts, train_labels, test_texts, test_labels)}
        base = entry["tfidf_lr"]
        print(f"{name}: TF-IDF+LR {base['accuracy']:.3f} / {base['macro_f1']:.3f} "
              f"(C={base['C']}, {base['class_weight']})", flush=True)
        if with_preset:
            runs = []
            for seed in seeds:
                runs.append(preset(train_texts, train_labels, test_texts, test_labels, seed))
                print(f"{name}: preset seed {seed} {runs[-1]['accuracy']:.3f} / "
                      f"{runs[-1]['macro_f1']:.3f} in {runs[-1]['fit_seconds']:.0f} s",
                      flush=True)
            entry["preset"] = {"seeds": seeds, "runs": runs, **{
                key: float(np.mean([r[key] for r in runs]))
                for key in ("accuracy", "macro_f1", "fit_seconds")}}
        results[name] = entry
    return results


def table(results: dict[str, Any]) -> str:
    """A Markdown table of the results (preset: mean over the seeds)."""
    lines = ["| text set | model | accuracy | macro-F1 | fit (s) |",
             "|---|---|---|---|---|"]
    for name, entry in results.items():
        lines.append(f"| {name} | majority | {entry['majority']['accuracy']:.3f} | "
                     f"{entry['majority']['macro_f1']:.3f} | - |")
        base = entry["tfidf_lr"]
        lines.append(f"| {name} | TF-IDF+LR (C={base['C']:g}, {base['class_weight']}) | "
                     f"{base['accuracy']:.3f} | {base['macro_f1']:.3f} | "
                     f"{base['fit_seconds']:.1f} |")
        if "preset" in entry:
            p = entry["preset"]
            lines.append(f"| {name} | text_classifier() ({len(p['seeds'])} seeds) | "
                         f"{p['accuracy']:.3f} | {p['macro_f1']:.3f} | {p['fit_seconds']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(TEXT_SETS), choices=list(TEXT_SETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--baseline-only", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    results = run(args.sets, args.seeds, with_preset=not args.baseline_only)
    print(table(results))
    if args.json is not None:  # the sets run replace theirs in an existing file
        command = "python benchmarks/text_classification.py " + " ".join(
            argv if argv is not None else sys.argv[1:])
        report = (json.loads(args.json.read_text(encoding="utf-8")) if args.json.exists()
                  else {"results": {}, "commands": {}})
        for name in results:
            report["results"][name] = results[name]
            report["commands"][name] = command
        report.update(threads=args.threads, python=platform.python_version(),
                      torch=torch.__version__)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(table(report["results"]))
    return results


if __name__ == "__main__":
    main()
