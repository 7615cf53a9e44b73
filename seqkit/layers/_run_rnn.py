"""Running a fused ``nn.LSTM``/``nn.GRU`` exactly on padded batches.

Two exact ways exist: packing (here), which also gives each sequence's final state, and the
gather path (``seqkit.layers._gathered_rnn``), which stays on the unpacked kernel but
gives outputs only. ``LENGTH_STRATEGY`` picks per device where no state is needed; the one
function that applies it is ``seqkit.layers.kernels.padded_handling`` (the forward pass and
``kernel_paths`` both ask it).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqkit.layers.state import RecurrentState

__all__ = ["LENGTH_STRATEGY", "last_step", "length_strategy", "run_rnn"]

LENGTH_STRATEGY: dict[str, str] = {"cpu": "gather", "cuda": "gather"}
"""How padded batches run when no final state is needed, by device type: ``"pack"`` or
``"gather"``. Both are exact; gathering keeps the fused unpacked kernel. CPU: a packed
batch leaves oneDNN for torch's native kernel, whose backward pass measured ~4x slower
(BiLSTM(128), batch 64, lengths 10-400, one thread: one training step 2.2 s packed,
0.59 s unpacked; whole epochs: ``python -m benchmarks.variable_lengths`` and the suite's
``text`` config); packing was ~15 % faster in forward-only passes, where both are fast.
CUDA: cuDNN's packed mode measured 3.3x slower than unpacked on an H200. Other devices
pack."""


def length_strategy(device: torch.device) -> str:
    """The strategy ``LENGTH_STRATEGY`` gives ``device`` (``"pack"`` if unlisted)."""
    return LENGTH_STRATEGY.get(device.type, "pack")


def run_rnn(
    rnn: nn.LSTM | nn.GRU,
    values: Tensor,
    lengths: Tensor | None,
    initial: RecurrentState | None,
) -> tuple[Tensor, RecurrentState]:
    """Runs ``rnn`` (``batch_first=True``) honouring each sequence's length.

    With lengths, the batch is packed (``enforce_sorted=False``), so every direction sees
    only valid steps: outputs are zero after each sequence's end and the final state is the
    state at each sequence's own end (the backward direction starts there too). Sequences of
    length 0 get zero outputs and keep their initial state (zeros when none is given).

    Args:
        rnn: The fused module, built with ``batch_first=True``.
        values: ``(batch, time, features)``.
        lengths: ``(batch,)`` valid lengths, or ``None`` when all fill the time axis.
        initial: Initial state in seqkit's batch-major layout, or ``None`` for zeros.

    Returns:
        ``(outputs, final_state)``; outputs ``(batch, time, directions * units)``.
    """
    hx = None if initial is None else initial.to_torch()
    total_length = values.shape[1]
    lengths_cpu = None if lengths is None else lengths.to("cpu", torch.int64)
    if lengths_cpu is None or bool((lengths_cpu == total_length).all()):
        outputs, final = rnn(values, hx)
        return outputs, RecurrentState.from_torch(final)

    empty = lengths_cpu == 0
    has_empty = bool(empty.any())
    if has_empty:
        # Length-0 sequences run one (clamped) step; make it read zeros, not padding, so
        # non-finite padding cannot reach their outputs or the weights' gradients.
        values = values.masked_fill(empty.to(values.device)[:, None, None], 0.0)
    packed = pack_padded_sequence(
        values, lengths_cpu.clamp(min=1), batch_first=True, enforce_sorted=False
    )
    packed_out, final = rnn(packed, hx)
    outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=total_length)
    state = RecurrentState.from_torch(final)
    if has_empty:
        state, outputs = _reset_empty(state, outputs, empty.to(values.device), initial)
    return outputs, state


def _reset_empty(
    state: RecurrentState, outputs: Tensor, empty: Tensor, initial: RecurrentState | None
) -> tuple[RecurrentState, Tensor]:
    """Zero outputs and initial (or zero) state for sequences of length 0."""
    outputs = outputs.masked_fill(empty[:, None, None], 0.0)

    def restore(final: Tensor | None, start: Tensor | None) -> Tensor | None:
        if final is None:
            return None
        start = torch.zeros_like(final) if start is None else start
        return torch.where(empty[:, None, None], start, final)

    h = restore(state.h, None if initial is None else initial.h)
    c = restore(state.c, None if initial is None else initial.c)
    assert h is not None
    return RecurrentState(h, c), outputs


def last_step(state: RecurrentState, directions: int) -> Tensor:
    """The output at each sequence's last valid step, taken from the final state.

    For the forward direction that is the top layer's final ``h``; for the backward
    direction it is the backward output at time 0, which is also its final ``h``. This is
    why seqkit never takes ``output[:, -1]``: on a padded or bidirectional batch it is wrong.

    Args:
        state: Final state, batch-major ``(batch, layers * directions, units)``.
        directions: 1 or 2.

    Returns:
        ``(batch, directions * units)``.
    """
    top = state.h[:, -directions:, :]
    return top.reshape(top.shape[0], -1)
