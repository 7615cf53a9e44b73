"""Real 2-process DDP on CPU (gloo) against a 1-process run of the same global batch,
with plain shuffling and with length bucketing."""

from __future__ import annotations

import numpy as np
import pytest
import torch.multiprocessing as mp
from _process_group import close_process_group, join_group, run_two_ranks

import seqkit as sk

SAMPLES, GLOBAL_BATCH, EPOCHS = 256, 32, 2


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(SAMPLES, 6, 2)).astype(np.float32)
    return x, x[:, -2:, 0].sum(axis=1).astype(np.float32)


def _fit_arguments(bucket: bool) -> dict[str, object]:
    """Plain shuffling, or length bucketing over given lengths 1..6."""
    if not bucket:
        return {}
    lengths = np.random.default_rng(1).integers(1, 7, size=SAMPLES)
    return {"lengths": lengths, "bucket_by_length": True}


def _model() -> sk.Sequential:
    # No dropout: each rank would draw its own masks.
    return sk.Sequential([sk.LSTM(8), sk.Dense(1)], loss="mse", metrics=["mae"], lr=1e-2)


def _rank(rank: int, port: int, queue: mp.Queue, bucket: bool) -> None:
    join_group(rank, port)
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=EPOCHS, batch_size=GLOBAL_BATCH // 2, seed=0,
                        verbose=0, accelerator="cpu", devices=2, strategy="ddp",
                        **_fit_arguments(bucket))
    weights = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    queue.put((rank, weights, history.history, model.predict(x[:10])))
    close_process_group()


@pytest.mark.slow
@pytest.mark.parametrize("bucket", [False, True], ids=["shuffled", "bucketed"])
def test_two_process_ddp_matches_one_process_with_the_same_global_batch(bucket: bool
                                                                        ) -> None:
    results = run_two_ranks(_rank, bucket)

    x, y = _data()
    single = _model()
    reference = single.fit(x, y, epochs=EPOCHS, batch_size=GLOBAL_BATCH, seed=0, verbose=0,
                           **_fit_arguments(bucket))
    (_, weights0, history0, predicted0), (_, weights1, _, _) = results
    for name, value in single.state_dict().items():
        # Rank 0 and rank 1 hold the same weights (DDP keeps them in step) ...
        np.testing.assert_array_equal(weights0[name], weights1[name])
        # ... equal to one process with the same global batches, up to the order of the
        # floating-point additions in the gradient all-reduce (float32, 16 optimizer steps).
        np.testing.assert_allclose(weights0[name], value.numpy(), rtol=1e-4, atol=1e-5)
    # Epoch losses and metrics are synced over ranks: the global means.
    np.testing.assert_allclose(history0["loss"], reference.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(history0["mae"], reference.history["mae"], rtol=1e-4)
    np.testing.assert_allclose(predicted0, single.predict(x[:10]), rtol=1e-4, atol=1e-5)
