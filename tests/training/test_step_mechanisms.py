"""What keeps seqkit's training step as cheap as a hand-written loop (mechanisms, not
speed: timings belong to ``python -m benchmarks``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

import seqkit as sk
from seqkit.training.denormals import DenormalFlush, _openmp_parallel, flush_denormal_enabled
from seqkit.training.optimizers import make_optimizer


def _model() -> sk.Sequential:
    return sk.Sequential([sk.LSTM(8, return_sequences=True), sk.LSTM(8), sk.Dense(1)],
                         optimizer="adam", loss="mse", metrics=["mae"])


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 5, 3), dtype=np.float32), \
        rng.standard_normal((n, 1), dtype=np.float32)


def _host_reads_during_fit(monkeypatch: pytest.MonkeyPatch, n: int,
                           stop_on_nan: bool = False) -> int:
    """How often fit reads a tensor's value back to the host (``item``, ``tolist``,
    ``cpu``, ``numpy``): each is a device synchronisation on a GPU."""
    calls = {"count": 0}
    for name in ("item", "tolist", "cpu", "numpy"):
        original = getattr(torch.Tensor, name)

        def counted(self: torch.Tensor, *args: Any, _original: Any = original,
                    **kwargs: Any) -> Any:
            calls["count"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    x, y = _data(n)
    model = _model()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, seed=0, stop_on_nan=stop_on_nan)
    monkeypatch.undo()
    return calls["count"]


def test_no_host_read_per_training_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # 4 steps per epoch against 16: a per-step read would show up 24 more times.
    few = _host_reads_during_fit(monkeypatch, 16)
    many = _host_reads_during_fit(monkeypatch, 64)
    assert many == few, f"{many - few} extra host reads for 24 extra steps"


def test_the_nan_guard_reads_the_loss_once_per_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # fit's default stop_on_nan=True stops before the first non-finite step's update: one
    # read of the loss per step (the documented cost), and nothing more.
    few = _host_reads_during_fit(monkeypatch, 16, stop_on_nan=True)
    many = _host_reads_during_fit(monkeypatch, 64, stop_on_nan=True)
    assert many - few == 24


def test_named_adam_uses_the_fused_kernel_on_cpu() -> None:
    parameters = [torch.nn.Parameter(torch.zeros(3))]
    assert make_optimizer("adam", parameters, 1e-3, 0.0).defaults["fused"] is True
    assert make_optimizer("adamw", parameters, 1e-3, 0.0).defaults["fused"] is True
    assert not make_optimizer("sgd", parameters, 1e-2, 0.0).defaults.get("fused")
    # A class is the user's choice: taken as given.
    assert not make_optimizer(torch.optim.Adam, parameters, 1e-3, 0.0).defaults["fused"]


def test_fused_adam_steps_like_the_per_tensor_loop() -> None:
    torch.manual_seed(0)
    reference = torch.nn.LSTM(3, 4)
    fused = torch.nn.LSTM(3, 4)
    fused.load_state_dict(reference.state_dict())
    optimizers = [torch.optim.Adam(reference.parameters(), lr=1e-2, weight_decay=1e-3),
                  make_optimizer("adam", fused.parameters(), 1e-2, 1e-3)]
    inputs = torch.randn(6, 2, 3)
    for _ in range(5):
        for module, optimizer in zip((reference, fused), optimizers, strict=True):
            optimizer.zero_grad()
            module(inputs)[0].square().mean().backward()
            optimizer.step()
    for expected, actual in zip(reference.parameters(), fused.parameters(), strict=True):
        torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-6)


class _RecordFlush(pl.Callback):
    def __init__(self, fail: bool = False) -> None:
        self.seen: list[bool] = []
        self.fail = fail

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: Any, batch: Any,
                             batch_idx: int) -> None:
        self.seen.append(flush_denormal_enabled())
        if self.fail:
            raise RuntimeError("interrupted on purpose")


def test_fit_on_cpu_flushes_denormals_and_restores_the_setting() -> None:
    torch.set_flush_denormal(False)
    x, y = _data(8)
    record = _RecordFlush()
    _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[record])
    assert record.seen == [True, True]
    assert not flush_denormal_enabled()
    failing = _RecordFlush(fail=True)
    with pytest.raises(RuntimeError, match="on purpose"):
        _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[failing])
    assert failing.seen == [True] and not flush_denormal_enabled()


def test_a_user_setting_of_flush_survives_fit() -> None:
    torch.set_flush_denormal(True)
    try:
        x, y = _data(8)
        _model().fit(x, y, batch_size=4, epochs=1, verbose=0)
        assert flush_denormal_enabled()
    finally:
        torch.set_flush_denormal(False)


@pytest.mark.skipif(_openmp_parallel() is None, reason="torch runs on another OpenMP here")
def test_flushing_reaches_torchs_worker_threads() -> None:
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        denormals = torch.full((1_000_000,), 1e-39)
        denormals.mul(1.0)  # the worker threads exist before flushing is turned on
        flush = DenormalFlush()
        flush.enter()
        try:  # each thread reads its share of denormals as zeros
            assert int(denormals.mul(1.0).count_nonzero()) == 0
        finally:
            flush.exit()
        assert int(denormals.mul(1.0).count_nonzero()) == denormals.numel()
    finally:
        torch.set_num_threads(threads)
