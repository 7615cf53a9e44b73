"""``python -m benchmarks.initialization``: a tiny run prints the table (never the figures)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from benchmarks.initialization import main, make_data, seqkit_model


def test_data_is_the_memory_task() -> None:
    x, y = make_data(0, samples=10)
    assert x.shape == (10, 30, 1) and y.shape == (10, 1)
    np.testing.assert_allclose(y[:, 0], x[:, :5, 0].sum(axis=1), rtol=1e-6)


def test_torch_variant_uses_torch_initialisers() -> None:
    lstm, dense = seqkit_model(torch_init=True).layers
    assert lstm.kernel_initializer == lstm.recurrent_initializer == "torch"
    assert (lstm.bias_initializer, lstm.unit_forget_bias) == ("torch", False)
    assert dense.kernel_initializer == "torch"
    assert seqkit_model().layers[0].kernel_initializer == "glorot_uniform"


@pytest.mark.slow
def test_a_tiny_run_prints_every_variant(capsys: pytest.CaptureFixture[str]) -> None:
    losses = main(["--seeds", "1", "--epochs", "1", "--samples", "40", "--threads", "1",
                   "--variants", "seqkit", "seqkit-torch"])
    printed = capsys.readouterr().out
    for name in ("seqkit", "seqkit-torch"):
        assert re.search(rf"^{name}\s+\d+\.\d+\s+\S+\s+[01]/1$", printed, re.MULTILINE)
        assert len(losses[name]) == 1 and np.isfinite(losses[name][0])
