"""Quickstart: the three-line LSTM on a synthetic sequence task, then ragged input.

Run: python examples/quickstart.py (--fast for a short smoke run).
"""

from __future__ import annotations

import argparse

import numpy as np

# seqkit (and torch) are imported in main, so that --help answers at once.


def main(fast: bool = False) -> dict[str, float]:
    import seqkit as sk

    rng = np.random.default_rng(0)
    # Target: the mean of the last 3 steps of the first feature, so the model needs memory.
    x = rng.normal(size=(2048, 16, 3)).astype("float32")
    y = x[:, -3:, 0].mean(axis=1)
    x_train, y_train, x_test, y_test = x[:1536], y[:1536], x[1536:], y[1536:]

    model = sk.Sequential([sk.LSTM(32, return_sequences=True), sk.Dropout(0.1),
                           sk.LSTM(16), sk.Dense(1)], loss="mse", metrics=["mae"], lr=3e-3)
    model.fit(x_train, y_train, epochs=2 if fast else 15, validation_split=0.2, verbose=2,
              seed=0)
    model.summary()
    result = model.evaluate(x_test, y_test, return_dict=True)
    baseline = float(np.mean((y_test - y_train.mean()) ** 2))
    print(f"test mse {result['loss']:.4f} (predicting the mean: {baseline:.4f}), "
          f"test mae {result['mae']:.4f}")

    # Sequences of different lengths: padded and packed for you; last *valid* step used.
    sequences = [rng.normal(size=(int(n), 3)).astype("float32")
                 for n in rng.integers(4, 16, size=256)]
    targets = np.array([s[-3:, 0].mean() for s in sequences], dtype="float32")
    ragged = sk.Sequential([sk.GRU(16), sk.Dense(1)], loss="mse", lr=3e-3)
    ragged.fit(sequences, targets, epochs=2 if fast else 15, verbose=0, seed=0)
    print(f"ragged input, train mse {ragged.evaluate(sequences, targets):.4f}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", action="store_true", help="a short smoke run")
    main(fast=parser.parse_args().fast)
