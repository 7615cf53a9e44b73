"""The gather path (unpacked kernel, exact lengths) against packing, forced on CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.layers import _run_rnn

LENGTHS = torch.tensor([9, 4, 1, 0, 7, 9])


@pytest.fixture
def gather_on_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_run_rnn.LENGTH_STRATEGY, "cpu", "gather")


@pytest.mark.parametrize("cell", [sk.LSTM, sk.GRU])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_outputs_and_gradients_equal_packing(cell: type, bidirectional: bool, num_layers: int,
                                             return_sequences: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    layer = cell(5, num_layers=num_layers, bidirectional=bidirectional,
                 return_sequences=return_sequences)
    layer.build((None, 9, 3))
    layer.double()
    x = torch.randn(6, 9, 3, dtype=torch.float64)
    x[1, 4:] = float("nan")  # padding must never reach valid outputs
    results = {}
    for strategy in ("pack", "gather"):
        monkeypatch.setitem(_run_rnn.LENGTH_STRATEGY, "cpu", strategy)
        layer.zero_grad()
        out = layer(x, LENGTHS, need_state=False)
        out.values.square().sum().backward()
        grads = [p.grad.clone() for p in layer.parameters() if p.requires_grad]
        results[strategy] = (out.values.detach(), grads, out.state)
    packed, gathered = results["pack"], results["gather"]
    torch.testing.assert_close(gathered[0], packed[0], rtol=0, atol=1e-12)
    for a, b in zip(gathered[1], packed[1], strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-10)
    assert gathered[2] is None and packed[2] is not None  # the gather path gives no state


def test_states_stay_exact_where_the_model_needs_them(gather_on_cpu: None) -> None:
    torch.manual_seed(0)
    model = sk.Sequential([sk.LSTM(4), sk.RepeatVector(3),
                           sk.LSTM(4, return_sequences=True, initial_state="previous"),
                           sk.Dense(1)])
    x = np.random.default_rng(0).normal(size=(6, 9, 2)).astype(np.float32)
    lengths = LENGTHS.numpy().clip(min=1)
    gathered = model.predict(x, lengths=lengths)
    _run_rnn.LENGTH_STRATEGY["cpu"] = "pack"
    np.testing.assert_allclose(gathered, model.predict(x, lengths=lengths), atol=1e-6)


def test_return_state_uses_the_exact_path(gather_on_cpu: None) -> None:
    model = sk.Sequential([sk.LSTM(3, bidirectional=True)])
    x = np.random.default_rng(1).normal(size=(6, 9, 2)).astype(np.float32)
    _, states = model.predict(x, lengths=LENGTHS.numpy(), return_state=True)
    assert states["lstm"].c is not None and states["lstm"].h.shape == (6, 2, 3)


def test_training_is_identical_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(int(n), 2)).astype(np.float32)
                 for n in rng.integers(1, 15, size=48)]
    y = np.array([s.sum() for s in sequences], dtype=np.float32)
    histories = []
    for strategy in ("pack", "gather"):
        monkeypatch.setitem(_run_rnn.LENGTH_STRATEGY, "cpu", strategy)
        model = sk.Sequential([sk.Bidirectional(sk.GRU(4, return_sequences=True)),
                               sk.LSTM(3), sk.Dense(1)], loss="mse")
        histories.append(model.fit(sequences, y, epochs=2, batch_size=16, verbose=0,
                                   seed=0).history["loss"])
    assert histories[0] == pytest.approx(histories[1], rel=1e-5)
