"""Mixed precision on CPU (bf16): packed sequences and states keep working dtypes."""

from __future__ import annotations

import numpy as np
import torch

import seqkit as sk


def test_bf16_mixed_on_cpu_trains_ragged_input_with_float32_weights() -> None:
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(int(n), 2)).astype(np.float32)
                 for n in rng.integers(2, 12, size=128)]
    y = np.array([s[-1, 0] for s in sequences], dtype=np.float32)
    model = sk.Sequential([sk.LSTM(16, return_sequences=True, bidirectional=True),
                           sk.LSTM(8), sk.Dense(1)], loss="mse", lr=1e-2)
    history = model.fit(sequences, y, epochs=8, verbose=0, seed=0, precision="bf16-mixed")
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    assert all(p.dtype == torch.float32 for p in model.parameters())
    predicted, states = model.predict(sequences[:4], return_state=True)
    assert predicted.dtype == np.float32
    assert all(state.h.dtype == np.float32 and state.c.dtype == np.float32
               for state in states.values())


def test_bf16_autocast_lstm_runs_whatever_the_cpu_supports() -> None:
    # On CPUs without oneDNN bfloat16 (e.g. AVX2 only), torch's own LSTM fails under
    # bf16 autocast; seqkit's LSTM runs in float32 there and in bfloat16 elsewhere.
    layer = sk.LSTM(4, return_sequences=True)
    x = torch.randn(3, 6, 2)
    reference = layer(x).values
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = layer(x).values  # unpadded: the fused (oneDNN) kernel
        padded = layer(x, lengths=torch.tensor([6, 3, 1])).values
        (out.float().sum() + padded.float().sum()).backward()
    expected_dtype = (torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported()
                      else torch.float32)
    assert out.dtype == expected_dtype
    torch.testing.assert_close(out.float(), reference, atol=3e-2, rtol=3e-2)
    torch.testing.assert_close(padded[0].float(), reference[0], atol=3e-2, rtol=3e-2)
