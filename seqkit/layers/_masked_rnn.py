"""One recurrent kernel run under any mask: lengths, a step mask, ``go_backwards``.

A step mask (see [`seqkit.layers.masks`][]) is turned into right padding first: each row's
kept steps move to the front (a gather), the exact right-padded path runs (packed or
gathered, ``padded_handling`` decides), and the outputs move back to their steps (a
gather), so masked steps are skipped (the state carries over them) and get zero outputs.
When the mask is right padding already and knowing it is free (on the CPU, or when the
batch packs and reads its lengths on the host anyway), both gathers are skipped.
"""

from __future__ import annotations

from torch import Tensor, nn

from seqkit.layers._gathered_rnn import run_rnn_gathered
from seqkit.layers._run_rnn import last_step, run_rnn
from seqkit.layers.kernels import padded_handling
from seqkit.layers.masks import (
    MASK_HOST_CHECK,
    compaction,
    gather_steps,
    is_step_mask,
    reverse_time,
    right_padded,
)
from seqkit.layers.state import RecurrentState

__all__ = ["run_masked"]


def run_masked(
    rnn: nn.LSTM | nn.GRU,
    values: Tensor,
    lengths: Tensor | None,
    initial: RecurrentState | None,
    need_state: bool,
    templates: dict[int, nn.Module],
    go_backwards: bool = False,
) -> tuple[Tensor, Tensor, RecurrentState | None, Tensor | None]:
    """Runs ``rnn`` on ``values``, skipping every masked step.

    Args:
        rnn: The fused module (``batch_first=True``).
        values: ``(batch, time, features)``.
        lengths: ``None``, per-row lengths or a step mask.
        initial: Initial state (batch-major) or ``None``.
        need_state: Whether the exact final state is needed (else it may be ``None``).
        templates: The gather path's cache of one-layer modules.
        go_backwards: Read each row from its last step to its first (Keras's
            ``go_backwards``: the outputs keep that reversed order).

    Returns:
        ``(outputs, last, final, output_lengths)``: outputs ``(batch, time, directions *
        units)`` with zeros at masked steps; ``last`` the output after each row's last kept
        step; the final state (``None`` when not needed and not computed); the mask of
        the outputs (per-row lengths, a step mask or ``None``).
    """
    if go_backwards:
        values, lengths = reverse_time(values, lengths)
    packs = lengths is None or padded_handling(values.device, need_state) == "packed"
    run_lengths, target = lengths, None
    if lengths is not None and is_step_mask(lengths):
        mask = lengths.to(values.device)
        if (packs or MASK_HOST_CHECK.get(values.device.type, False)) and bool(
                right_padded(mask)):
            run_lengths = lengths = mask.sum(dim=1)
        else:
            source, target, run_lengths = compaction(mask)
            values = gather_steps(values, source)
    final: RecurrentState | None
    if packs:
        outputs, final = run_rnn(rnn, values, run_lengths, initial)
        last = last_step(final, 2 if rnn.bidirectional else 1)
    else:
        assert run_lengths is not None
        outputs, last = run_rnn_gathered(rnn, values, run_lengths, initial, templates)
        final = None
    if target is not None:
        outputs = gather_steps(outputs, target)
    return outputs, last, final, lengths
