"""Truncated BPTT: chunks, no gradient across boundaries, memory through carried state."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.data.batch import Batch
from seqkit.errors import ConfigError
from seqkit.training.tbptt import chunks, run_truncated


def _per_step_model() -> sk.Sequential:
    model = sk.Sequential([sk.LSTM(8, return_sequences=True), sk.Dense(1)], loss="mse")
    model.build((None, None, 2))
    model.prepare_training()
    return model


def test_gradients_do_not_cross_chunk_boundaries() -> None:
    torch.manual_seed(0)
    model = _per_step_model()
    x = torch.randn(3, 12, 2, requires_grad=True)
    y = torch.randn(3, 12, 1)
    grads: list[torch.Tensor] = []

    def on_loss(total: torch.Tensor, count: torch.Tensor) -> None:
        (grad,) = torch.autograd.grad(total / count, x)
        grads.append(grad)

    run_truncated(model, Batch(x, y), 4, on_loss)
    assert len(grads) == 3
    for index, grad in enumerate(grads):
        inside = slice(4 * index, 4 * index + 4)
        assert grad[:, inside].abs().sum() > 0
        outside = torch.ones(12, dtype=torch.bool)
        outside[inside] = False
        assert torch.equal(grad[:, outside], torch.zeros_like(grad[:, outside]))


def test_chunked_forward_equals_the_full_pass_and_loss_is_logged_per_chunk() -> None:
    """With a learning rate of ~0 the chunked epoch loss equals the full-sequence loss."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 10, 2)).astype(np.float32)
    y = rng.normal(size=(6, 10, 1)).astype(np.float32)
    lengths = np.array([10, 7, 3, 10, 1, 5])
    model = sk.Sequential([sk.LSTM(8, return_sequences=True), sk.Dense(1)], loss="mse",
                          optimizer="sgd", lr=1e-30)
    model.build((None, None, 2))
    expected = model.evaluate(x, y, lengths=lengths)
    history = model.fit(x, y, lengths=lengths, epochs=1, batch_size=6, tbptt_steps=3,
                        verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert model.trainer.global_step == 4  # one optimizer step per chunk: 3+3+3+1 steps


def _recall_task(n: int, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A sign shown at step 0 only; the target at every step is that sign."""
    rng = np.random.default_rng(seed)
    sign = rng.choice([-1.0, 1.0], size=n).astype(np.float32)
    x = np.zeros((n, length, 2), dtype=np.float32)
    x[:, 0, 0] = sign
    x[:, :, 1] = rng.normal(scale=0.5, size=(n, length))  # distraction
    y = np.repeat(sign[:, None, None], length, axis=1)
    return x, y


@pytest.mark.slow
def test_memory_across_chunks_trains_well_above_chance() -> None:
    x, y = _recall_task(512, 24, seed=0)
    model = sk.Sequential([sk.LSTM(16, return_sequences=True), sk.Dense(1)], loss="mse",
                          lr=1e-2)
    model.fit(x, y, epochs=15, batch_size=32, tbptt_steps=6, verbose=0, seed=0)
    x_test, y_test = _recall_task(256, 24, seed=1)
    pred = model.predict(x_test)
    last_chunk = slice(18, 24)  # three chunks after the only step that showed the sign
    accuracy = float((np.sign(pred[:, last_chunk]) == y_test[:, last_chunk]).mean())
    assert accuracy > 0.9  # chance is 0.5


def test_chunks_cut_lengths_and_targets() -> None:
    batch = Batch(torch.zeros(2, 5, 1), torch.arange(10.0).view(2, 5, 1), torch.tensor([5, 2]))
    cut = list(chunks(batch, 2, per_step_targets=True))
    assert [c.batch.x.shape[1] for c in cut] == [2, 2, 1]
    assert cut[2].batch.y[:, :, 0].tolist() == [[4.0], [9.0]]
    assert all(c.scored for c in cut)
    last_only = list(chunks(batch, 2, per_step_targets=False))
    assert [c.scored for c in last_only] == [False, False, True]


def test_tbptt_refuses_layers_that_need_the_whole_sequence() -> None:
    model = sk.Sequential([sk.LSTM(4, bidirectional=True), sk.Dense(1)], loss="mse")
    with pytest.raises(ConfigError, match="fit tbptt_steps"):
        model.fit(np.zeros((4, 6, 1), dtype=np.float32), np.zeros(4), tbptt_steps=2,
                  verbose=0)
