"""An attention-pooled text classifier: self-attention over the words, then a learned
query weighs them into one vector per text.

TextVectorizer -> Embedding(mask_zero=True) -> MultiHeadAttention -> LayerNormalization
-> AttentionPooling1D -> Dropout -> Dense(softmax), trained on the quotations shipped
with seqkit (sk.datasets.quotes_by_topic(): 3,544 quotations, 10 topics; no network),
the last 20% held out. Texts differ in length: padding never enters the attention or the
pooling, so each text gets the result it gets alone. Accuracy is printed next to the
majority-class baseline.

Run: python examples/attention_text_classification.py [--fast]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

# seqkit (and torch) are imported in main, so that --help answers at once.

EPOCHS = 8
TOKENS, STEPS, EMBED, HEADS = 20_000, 64, 64, 4


def main(fast: bool = False, seed: int = 0) -> int:
    import seqkit as sk

    texts, labels = sk.datasets.quotes_by_topic()  # shuffled in a fixed order
    classes = sorted(set(labels.tolist()))
    y = np.array([classes.index(label) for label in labels])
    cut = int(0.8 * len(texts))
    model = sk.Sequential([
        sk.TextVectorizer(max_tokens=TOKENS, output_sequence_length=STEPS),
        sk.Embedding(TOKENS, EMBED, mask_zero=True),
        sk.MultiHeadAttention(num_heads=HEADS, key_dim=EMBED // HEADS),
        sk.LayerNormalization(),
        sk.AttentionPooling1D(units=EMBED),
        sk.Dropout(0.3),
        sk.Dense(len(classes), activation="softmax"),
    ], loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=3e-3)
    epochs = 1 if fast else EPOCHS
    model.fit(texts[:cut], y[:cut], epochs=epochs, batch_size=32, verbose=0, seed=seed)
    _, accuracy = model.evaluate(texts[cut:], y[cut:], verbose=0)
    majority = np.mean(y[cut:] == np.bincount(y[:cut]).argmax())
    print(f"quotes_by_topic: {cut} training and {len(texts) - cut} test quotations, "
          f"{len(classes)} topics; {epochs} epoch(s)")
    print(f"{'model':<22}{'accuracy':>10}")
    print(f"{'attention-pooled':<22}{accuracy:>10.3f}")
    print(f"{'majority class':<22}{majority:>10.3f}")
    return 0


def parse_arguments() -> argparse.Namespace:
    """The command line (parsed before seqkit is imported)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="a short smoke run (1 epoch)")
    parser.add_argument("--seed", type=int, default=0, help="seed for training")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_arguments()
    if arguments.fast:
        import torch

        torch.set_num_threads(1)  # small CI machines: one thread is as fast here
    sys.exit(main(fast=arguments.fast, seed=arguments.seed))
