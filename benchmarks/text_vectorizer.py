"""``TextVectorizer`` throughput: ``adapt`` and vectorizing, in tokens per second.

The corpus is generated, deterministic for a seed: a synthetic vocabulary of ``--vocab``
words (letters a-z plus some accented ones, 2-10 characters), drawn Zipf-distributed
(probability of the word of rank r proportional to ``1 / r**1.1``), ``--tokens`` tokens in
all, grouped into texts of 5-60 words; a text starts with a capital and words are sometimes
followed by ``,`` ``.`` ``;`` ``!`` or ``?``, so the default standardization has work to do.

Each case is timed ``--repeats`` times (median, min and max of wall time, and the median
of this process's CPU time, which is steadier on a shared machine); "tokens" are the
tokens the vectorizer produces for the default settings (``sum(lengths)``), so every row's
tokens/s is on the same corpus. Vectorizing is timed in batches of ``--batch-size`` texts
(as a training loop feeds it) and once on the whole corpus in one call. The last row is a
straightforward implementation (``str.translate`` per text, a list comprehension per token,
``pad_sequence``) for scale: compare rows of the same run only.

Usage (from the repository root)::

    python benchmarks/text_vectorizer.py
    python benchmarks/text_vectorizer.py --tokens 500000 --json text_vectorizer.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seqkit.preprocessing import TextVectorizer

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ACCENTED = "éèàüöçñ"
_PUNCTUATION = [",", ".", ";", "!", "?"]


def make_corpus(tokens: int, vocab: int, seed: int) -> list[str]:
    """Generates about ``tokens`` whitespace tokens of Zipf-distributed synthetic words."""
    rng = np.random.default_rng(seed)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < vocab:
        letters = _LETTERS + (_ACCENTED if rng.random() < 0.1 else "")
        word = "".join(rng.choice(list(letters), size=int(rng.integers(2, 11))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    ranks = np.arange(1, vocab + 1, dtype=np.float64)
    probabilities = ranks**-1.1
    probabilities /= probabilities.sum()
    drawn = rng.choice(vocab, size=tokens, p=probabilities)
    marks = rng.random(tokens)
    punctuation = rng.integers(0, len(_PUNCTUATION), size=tokens)
    texts: list[str] = []
    start = 0
    while start < tokens:
        stop = min(start + int(rng.integers(5, 61)), tokens)
        pieces = []
        for position in range(start, stop):
            word = words[drawn[position]]
            if marks[position] < 0.08:
                word += _PUNCTUATION[punctuation[position]]
            pieces.append(word)
        pieces[0] = pieces[0].capitalize()
        texts.append(" ".join(pieces))
        start = stop
    return texts


def _time(function: Callable[[], Any], repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (this process) seconds of each run."""
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return wall, cpu


def _batched(vectorizer: TextVectorizer, texts: list[str], batch_size: int) -> None:
    for start in range(0, len(texts), batch_size):
        vectorizer(texts[start : start + batch_size])


def _naive_batched(vocabulary: list[str], texts: list[str], batch_size: int) -> None:
    """The straightforward version, for scale: per-text ``translate``, per-token lookups."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    from seqkit.preprocessing._text_ops import punctuation_table

    table = punctuation_table()
    lookup = {token: index for index, token in enumerate(vocabulary)}
    for start in range(0, len(texts), batch_size):
        rows = [torch.tensor([lookup.get(token, 1) for token in
                              text.lower().translate(table).split()], dtype=torch.int64)
                for text in texts[start : start + batch_size]]
        pad_sequence(rows, batch_first=True)
        torch.tensor([len(row) for row in rows])


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Times every case; returns the report."""
    started = time.perf_counter()
    texts = make_corpus(args.tokens, args.vocab, args.seed)
    corpus_seconds = time.perf_counter() - started
    default = TextVectorizer(max_tokens=args.max_tokens)
    default.adapt(texts)
    tokens = int(default(texts).lengths.sum())
    fixed = TextVectorizer(max_tokens=args.max_tokens, output_sequence_length=32)
    fixed.set_vocabulary(default.vocabulary)
    bigrams = TextVectorizer(max_tokens=args.max_tokens, ngrams=2)
    bigrams.adapt(texts)
    batch = args.batch_size
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("adapt (defaults)", lambda: default.adapt(texts)),
        (f"vectorize, batches of {batch}, dynamic length", lambda: _batched(default, texts, batch)),
        (f"vectorize, batches of {batch}, output_sequence_length=32",
         lambda: _batched(fixed, texts, batch)),
        ("vectorize, whole corpus in one call", lambda: default(texts)),
        ("adapt, ngrams=2", lambda: bigrams.adapt(texts)),
        (f"vectorize, batches of {batch}, ngrams=2", lambda: _batched(bigrams, texts, batch)),
        (f"for scale: naive per-token loop, batches of {batch}",
         lambda: _naive_batched(default.vocabulary, texts, batch)),
    ]
    rows = []
    for label, function in cases:
        seconds, cpu_seconds = _time(function, args.repeats)
        median, median_cpu = statistics.median(seconds), statistics.median(cpu_seconds)
        rows.append({"case": label, "median_s": median, "min_s": min(seconds),
                     "max_s": max(seconds), "tokens_per_s": tokens / median,
                     "median_cpu_s": median_cpu, "tokens_per_cpu_s": tokens / median_cpu})
    return {
        "corpus": {"texts": len(texts), "tokens": tokens, "vocab": args.vocab,
                   "seed": args.seed, "generate_s": corpus_seconds},
        "vectorizer": {"max_tokens": args.max_tokens, "vocab_size": default.vocab_size,
                       "batch_size": batch},
        "repeats": args.repeats,
        "environment": {"python": platform.python_version(), "machine": platform.machine(),
                        "processor": platform.processor() or "unknown"},
        "rows": rows,
    }


def _print_table(report: dict[str, Any]) -> None:
    corpus = report["corpus"]
    print(f"corpus: {corpus['texts']:,} texts, {corpus['tokens']:,} tokens "
          f"(synthetic vocabulary {corpus['vocab']:,}, seed {corpus['seed']}); "
          f"max_tokens={report['vectorizer']['max_tokens']}, "
          f"vocab_size={report['vectorizer']['vocab_size']:,}; "
          f"median of {report['repeats']}")
    print(f"{'case':<52} {'median s':>9} {'min':>7} {'max':>7} {'M tokens/s':>11} "
          f"{'cpu s':>7} {'M tokens/cpu s':>15}")
    for row in report["rows"]:
        print(f"{row['case']:<52} {row['median_s']:>9.3f} {row['min_s']:>7.3f} "
              f"{row['max_s']:>7.3f} {row['tokens_per_s'] / 1e6:>11.2f} "
              f"{row['median_cpu_s']:>7.3f} {row['tokens_per_cpu_s'] / 1e6:>15.2f}")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=5_000_000, help="corpus size in tokens")
    parser.add_argument("--vocab", type=int, default=50_000, help="synthetic vocabulary size")
    parser.add_argument("--max-tokens", type=int, default=20_000, help="vectorizer max_tokens")
    parser.add_argument("--batch-size", type=int, default=256, help="texts per call")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per case")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", help="write the results as JSON to this path")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Runs the benchmark and prints (and optionally writes) the results."""
    args = _parse(argv)
    report = run(args)
    _print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
