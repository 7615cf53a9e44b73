"""Which kernel runs a recurrent layer, and how padded batches stay exact.

Keras falls back to a Python loop over time steps when its fused kernel cannot be used, and
says nothing. seqkit says what it runs. Two things decide it:

* how a padded batch keeps exact lengths, ``"packed"`` or ``"gathered"``: seqkit's choice,
  made by [`padded_handling`][seqkit.layers.kernels.padded_handling], the one function the
  forward pass of every recurrent layer asks (see ``RecurrentLayer.run``);
* which kernel PyTorch then picks for the layer's device, dtype and input:
  [`kernel_name`][seqkit.layers.kernels.kernel_name], which follows PyTorch's own rules
  (``use_cudnn`` and ``use_mkldnn`` in ATen's ``RNN.cpp``): cuDNN on CUDA when it is
  available and enabled; on the CPU oneDNN for an ``LSTM`` in float32 (bfloat16 where the
  CPU supports it) on an unpacked batch, when oneDNN is available and enabled. Everything
  else runs PyTorch's ``"native"`` kernel: a loop over time steps in C++ (no Python loop,
  but slower than the fused libraries; on the CPU every ``GRU`` and every packed batch).

[`kernel_path`][seqkit.layers.kernels.kernel_path] puts both together for one layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from seqkit.layers._run_rnn import length_strategy

__all__ = ["KernelPath", "autocast_breaks_lstm", "cudnn_usable", "kernel_name", "kernel_path",
           "onednn_usable", "padded_handling"]


@dataclass(frozen=True)
class KernelPath:
    """What runs a recurrent layer on one device.

    Attributes:
        device: The device, e.g. ``"cpu"`` or ``"cuda:0"``.
        kernel: The kernel for batches without padding (run dense): ``"oneDNN"``,
            ``"cuDNN"``, ``"MPS"`` or ``"native"``.
        padded: How padded batches keep exact lengths: ``"gathered"`` (the forward
            direction on the padded batch, the backward one on each sequence reversed
            within its length, both on the dense kernel) or ``"packed"``
            (``pack_padded_sequence``). Exact either way.
        padded_kernel: The kernel for padded batches (packing leaves oneDNN on the CPU).

    Examples:
        >>> path = KernelPath("cpu", "oneDNN", "gathered", "oneDNN")
        >>> str(path)
        'oneDNN, padded: gathered'
        >>> str(KernelPath("cpu", "oneDNN", "packed", "native"))
        'oneDNN, padded: packed (native)'
    """

    device: str
    kernel: str
    padded: str
    padded_kernel: str

    def __str__(self) -> str:
        padded = self.padded if self.padded_kernel == self.kernel else (
            f"{self.padded} ({self.padded_kernel})")
        return f"{self.kernel}, padded: {padded}"


def padded_handling(device: torch.device, need_state: bool) -> str:
    """How a padded batch runs: ``"packed"`` or ``"gathered"``.

    The gather path gives outputs only, so a layer whose final state is needed packs;
    otherwise the device's entry in ``LENGTH_STRATEGY`` decides (``"pack"`` if unlisted).
    This is the decision the forward pass takes, not a description of it.

    Args:
        device: Where the batch runs.
        need_state: Whether the layer's exact final state is needed (a stateful layer,
            ``return_state``, or a later layer starting from it).

    Examples:
        >>> padded_handling(torch.device("cpu"), need_state=False)
        'gathered'
        >>> padded_handling(torch.device("cpu"), need_state=True)
        'packed'
    """
    if need_state or length_strategy(device) == "pack":
        return "packed"
    return "gathered"


def onednn_usable(dtype: torch.dtype) -> bool:
    """Whether PyTorch runs an unpacked CPU ``LSTM`` of ``dtype`` on oneDNN now."""
    if not (torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled):
        return False
    if dtype == torch.bfloat16:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return dtype == torch.float32


def autocast_breaks_lstm(device: torch.device) -> bool:
    """Whether bfloat16 autocast is on for a CPU whose oneDNN has no bfloat16 LSTM.

    There PyTorch casts an ``LSTM``'s float32 weights and input to bfloat16 and still asks
    oneDNN, which fails ("could not create a primitive descriptor for the LSTM forward
    propagation primitive"); seqkit then runs its LSTMs in float32 (autocast off).

    Examples:
        >>> autocast_breaks_lstm(torch.device("cpu"))  # no autocast active
        False
    """
    return (device.type == "cpu" and torch.is_autocast_enabled("cpu")
            and torch.get_autocast_dtype("cpu") == torch.bfloat16
            and not onednn_usable(torch.bfloat16))


def cudnn_usable(dtype: torch.dtype, device: torch.device) -> bool:
    """Whether PyTorch runs an ``LSTM``/``GRU`` of ``dtype`` on ``device`` with cuDNN now."""
    if device.type != "cuda" or not (torch.backends.cudnn.enabled
                                     and torch.backends.cudnn.is_available()):
        return False
    if dtype == torch.bfloat16:  # cuDNN 9.13+ on compute capability 8.0+
        version = torch.backends.cudnn.version() or 0
        return version >= 91300 and torch.cuda.get_device_capability(device)[0] >= 8
    return dtype in (torch.float16, torch.float32, torch.float64)


def kernel_name(rnn_class: type[nn.Module], device: torch.device, dtype: torch.dtype,
                packed: bool) -> str:
    """The kernel PyTorch picks for an ``nn.LSTM`` / ``nn.GRU`` run.

    Args:
        rnn_class: ``nn.LSTM`` or ``nn.GRU``.
        device: Where it runs.
        dtype: The dtype of its weights and input.
        packed: Whether the input is a packed sequence.

    Returns:
        ``"cuDNN"``, ``"oneDNN"``, ``"MPS"`` or ``"native"``.

    Examples:
        >>> from torch import nn
        >>> kernel_name(nn.GRU, torch.device("cpu"), torch.float32, packed=False)
        'native'
    """
    lstm = issubclass(rnn_class, nn.LSTM)
    if device.type == "cuda":
        return "cuDNN" if cudnn_usable(dtype, device) else "native"
    if device.type == "mps":
        return "MPS" if lstm and not packed else "native"
    if device.type == "cpu" and lstm and not packed and onednn_usable(dtype):
        return "oneDNN"
    return "native"


def kernel_path(rnn_class: type[nn.Module], device: torch.device, dtype: torch.dtype,
                need_state: bool) -> KernelPath:
    """The [`KernelPath`][seqkit.layers.kernels.KernelPath] of one recurrent layer.

    Args:
        rnn_class: ``nn.LSTM`` or ``nn.GRU``.
        device: Where it runs.
        dtype: The dtype of its weights.
        need_state: Whether its exact final state is needed (see
            [`padded_handling`][seqkit.layers.kernels.padded_handling]).

    Examples:
        >>> from torch import nn
        >>> path = kernel_path(nn.LSTM, torch.device("cpu"), torch.float64, need_state=False)
        >>> path.kernel, path.padded
        ('native', 'gathered')
    """
    padded = padded_handling(device, need_state)
    return KernelPath(
        device=str(device),
        kernel=kernel_name(rnn_class, device, dtype, packed=False),
        padded=padded,
        padded_kernel=kernel_name(rnn_class, device, dtype, packed=padded == "packed"),
    )
