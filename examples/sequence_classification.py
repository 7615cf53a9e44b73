"""Classifying noisy waveforms of different lengths with the sequence-classifier preset.

A synthetic sensor task: each recording is a sine, square, sawtooth or triangle wave seen by
two noisy sensors (the second with its own gain, offset and phase lag), with a random
length (30 to 120 steps), frequency, amplitude and offset. The recordings go to fit as a
ragged Python list of (length, 2) arrays: seqkit pads them, the LSTM reads each to its own
end, and the labels are the wave names (strings).

Run: python examples/sequence_classification.py (--fast for a short smoke run).
"""

from __future__ import annotations

import argparse

import numpy as np

# seqkit (and torch) are imported in main, so that --help answers at once.

WAVES = ("sine", "square", "sawtooth", "triangle")


def wave(kind: str, phase: np.ndarray) -> np.ndarray:
    """A unit-amplitude wave of ``kind`` at ``phase`` (radians)."""
    cycle = np.mod(phase / (2 * np.pi), 1.0)  # position within the cycle, in [0, 1)
    if kind == "sine":
        return np.sin(phase)
    if kind == "square":
        return np.where(cycle < 0.5, 1.0, -1.0)
    if kind == "sawtooth":
        return 2.0 * cycle - 1.0
    return 1.0 - 4.0 * np.abs(cycle - 0.5)  # triangle


def make_recordings(count: int, rng: np.random.Generator
                    ) -> tuple[list[np.ndarray], np.ndarray]:
    """``count`` recordings ``(length, 2)`` (float32) and their wave names."""
    labels = rng.choice(WAVES, size=count)
    recordings = []
    for kind in labels:
        length = int(rng.integers(30, 121))
        steps = np.arange(length)
        frequency = rng.uniform(0.03, 0.12)  # cycles per step: 1 to 14 cycles per recording
        phase = 2 * np.pi * frequency * steps + rng.uniform(0, 2 * np.pi)
        amplitude, offset = rng.uniform(1.0, 2.0), rng.normal(0.0, 1.0)
        first = offset + amplitude * wave(kind, phase) + rng.normal(0, 0.2, length)
        lag = rng.uniform(0.2, 1.0)  # the second sensor sees the wave a little later
        second = (rng.uniform(-1.0, 1.0) + 0.7 * amplitude * wave(kind, phase - lag)
                  + rng.normal(0, 0.3, length))
        recordings.append(np.stack([first, second], axis=1).astype(np.float32))
    return recordings, labels


def main(fast: bool = False, seed: int = 0) -> dict[str, float]:
    import seqkit as sk

    rng = np.random.default_rng(seed)
    x_train, y_train = make_recordings(400 if fast else 2000, rng)
    x_test, y_test = make_recordings(100 if fast else 500, rng)
    lengths = [len(recording) for recording in x_train]
    print(f"{len(x_train)} training and {len(x_test)} test recordings, 2 sensors, "
          f"{min(lengths)} to {max(lengths)} steps, classes {', '.join(WAVES)}")

    model = sk.presets.sequence_classifier(units=32, lr=1e-2)
    history = model.fit(x_train, y_train, epochs=3 if fast else 30, batch_size=32,
                        validation_split=0.1, verbose=0, seed=seed)
    predicted = model.predict_classes(x_test)
    accuracy = float(np.mean(predicted == y_test))
    print(f"validation accuracy after the last epoch: {history.history['val_accuracy'][-1]:.3f}")
    print(f"test accuracy: {accuracy:.3f} (chance: {1 / len(WAVES):.3f})")

    print("confusion (rows: true, columns: predicted):")
    print(" " * 10 + "".join(f"{name:>10}" for name in WAVES))
    for true_name in WAVES:
        row = [int(np.sum((y_test == true_name) & (predicted == name))) for name in WAVES]
        print(f"{true_name:>10}" + "".join(f"{count:>10}" for count in row))
    return {"accuracy": accuracy}


def parse_arguments() -> argparse.Namespace:
    """The command line (parsed before seqkit is imported)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="a short smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed for data, weights, shuffling")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_arguments()
    if arguments.fast:
        import torch

        # Smoke runs share small CI machines; there torch's default of one thread per core
        # oversubscribes them (text_classification.py --fast: 10 s with one thread, 145 s
        # with two on a busy 2-core machine). One thread is as fast for models this small.
        torch.set_num_threads(1)
    main(fast=arguments.fast, seed=arguments.seed)
