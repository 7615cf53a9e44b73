"""Acceptance: the text-classifier preset on quotations by topic, against two baselines.

Data: ``quotes_by_topic.csv`` (columns ``text,label``; 3,544 quotations, 10 topics, shipped
with seqkit as ``sk.datasets.quotes_by_topic()`` unless ``--quotes`` says otherwise), split
80/20 stratified by topic with a fixed seed. Three models are scored on the same test rows, by
accuracy and macro-F1 (the unweighted mean of the per-topic F1 scores, computed here):

* **majority**: always the most common training topic;
* **TF-IDF + logistic regression**, the bag-of-words baseline: the vocabulary of a seqkit
  ``TextVectorizer`` adapted on the training texts (the preset's own tokenization),
  sublinear term frequency ``1 + log(count)`` times smoothed inverse document frequency,
  rows scaled to unit length; a multinomial logistic regression trained with full-batch
  L-BFGS in torch, with an L2 penalty from ``L2_GRID`` and plain or balanced class weights
  chosen by macro-F1 on a stratified 80/20 split of the training rows, then refit on all
  of them;
* **the preset**: ``sk.presets.text_classifier(**PRESET)`` trained for ``EPOCHS`` epochs.

How ``PRESET`` was chosen: on a stratified 80/20 split of the training rows (the one the
baseline's penalty is chosen on; never the test rows), by accuracy / macro-F1 after 10
epochs (``--validation`` prints these per epoch), where the TF-IDF baseline reached
0.642 / 0.594 (L2 1e-7). With several training seeds, the numbers are their means.

* The first preset (BiLSTM, last step, embed 128, units 64, dropout 0.5, lr 3e-3; torch's
  N(0, 1) embedding init) overfits within 5-7 epochs and peaked (at its best epoch, not
  the 10th) at 0.48-0.51 / 0.37-0.44, whatever the embed size (32-256), units (32-128),
  ``max_tokens`` (2,000-20,000), truncation, ``ngrams=2`` or lr (2e-3 to 5e-3); a BiGRU
  reached 0.55 / 0.47. On the test rows both scored about 0.53 / 0.45.
* Pooling over time, same model (seed 0): last step 0.50 / 0.38, mean 0.51 / 0.42, max
  0.56 / 0.46.
* Keras' embedding init U(-0.05, 0.05) instead of N(0, 1) (seed 0): max 0.63 / 0.58,
  last 0.53 / 0.48, mean 0.54 / 0.44. The preset now always uses it. With it, seeds 0-2:
  max-pooled BiLSTM 0.61 / 0.55, max-pooled BiGRU 0.62 / 0.56.
* Regularisation did not help the max-pooled BiLSTM (seed 0): dropout on the embedded
  sequence 0.2 / 0.4: 0.59 / 0.50, 0.60 / 0.53; AdamW weight decay 0.1 / 1.0: 0.60 / 0.53,
  0.55 / 0.43.
* Max-pooled BiGRU, seeds 0-1 unless said: embed 256 **0.650 / 0.607** (seeds 0-2:
  0.643 / 0.607), embed 512 0.63 / 0.59, embed 256 with units 128 0.64 / 0.59, with
  dropout 0.3 0.64 / 0.59, lr 2e-3 0.64 / 0.59, embedding dropout 0.2 0.64 / 0.61, weight
  decay 0.1 0.64 / 0.58; lr 1e-3 (embed 128) 0.60 / 0.51, ``ngrams=2`` (embed 128)
  0.62 / 0.55. Embed 256 with last-step pooling 0.57 / 0.51, mean 0.61 / 0.56; a
  max-pooled BiLSTM with embed 256 0.61 / 0.57.

So ``PRESET`` is the max-pooled BiGRU with embed 256, 10 epochs (curves are flat from
epoch 5 to 10), and no extra regularisation knob was added to the preset. ``--cell lstm``
and ``--pooling last`` run the alternatives.

On the test rows (``--threads 1 --train-seeds 0 1 2``) it scored 0.640 / 0.573,
0.635 / 0.567 and 0.639 / 0.587, mean 0.638 / 0.576, against 0.640 / 0.594 for TF-IDF +
logistic regression: up from 0.527 / 0.445, level on accuracy, still below on macro-F1
(the preset does not yet match the baseline). These settings were fixed before this run.

Class weighting, tried next on the same inner split (seeds 0-2, 10 epochs): the baseline
now also chooses between plain and ``"balanced"`` class weights by inner macro-F1, and
balanced weights lift it from 0.642 / 0.594 to 0.660 / 0.636 (L2 1e-7), so the bar is
higher. The preset does not gain from them: ``--class-weight balanced`` 0.634 / 0.590
(0.640 / 0.608 at its best epoch, the 5th), against 0.643 / 0.607 without. Averaging the
weights over training helps a little: Lightning's ``StochasticWeightAveraging`` over
epochs 6-10 (``swa_lrs`` 1e-3) 0.644 / 0.610, with balanced weights 0.638 / 0.602;
``EMAWeightAveraging(decay=0.99)`` 0.647 / 0.613. None of these comes close to the
balanced baseline, so the preset's settings are unchanged and no averaging was built in.
Shifting the trained preset's logits by ``-tau * log(prior)`` at prediction (logit
adjustment, for rare topics) did not help either: tau 0.25 / 0.5 / 1.0 gave macro-F1
0.612 / 0.602 / 0.594 against 0.607 unshifted. Nor did batch 16 (macro-F1 0.569) or 64
(0.562), ``max_tokens=8000`` (0.601), EMA over 15 epochs (0.596), or starting 10 of the
embedding's dimensions from each word's per-topic log-count ratios in the training texts
(naive-Bayes features, scale 0.1; 0.647 / 0.609).

Is the test gap noise? Six other split seeds (``--seed 1`` ... ``--seed 6``, training seed 0,
``--threads 1``), each scored on its own test rows: preset macro-F1 0.623, 0.597, 0.620,
0.604, 0.608, 0.577 (mean 0.605) against the baseline's 0.617, 0.629, 0.648, 0.635, 0.636,
0.607 (mean 0.629); accuracy 0.661 against 0.667 on average. The preset trails on five of
the six, so the gap is real, about 0.02-0.03 macro-F1. (The baseline's inner-validation
figure above, 0.660 / 0.636, is the best of its eight settings on that very split, so it is
optimistic as an estimate.)
On the test rows the baseline, now balanced, scores 0.643 / 0.607 against the preset's
unchanged 0.638 / 0.576 (``--threads 1 --train-seeds 0 1 2``): the gap on macro-F1 is
0.031.

Ensembles closed the gap. First, more changes to the single model, on the same inner split
(macro-F1 after 10 epochs, seeds 0-2; the single model: 0.607): the mean of the embedded
words concatenated to the pooled BiGRU output 0.582; max and mean pooling side by side
0.603; 10 % / 25 % of the training tokens replaced by the out-of-vocabulary id 0.561 /
0.587; label smoothing 0.1 0.605; cosine learning-rate decay from 3e-3 / 6e-3 0.590 /
0.597. None helped. Averaging models did: the class probabilities of three separately
trained presets (training seeds 0-2, and 3-5) reached 0.665 / 0.643 and 0.658 / 0.650
(the six single models: 0.578 to 0.629 macro-F1). Trained side by side in one model on
the same batches, three copies gained little (0.614; with Poisson(1) online-bagging
weights per member 0.610), and neither did three separate presets given the same batch
order and dropout masks (0.619): the members need batch orders of their own. So
``sk.Ensemble`` trains each member on its own shuffled order (``fit`` draws one order per
member and puts one batch of each into every step), and ``ensemble=3`` joined the preset:
0.668 / 0.641, 0.656 / 0.635 and 0.649 / 0.620 (seeds 0, 1, 2; mean 0.658 / 0.632,
against 0.643 / 0.607 for one model).

On the test rows (``--threads 1 --train-seeds 0 1 2``) the three-member preset scores
0.659 / 0.609, 0.659 / 0.592 and 0.680 / 0.637, mean **0.666 / 0.613**
(``benchmarks/results/quotes-ensemble3-test-*-2026-11-27.json``), against 0.643 / 0.607
for the balanced baseline: ahead on accuracy, and on macro-F1 by 0.006, less than the
spread between training seeds. ``--ensemble 1`` runs the single model.

Six other split seeds (``--seed 1`` ... ``--seed 6 --train-seeds 0 --threads 1``, each on
its own test rows; ``benchmarks/results/quotes-ensemble3-splits1-6-2026-11-27.json``):
the three-member preset scored macro-F1 0.643, 0.635, 0.649, 0.647, 0.614, 0.630 (mean
0.637) against the baseline's 0.617, 0.629, 0.648, 0.635, 0.636, 0.607 (mean 0.629), and
accuracy 0.684 against 0.667 on average: ahead on accuracy on all six splits and on
macro-F1 on five (the single model trailed on five of the same six, mean 0.605).

Usage (from the repository root)::

    python benchmarks/text_classification_quotes.py --train-seeds 0 1 2 --json quotes.json
    python benchmarks/text_classification_quotes.py --cell lstm --train-seeds 0 1 2
    python benchmarks/text_classification_quotes.py --ensemble 1 --train-seeds 0 1 2
    python benchmarks/text_classification_quotes.py --validation --train-seeds 0 1
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch

import seqkit as sk
from seqkit.presets.classification import POOLINGS

# The quotes file, the stratified split, macro-F1 and the preset's settings are the
# example's, so this benchmark scores exactly what examples/text_classification.py runs.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from text_classification import (
    QUOTES_EPOCHS,
    QUOTES_MODEL,
    load_quotes,
    macro_f1,
    stratified_split,
)

PRESET: dict[str, Any] = QUOTES_MODEL
EPOCHS = QUOTES_EPOCHS
L2_GRID = (1e-4, 1e-5, 1e-6, 1e-7)
LBFGS_ITERATIONS = 200


# -- metrics -----------------------------------------------------------------------------------
def scores(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Accuracy and macro-F1."""
    return {"accuracy": float(np.mean(actual == predicted)),
            "macro_f1": macro_f1(actual, predicted)}


# -- the bag-of-words baseline -----------------------------------------------------------------
def tfidf(vectorizer: sk.TextVectorizer, texts: list[str], idf: torch.Tensor | None = None
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """Sparse ``(texts, vocabulary)`` TF-IDF rows of unit length, and the idf used.

    ``idf`` is computed from ``texts`` when not given (pass the training idf for test rows).
    Padding and out-of-vocabulary ids are dropped.
    """
    ids, lengths = vectorizer(texts)
    rows = torch.arange(len(texts)).repeat_interleave(lengths)
    columns = ids[torch.arange(ids.shape[1])[None, :] < lengths[:, None]]
    keep = columns >= 2  # 0: padding, 1: out of vocabulary
    size = (len(texts), vectorizer.vocab_size)
    counts = torch.sparse_coo_tensor(torch.stack([rows[keep], columns[keep]]),
                                     torch.ones(int(keep.sum())), size,
                                     check_invariants=True).coalesce()
    row, column = counts.indices()
    if idf is None:
        document_frequency = torch.zeros(size[1]).index_add_(0, column, torch.ones(len(column)))
        idf = torch.log((1 + size[0]) / (1 + document_frequency)) + 1
    weights = (1 + torch.log(counts.values())) * idf[column]
    norms = torch.zeros(size[0]).index_add_(0, row, weights**2).sqrt().clamp_min(1e-12)
    values = weights / norms[row]
    return torch.sparse_coo_tensor(counts.indices(), values, size,
                                   check_invariants=True).coalesce(), idf


def fit_logistic_regression(features: torch.Tensor, targets: torch.Tensor, classes: int,
                            l2: float, balanced: bool = False
                            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Multinomial logistic regression: mean cross-entropy + ``l2 / 2 * |W|^2``, L-BFGS.

    ``balanced`` weighs each row's loss by ``n / (classes * count)`` of its class, as
    ``fit(class_weight="balanced")`` does for the preset.
    """
    counts = torch.bincount(targets, minlength=classes).float()
    class_weight = (len(targets) / (classes * counts.clamp_min(1)) if balanced
                    else torch.ones(classes))
    row_weight = class_weight[targets]
    weight = torch.zeros(features.shape[1], classes, requires_grad=True)
    bias = torch.zeros(classes, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=LBFGS_ITERATIONS,
                                  history_size=20, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = torch.sparse.mm(features, weight) + bias
        per_row = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
        loss = (per_row * row_weight).mean() + 0.5 * l2 * weight.square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return weight.detach(), bias.detach()


def bag_of_words(train_texts: list[str], train_labels: np.ndarray, test_texts: list[str],
                 seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """TF-IDF + logistic regression; test predictions and how the penalty was chosen."""
    classes = sorted(set(train_labels.tolist()))
    targets = torch.tensor([classes.index(label) for label in train_labels])

    def train_and_predict(fit_rows: np.ndarray, texts: list[str], l2: float,
                          balanced: bool) -> np.ndarray:
        vectorizer = sk.TextVectorizer()
        vectorizer.adapt([train_texts[i] for i in fit_rows])
        features, idf = tfidf(vectorizer, [train_texts[i] for i in fit_rows])
        weight, bias = fit_logistic_regression(features, targets[fit_rows], len(classes), l2,
                                               balanced)
        test_features, _ = tfidf(vectorizer, texts, idf)
        predicted = (torch.sparse.mm(test_features, weight) + bias).argmax(dim=1)
        return np.array(classes)[predicted.numpy()]

    inner_train, inner_val = stratified_split(train_labels, 0.2, seed + 1)
    grid = [(l2, balanced) for balanced in (False, True) for l2 in L2_GRID]
    validation = {}
    for l2, balanced in grid:
        predicted = train_and_predict(inner_train, [train_texts[i] for i in inner_val], l2,
                                      balanced)
        validation[(l2, balanced)] = scores(train_labels[inner_val], predicted)
    l2, balanced = max(grid, key=lambda setting: validation[setting]["macro_f1"])
    predicted = train_and_predict(np.arange(len(train_texts)), test_texts, l2, balanced)
    return predicted, {"l2": l2, "balanced": balanced,
                       "validation": {f"l2={k[0]:g} balanced={k[1]}": v
                                      for k, v in validation.items()}}


# -- choosing PRESET on the training rows --------------------------------------------------------
class EpochScores(pl.Callback):
    """Scores the model on held-out texts after every training epoch."""

    def __init__(self, texts: list[str], labels: np.ndarray) -> None:
        self.texts, self.labels = texts, labels
        self.rows: list[dict[str, float]] = []

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        assert isinstance(pl_module, sk.Sequential)
        self.rows.append(scores(self.labels, pl_module.predict_classes(self.texts)))


def validate(train_texts: list[str], train_labels: np.ndarray, settings: dict[str, Any],
             epochs: int, seeds: list[int], split_seed: int, class_weight: str | None
             ) -> dict[str, Any]:
    """The preset on the baseline's inner split of the training rows, scored every epoch."""
    fit_rows, val_rows = stratified_split(train_labels, 0.2, split_seed + 1)
    texts = [train_texts[i] for i in fit_rows]
    held_out = EpochScores([train_texts[i] for i in val_rows], train_labels[val_rows])
    curves = []
    for seed in seeds:
        held_out.rows = []
        model = sk.presets.text_classifier(**settings)
        model.fit(texts, train_labels[fit_rows], epochs=epochs, batch_size=32, verbose=0,
                  seed=seed, callbacks=[held_out], class_weight=class_weight)
        curves.append(held_out.rows)
    mean = [{key: float(np.mean([curve[epoch][key] for curve in curves]))
             for key in ("accuracy", "macro_f1")} for epoch in range(epochs)]
    print(f"validation rows ({len(val_rows)} of the training rows), mean of seeds {seeds}")
    print(f"{'epoch':>5}{'accuracy':>10}{'macro-F1':>10}")
    for epoch, row in enumerate(mean, start=1):
        print(f"{epoch:>5}{row['accuracy']:>10.3f}{row['macro_f1']:>10.3f}")
    return {"seeds": seeds, "per_epoch_mean": mean, "per_seed": curves}


# -- the benchmark ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", type=Path, default=None,
                        help="a text,label CSV file (default: the quotations shipped with "
                        "seqkit)")
    parser.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[0],
                        help="training seeds of the preset (default 0)")
    parser.add_argument("--cell", choices=("lstm", "gru"), default=PRESET["cell"],
                        help=f"the preset's recurrent cell (default {PRESET['cell']})")
    parser.add_argument("--ensemble", type=int, default=PRESET["ensemble"],
                        help=f"the preset's ensemble members (default {PRESET['ensemble']}; "
                             "1: a single model)")
    parser.add_argument("--pooling", choices=POOLINGS, default=PRESET["pooling"],
                        help=f"the preset's pooling over time (default {PRESET['pooling']})")
    parser.add_argument("--class-weight", choices=("none", "balanced"), default="none",
                        help="fit's class_weight for the preset (default none)")
    parser.add_argument("--validation", action="store_true",
                        help="score the preset every epoch on a split of the training rows "
                             "(how PRESET was chosen) instead of on the test rows")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--json", help="write the results as JSON to this path")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    texts, labels = (sk.datasets.quotes_by_topic(shuffle=False) if args.quotes is None
                     else load_quotes(args.quotes))
    source = "quotes_by_topic.csv" if args.quotes is None else args.quotes.name
    train, test = stratified_split(labels, 0.2, args.seed)
    train_texts, train_labels = [texts[i] for i in train], labels[train]
    test_texts, test_labels = [texts[i] for i in test], labels[test]
    print(f"{source}: {len(texts)} texts, {len(set(labels.tolist()))} topics; "
          f"stratified split (seed {args.seed}): {len(train)} train, {len(test)} test")

    settings = {**PRESET, "cell": args.cell, "pooling": args.pooling,
                "ensemble": args.ensemble}
    class_weight = None if args.class_weight == "none" else args.class_weight
    if args.validation:
        report = {"benchmark": "text_classification_quotes", "validation": validate(
            train_texts, train_labels, settings, args.epochs, args.train_seeds, args.seed,
            class_weight),
                  "preset": {**settings, "epochs": args.epochs, "batch_size": 32,
                             "class_weight": class_weight}}
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2))
            print(f"wrote {args.json}")
        return report

    results: dict[str, dict[str, Any]] = {}
    values, counts = np.unique(train_labels, return_counts=True)
    majority = np.full(len(test_labels), values[counts.argmax()])
    results["majority"] = scores(test_labels, majority)

    started = time.perf_counter()
    predicted, chosen = bag_of_words(train_texts, train_labels, test_texts, args.seed)
    results["tfidf_logistic_regression"] = {**scores(test_labels, predicted), **chosen,
                                            "seconds": time.perf_counter() - started}

    for seed in args.train_seeds:
        started = time.perf_counter()
        model = sk.presets.text_classifier(**settings)
        model.fit(train_texts, train_labels, epochs=args.epochs, batch_size=32, verbose=0,
                  seed=seed, class_weight=class_weight)
        predicted = model.predict_classes(test_texts)
        results[f"text_classifier_seed{seed}"] = {**scores(test_labels, predicted),
                                                  "seconds": time.perf_counter() - started}

    print(format_table(results, chosen["l2"], chosen["balanced"]))
    preset = [v for k, v in results.items() if k.startswith("text_classifier")]
    mean_f1 = float(np.mean([r["macro_f1"] for r in preset]))
    mean_accuracy = float(np.mean([r["accuracy"] for r in preset]))
    baseline = results["tfidf_logistic_regression"]
    reached = mean_f1 >= baseline["macro_f1"] and mean_accuracy >= baseline["accuracy"]
    print(f"\ntext_classifier({', '.join(f'{k}={v}' for k, v in settings.items())}), "
          f"{args.epochs} epochs, batch 32, class_weight={class_weight}")
    print(f"the preset {'matches' if reached else 'does NOT match'} the bag-of-words "
          f"baseline: accuracy {mean_accuracy:.3f} vs {baseline['accuracy']:.3f}, macro-F1 "
          f"{mean_f1:.3f} vs {baseline['macro_f1']:.3f}")

    report = {
        "benchmark": "text_classification_quotes",
        "data": {"file": source, "texts": len(texts), "train": len(train),
                 "test": len(test), "split_seed": args.seed},
        "preset": {**settings, "epochs": args.epochs, "batch_size": 32,
                   "class_weight": class_weight},
        "results": results,
        "preset_matches_baseline": reached,
        "environment": {"python": platform.python_version(), "torch": torch.__version__,
                        "seqkit": sk.__version__, "threads": torch.get_num_threads()},
    }
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    return report


def format_table(results: dict[str, dict[str, Any]], l2: float, balanced: bool) -> str:
    """One row per model: accuracy, macro-F1 and training seconds."""
    weighting = ", balanced" if balanced else ""
    names = {"majority": "majority topic",
             "tfidf_logistic_regression": f"TF-IDF + logistic regression (L2 {l2:g}"
                                          f"{weighting})"}
    width = max(len(names.get(name, name)) for name in results) + 2
    lines = [f"{'model':<{width}}{'accuracy':>9}{'macro-F1':>10}{'seconds':>9}"]
    for name, row in results.items():
        seconds = f"{row['seconds']:.0f}" if "seconds" in row else "-"
        lines.append(f"{names.get(name, name):<{width}}{row['accuracy']:>9.3f}"
                     f"{row['macro_f1']:>10.3f}{seconds:>9}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
