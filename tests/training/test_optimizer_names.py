"""Named optimizers: Keras's names and default learning rates; Adam is the default."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.training.optimizers import OPTIMIZERS, make_optimizer


@pytest.mark.parametrize(("name", "cls"), [
    ("nadam", torch.optim.NAdam), ("adamax", torch.optim.Adamax),
    ("adagrad", torch.optim.Adagrad)])
def test_keras_names_make_torch_optimizers_with_keras_lr(name: str, cls: type) -> None:
    optimizer = make_optimizer(name, [torch.nn.Parameter(torch.zeros(2))], None, 0.0)
    assert type(optimizer) is cls and OPTIMIZERS[name] is cls
    assert optimizer.defaults["lr"] == 1e-3  # Keras's Nadam, Adamax, Adagrad
    assert make_optimizer(name.upper(), [torch.nn.Parameter(torch.zeros(2))], 0.5,
                          0.0).defaults["lr"] == 0.5


def test_default_optimizer_stays_adam() -> None:
    """A deliberate difference from Keras's compile (rmsprop): listed in the docs."""
    model = sk.Sequential([sk.GRU(2), sk.Dense(1)], loss="mse")
    model.fit(np.zeros((4, 3, 1), np.float32), np.zeros(4, np.float32), epochs=1,
              verbose=0)
    assert model.compile_settings.optimizer == "adam"
    optimizer = model.configure_optimizers()
    assert isinstance(optimizer, torch.optim.Adam) and optimizer.defaults["lr"] == 1e-3


@pytest.mark.parametrize("name", ["nadam", "adamax"])
def test_new_names_train(name: str) -> None:
    model = sk.Sequential([sk.Dense(1)], loss="mse", optimizer=name)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    model.build((None, 3))
    before = [p.detach().clone() for p in model.parameters()]
    model.fit(x, x.sum(1), epochs=2, verbose=0, seed=0)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
