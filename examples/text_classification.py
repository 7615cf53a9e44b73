"""Text classification with the text-classifier preset: raw strings in, labels out.

By default this trains on the quotations shipped with seqkit
(sk.datasets.quotes_by_topic(): 3,544 quotations labelled with one of 10 topics), split
80/20, stratified by topic with a fixed seed; no network is needed. --quotes PATH reads
another CSV file with the columns text,label instead.

--imdb trains on IMDB movie reviews (sk.datasets.imdb(): downloaded once, 84 MB, then
cached; offline it prints the loader's error and exits with status 1). To keep a CPU run to
a few minutes it draws a seeded, class-balanced subset of the official train and test halves
(--train-size, --test-size) and reads the first 200 tokens of each review.

Accuracy and macro-F1 (the mean of the per-class F1 scores, so that rare topics count as
much as common ones) are printed next to the majority-class baseline.

Run: python examples/text_classification.py [--fast] [--quotes PATH | --imdb]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

# seqkit (and torch) are imported in main, so that --help answers at once.

# The preset with its defaults, trained as the text-classification guide measures it
# (benchmarks/text_classification.py): 6 epochs, early stopping on a 10 % validation split.
QUOTES_MODEL: dict[str, Any] = {}
EPOCHS = 6
FAST_MODEL = {"output_sequence_length": 64}  # --fast: 1 epoch, 64 tokens per text
IMDB_MODEL: dict[str, Any] = {"output_sequence_length": 200}  # the first 200 tokens


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)``: ``test_fraction`` of every class in ``test``.

    Both are shuffled, so no class sits in one block (``fit``'s ``validation_split`` takes
    the last rows).
    """
    rng = np.random.default_rng(seed)
    test: list[int] = []
    for label in sorted(set(labels.tolist())):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.extend(members[: round(test_fraction * len(members))].tolist())
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    return rng.permutation(np.flatnonzero(~is_test)), rng.permutation(np.flatnonzero(is_test))


def macro_f1(actual: np.ndarray, predicted: np.ndarray) -> float:
    """The unweighted mean over the classes of ``actual`` of each class's F1 score."""
    scores = []
    for label in sorted(set(actual.tolist())):
        true_positive = np.sum((predicted == label) & (actual == label))
        false_positive = np.sum((predicted == label) & (actual != label))
        false_negative = np.sum((predicted != label) & (actual == label))
        denominator = 2 * true_positive + false_positive + false_negative
        scores.append(2 * true_positive / denominator if denominator else 0.0)
    return float(np.mean(scores))


def subset(texts: list[str], labels: np.ndarray, size: int, seed: int
           ) -> tuple[list[str], np.ndarray]:
    """A seeded, stratified, shuffled subset of ``size`` rows (all rows if fewer)."""
    if size >= len(labels):
        order = np.random.default_rng(seed).permutation(len(labels))
    else:
        order = stratified_split(labels, size / len(labels), seed)[1]
    return [texts[i] for i in order], labels[order]


def evaluate(model: Any, texts: list[str], labels: np.ndarray, majority: Any
             ) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 of the model and of always answering ``majority``."""
    predicted = model.predict_classes(texts)
    constant = np.full(len(labels), majority, dtype=labels.dtype)
    return {name: {"accuracy": float(np.mean(guess == labels)),
                   "macro_f1": macro_f1(labels, guess)}
            for name, guess in (("text_classifier", predicted), ("majority", constant))}


def main(fast: bool = False, quotes: Path | None = None, imdb: bool = False, seed: int = 0,
         train_size: int = 5000, test_size: int = 5000) -> int:
    import seqkit as sk

    if not imdb:
        texts, labels = (sk.datasets.quotes_by_topic(shuffle=False) if quotes is None
                         else sk.datasets.read_text_csv(quotes))
        name = "quotes_by_topic" if quotes is None else quotes.name
        train, test = stratified_split(labels, 0.2, seed)
        x_train, y_train = [texts[i] for i in train], labels[train]
        x_test, y_test = [texts[i] for i in test], labels[test]
        settings, epochs = (FAST_MODEL, 1) if fast else (QUOTES_MODEL, EPOCHS)
        source = f"{name}: {len(texts)} quotations, {len(set(labels))} topics, " \
                 "stratified 80/20 split"
    else:
        try:
            data = sk.datasets.imdb()
        except sk.SeqkitError as error:
            print(f"could not load IMDB: {error}", file=sys.stderr)
            print("(run without --imdb to use the quotations shipped with seqkit)",
                  file=sys.stderr)
            return 1
        x_train, y_train = subset(*data["train"], train_size, seed)
        x_test, y_test = subset(*data["test"], test_size, seed)
        y_train = np.where(y_train == 1, "pos", "neg")
        y_test = np.where(y_test == 1, "pos", "neg")
        settings, epochs = IMDB_MODEL, 1 if fast else EPOCHS
        source = "IMDB reviews: a stratified subset of the official train and test halves"
    print(f"{source}; {len(x_train)} training and {len(x_test)} test texts")

    model = sk.presets.text_classifier(**settings)
    model.fit(x_train, y_train, epochs=epochs, validation_split=0.1, verbose=0, seed=seed)
    labels_seen, counts = np.unique(y_train, return_counts=True)
    results = evaluate(model, x_test, y_test, majority=labels_seen[counts.argmax()])
    print(f"text_classifier({', '.join(f'{k}={v}' for k, v in settings.items())}), "
          f"{epochs} epochs")
    print(f"{'model':<18}{'accuracy':>10}{'macro-F1':>10}")
    for name, scores in results.items():
        print(f"{name:<18}{scores['accuracy']:>10.3f}{scores['macro_f1']:>10.3f}")
    return 0


def parse_arguments() -> argparse.Namespace:
    """The command line (parsed before seqkit is imported)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true",
                        help="a short smoke run (1 epoch, 64 tokens per text)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--quotes", type=Path, metavar="PATH",
                        help="train on another text,label CSV file instead of the shipped "
                        "quotations")
    source.add_argument("--imdb", action="store_true",
                        help="train on IMDB movie reviews (downloaded once and cached)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the split and training")
    parser.add_argument("--train-size", type=int, default=5000,
                        help="IMDB training reviews to use (of 25,000)")
    parser.add_argument("--test-size", type=int, default=5000,
                        help="IMDB test reviews to use (of 25,000)")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_arguments()
    if arguments.fast:
        import torch

        # Smoke runs share small CI machines; there torch's default of one thread per core
        # oversubscribes them (text_classification.py --fast: 10 s with one thread, 145 s
        # with two on a busy 2-core machine). One thread is as fast for models this small.
        torch.set_num_threads(1)
    sys.exit(main(fast=arguments.fast, quotes=arguments.quotes, imdb=arguments.imdb,
                  seed=arguments.seed,
                  train_size=arguments.train_size, test_size=arguments.test_size))
