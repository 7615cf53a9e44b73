"""Initial weights on a memory task: seqkit's Keras defaults, torch's defaults, Keras 3.

The task (issue 14): ``x`` of shape ``(800, 30, 1)`` drawn from N(0, 1), target the sum of
the first 5 steps, so the model has to carry what it saw early through 25 more steps.
``LSTM(16) -> Dense(1)``, Adam (lr 1e-3), MSE, batch 32, 60 epochs, ``validation_split=0.2``
(the last 20 % of the rows, as Keras takes them). Per seed, every variant trains on the
same data:

* ``seqkit``: seqkit's defaults (Keras's: glorot_uniform kernels, orthogonal recurrent
  kernel, zero bias with the forget gate at 1; Dense glorot_uniform / zeros);
* ``seqkit-torch``: the same model with torch's initial weights (``"torch"`` for every
  initialiser, ``unit_forget_bias=False``): what seqkit did before;
* ``keras``: Keras 3 on the torch backend (when installed);
* ``seqkit-keras-weights``: seqkit with the Keras model's initial weights copied in (when
  Keras is installed): the initial weights alone, everything else seqkit's.

Prints, per variant, the median final ``val_loss`` (the variance of the target is 5, so a
model that learnt nothing scores about 5), the min-max, and how many seeds end below 1.5.

Measured (CPU, 1 thread, torch 2.13, Keras 3.15.1; seeds 0-9, final val_loss)::

    variant                median val_loss         min-max   < 1.5
    seqkit                           0.538   0.321-1.148    10/10
    seqkit-torch                     3.413   0.963-5.503     2/10
    keras                            0.822   0.630-1.070    10/10
    seqkit-keras-weights             0.651   0.431-0.989    10/10

Seeds 0-4 alone: seqkit 0.526 (5/5), seqkit-torch 2.897 (0/5), keras 0.842 (5/5),
seqkit-keras-weights 0.721 (5/5).

Usage (from the repository root; a quick run first)::

    python -m benchmarks.initialization --seeds 2 --epochs 10
    python -m benchmarks.initialization --seeds 5 --threads 2
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
from collections.abc import Callable

import numpy as np
import torch

import seqkit as sk

SAMPLES, STEPS, REMEMBERED = 800, 30, 5
UNITS, BATCH_SIZE, LEARNING_RATE, VALIDATION_SPLIT = 16, 32, 1e-3, 0.2
GOOD = 1.5  # a final val_loss below this: the model remembers the first steps

TORCH_INIT = {"kernel_initializer": "torch", "recurrent_initializer": "torch",
              "bias_initializer": "torch"}


def make_data(seed: int, samples: int = SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(samples, 30, 1)`` from N(0, 1) and ``y`` the sum of its first 5 steps."""
    x = np.random.default_rng(seed).normal(size=(samples, STEPS, 1)).astype(np.float32)
    return x, x[:, :REMEMBERED, 0].sum(axis=1, keepdims=True)


def seqkit_model(torch_init: bool = False) -> sk.Sequential:
    """``LSTM(16) -> Dense(1)`` with seqkit's (Keras's) or torch's initial weights."""
    lstm = sk.LSTM(UNITS, **TORCH_INIT, unit_forget_bias=False) if torch_init else sk.LSTM(UNITS)
    dense = sk.Dense(1, **{k: v for k, v in TORCH_INIT.items() if k != "recurrent_initializer"}
                     ) if torch_init else sk.Dense(1)
    return sk.Sequential([lstm, dense], loss="mse", optimizer="adam", lr=LEARNING_RATE)


def fit_seqkit(model: sk.Sequential, x: np.ndarray, y: np.ndarray, epochs: int, seed: int
               ) -> float:
    """Trains ``model`` as Keras's ``fit`` would; returns the last epoch's ``val_loss``."""
    history = model.fit(x, y, epochs=epochs, batch_size=BATCH_SIZE,
                        validation_split=VALIDATION_SPLIT, seed=seed, verbose=0)
    return history.history["val_loss"][-1]


def keras_model(seed: int):  # type: ignore[no-untyped-def]
    """The Keras 3 twin, seeded (its initial weights come from ``seed``)."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((STEPS, 1)), keras.layers.LSTM(UNITS),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse")
    return model


def copy_keras_weights(source, model: sk.Sequential) -> None:  # type: ignore[no-untyped-def]
    """Puts a Keras ``LSTM -> Dense``'s weights into the seqkit twin: ``set_weights`` takes
    Keras's layout and order."""
    model.build((None, STEPS, 1))
    model.set_weights(source.get_weights())


def run_seqkit(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> float:
    return fit_seqkit(seqkit_model(), x, y, epochs, seed)


def run_seqkit_torch(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> float:
    return fit_seqkit(seqkit_model(torch_init=True), x, y, epochs, seed)


def run_keras(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> float:
    history = keras_model(seed).fit(x, y, epochs=epochs, batch_size=BATCH_SIZE,
                                    validation_split=VALIDATION_SPLIT, verbose=0)
    return float(history.history["val_loss"][-1])


def run_seqkit_keras_weights(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> float:
    model = seqkit_model()
    copy_keras_weights(keras_model(seed), model)
    return fit_seqkit(model, x, y, epochs, seed)


VARIANTS: dict[str, Callable[[np.ndarray, np.ndarray, int, int], float]] = {
    "seqkit": run_seqkit,
    "seqkit-torch": run_seqkit_torch,
    "keras": run_keras,
    "seqkit-keras-weights": run_seqkit_keras_weights,
}
NEEDS_KERAS = frozenset({"keras", "seqkit-keras-weights"})


def keras_available() -> bool:
    """Whether Keras 3 can run here (on the torch backend)."""
    if importlib.util.find_spec("keras") is None:
        return False
    from importlib.metadata import version

    return int(version("keras").split(".")[0]) >= 3


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    """Runs the variants over the seeds, prints the table, returns each final val_loss."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS),
                        default=list(VARIANTS))
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    args = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is first imported
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    variants = [name for name in args.variants
                if name not in NEEDS_KERAS or keras_available()]
    skipped = sorted(set(args.variants) - set(variants))

    losses: dict[str, list[float]] = {name: [] for name in variants}
    for seed in range(args.seeds):
        x, y = make_data(seed, args.samples)
        for name in variants:  # interleaved: every variant sees seed s before seed s + 1
            losses[name].append(VARIANTS[name](x, y, args.epochs, seed))
            print(f"seed {seed} {name}: val_loss {losses[name][-1]:.3f}", flush=True)

    print(f"\nseqkit {sk.__version__}, torch {torch.__version__}, {platform.platform()}, "
          f"{torch.get_num_threads()} threads; N={args.samples}, {args.epochs} epochs, "
          f"seeds 0-{args.seeds - 1}")
    if skipped:
        print(f"skipped (pip install keras): {', '.join(skipped)}")
    print(f"{'variant':<22}{'median val_loss':>16}{'min-max':>16}{f'< {GOOD}':>8}")
    for name, values in losses.items():
        below = sum(value < GOOD for value in values)
        print(f"{name:<22}{statistics.median(values):>16.3f}"
              f"{min(values):>8.3f}-{max(values):<7.3f}{below:>4}/{len(values)}")
    return losses


if __name__ == "__main__":
    main()
