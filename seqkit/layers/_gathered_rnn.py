"""Exact outputs on padded batches without packing: the gather path.

cuDNN's packed mode is slow (measured on an H200: a BiLSTM over lengths 10-400 ran 3.3x
slower packed than unpacked), but running a padded batch unpacked gives the backward
direction the padding first. This path stays on the unpacked kernel and is still exact:

* the forward direction runs on the padded batch: padding only ever *follows* the valid
  steps, so outputs at valid steps are exact;
* the backward direction runs on each sequence reversed *within its own length* (an index
  gather, its own inverse), so its padding also trails, then is gathered back.

Layers of a stack run one at a time (each direction is one fused kernel call). What this
path cannot give is the cell state at each sequence's own end, so it is used only where
no final state is needed; ``seqkit.layers.kernels.padded_handling`` decides.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.func import functional_call
from torch.nn import functional as F

from seqkit.layers._run_rnn import last_step
from seqkit.layers.state import RecurrentState

__all__ = ["run_rnn_gathered"]


def run_rnn_gathered(
    rnn: nn.LSTM | nn.GRU,
    values: Tensor,
    lengths: Tensor,
    initial: RecurrentState | None,
    templates: dict[int, nn.Module],
) -> tuple[Tensor, Tensor]:
    """Runs ``rnn`` exactly on a right-padded batch with the unpacked kernel.

    Args:
        rnn: The fused module (``batch_first=True``) whose weights are used.
        values: ``(batch, time, features)``.
        lengths: ``(batch,)`` valid lengths (on any device).
        initial: Initial state, batch-major, or ``None``.
        templates: A cache of single-layer modules (by input size) run with ``rnn``'s
            weights.

    Returns:
        ``(outputs, last)``: outputs ``(batch, time, directions * units)``, zero after each
        sequence's end; ``last`` ``(batch, directions * units)``, the top layer's output at
        each sequence's last valid step (the backward direction's: at time 0).
    """
    total = values.shape[1]
    lengths = lengths.to(values.device)
    steps = torch.arange(total, device=values.device)
    # Reversal within each sequence's own length; padding positions map to themselves, so
    # the index is its own inverse.
    index = lengths[:, None] - 1 - steps[None, :]
    valid = index >= 0
    index = index.where(valid, steps[None, :])
    directions = 2 if rnn.bidirectional else 1
    hx_all = None if initial is None else initial.to_torch()

    # Padding never reaches a valid output, but its values enter the weight gradients
    # (as 0 * value): keep them finite.
    layer_input = values.masked_fill(~valid[..., None], 0.0)
    for layer in range(rnn.num_layers):
        if layer > 0 and rnn.dropout and rnn.training:
            layer_input = F.dropout(layer_input, rnn.dropout, training=True)
        template = _template(rnn, layer_input.shape[-1], templates)
        outputs = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            params = {f"{name}_l0": getattr(rnn, f"{name}{suffix}")
                      for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                      if hasattr(rnn, f"{name}{suffix}")}
            hx = _state_slice(hx_all, layer * directions + direction)
            source = layer_input if direction == 0 else _gather_steps(layer_input, index)
            out, _ = functional_call(template, params, (source, hx))
            outputs.append(out if direction == 0 else _gather_steps(out, index))
        layer_input = torch.cat(outputs, dim=-1) if directions == 2 else outputs[0]

    last_forward = _gather_steps(outputs[0], (lengths - 1).clamp(min=0)[:, None])[:, 0]
    last = [last_forward] + ([outputs[1][:, 0]] if directions == 2 else [])
    # A sequence of length 0 ends where it started: its initial state (or zeros).
    empty = (lengths == 0)[:, None]
    start = 0.0 if initial is None else last_step(initial, directions)
    last_output = torch.where(empty, start, torch.cat(last, dim=-1))
    return layer_input.masked_fill(~valid[..., None], 0.0), last_output


def _template(rnn: nn.LSTM | nn.GRU, input_size: int, templates: dict[int, nn.Module]
              ) -> nn.Module:
    """A one-layer, one-direction module of the same kind, only ever run with borrowed
    weights (``functional_call``); cached per input size."""
    if input_size not in templates:
        options = {"nonlinearity": rnn.nonlinearity} if isinstance(rnn, nn.RNN) else {}
        templates[input_size] = type(rnn)(input_size, rnn.hidden_size, batch_first=True,
                                          bias=rnn.bias, **options).to(rnn.weight_hh_l0.device)
    return templates[input_size]


def _state_slice(hx: Tensor | tuple[Tensor, Tensor] | None, row: int
                 ) -> Tensor | tuple[Tensor, Tensor] | None:
    if hx is None:
        return None
    if isinstance(hx, tuple):
        return hx[0][row:row + 1], hx[1][row:row + 1]
    return hx[row:row + 1]


def _gather_steps(values: Tensor, index: Tensor) -> Tensor:
    """``values[b, index[b, t]]`` for every ``b, t``."""
    return values.gather(1, index[..., None].expand(-1, -1, values.shape[-1]))
