"""``Sequential.summary()``: a rich table of layers, output shapes, parameter counts and
the kernel each recurrent layer runs on; ``kernel_paths`` gives the kernels as data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import torch
from rich.console import Console
from rich.table import Table
from torch import nn

from seqkit.errors import ConfigError, explain
from seqkit.layers.base import counted_parameters
from seqkit.layers.batch_normalization import BatchNormalization
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.kernels import KernelPath
from seqkit.layers.recurrent import RecurrentLayer
from seqkit.layers.wide_deep import WideAndDeep

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["kernel_paths", "parameter_counts", "print_summary", "summary_table"]


def kernel_paths(model: Sequential, device: torch.device | str | None = None
                 ) -> dict[str, KernelPath]:
    """What runs each recurrent layer of ``model``: kernel and handling of padded batches.

    Keras falls back to a Python loop over time steps, silently, when its fused kernel
    cannot be used; seqkit reports what it runs. Each entry comes from the decision the
    forward pass takes (see [`padded_handling`][seqkit.layers.kernels.padded_handling])
    for ``fit``, ``evaluate`` and ``predict``. Calls that compute every final state
    (``predict(..., return_state=True)``, ``model.stream()``, ``fit(..., tbptt_steps=k)``)
    pack padded batches instead.

    Args:
        model: A ``Sequential``.
        device: The device to report for; by default the one each layer's weights are on
            (the CPU before the model is built).

    Returns:
        A [`KernelPath`][seqkit.layers.kernels.KernelPath] by layer name; a recurrent
        layer inside an ``Ensemble`` appears as ``"ensemble.0"`` (the Ensemble's name,
        then the layer's name, or else its position in the stack; every member runs the
        same), one inside a [`WideAndDeep`][seqkit.WideAndDeep]'s deep path as
        ``"wide_and_deep.gru"``.

    Examples:
        >>> import seqkit as sk
        >>> model = sk.Sequential([sk.Embedding(50, 8, mask_zero=True), sk.LSTM(16),
        ...                        sk.Dense(1)])
        >>> path = sk.kernel_paths(model)["lstm"]
        >>> path.device, path.padded
        ('cpu', 'gathered')
        >>> path.kernel in ("oneDNN", "native")  # oneDNN where PyTorch has it (float32)
        True
    """
    needed = model._states_needed()
    paths: dict[str, KernelPath] = {}
    for name, block in model.blocks.items():
        if isinstance(block, RecurrentLayer | Bidirectional):
            paths[name] = block.core.kernel_path(name in needed, device)
        else:  # layers inside an Ensemble or a WideAndDeep run without final states
            for inner_name, layer in _inner_layers(block, name):
                if isinstance(layer, RecurrentLayer | Bidirectional):
                    paths[inner_name] = layer.core.kernel_path(False, device)
    return paths


def _inner_layers(block: nn.Module, prefix: str) -> Iterator[tuple[str, nn.Module]]:
    """The layers stacked inside ``block`` (an ``Ensemble``'s first member, a
    ``WideAndDeep``'s deep path, nested), named ``prefix.name`` (or the position)."""
    if isinstance(block, Ensemble):
        stack: Sequence[nn.Module] = block.members[0]  # type: ignore[assignment]
    elif isinstance(block, WideAndDeep):
        stack = block.deep
    else:
        return
    for index, layer in enumerate(stack):
        name = f"{prefix}.{getattr(layer, 'name', None) or index}"
        yield name, layer
        yield from _inner_layers(layer, name)


def parameter_counts(model: Sequential) -> tuple[int, int]:
    """``(trainable, non_trainable)`` parameter counts of the whole model, as Keras counts
    them (``seqkit.layers.base.counted_parameters``; a ``BatchNormalization``'s moving
    statistics are non-trainable weights, as in Keras)."""
    counted = list(counted_parameters(model))
    trainable = sum(p.numel() for p in counted if p.requires_grad)
    moving = sum(2 * layer.moving_mean.numel() for layer in model.modules()  # not trained
                 if isinstance(layer, BatchNormalization) and layer.moving_mean is not None)
    return trainable, sum(p.numel() for p in counted) - trainable + moving


def summary_table(model: Sequential) -> Table:
    """The summary as a ``rich.table.Table`` (shapes show ``?`` before the model is built).

    A model with recurrent layers gets a "Kernel" column: for each recurrent layer, the
    kernel of batches without padding, then how padded batches keep exact lengths
    (``gathered`` or ``packed``, with their kernel when it differs); see
    [`kernel_paths`][seqkit.models.summary.kernel_paths].
    """
    paths = kernel_paths(model)
    table = Table(title=f"Model: {model.model_name}", title_justify="left",
                  caption=_kernel_caption(paths), caption_justify="left")
    table.add_column("Layer (type)")
    table.add_column("Output shape")
    table.add_column("Param #", justify="right")
    if paths:
        table.add_column("Kernel", no_wrap=True)
    for step in model.preprocessing:
        adapted = "adapted" if step.is_adapted else "adapts during fit"
        table.add_row(f"{step.name or ''} ({type(step).__name__})".strip(),
                      f"host preprocessing, {adapted}", "0")
    shape = model.input_shape if model.built else None
    for layer in model.layers:
        if shape is not None:
            shape = layer.compute_output_shape(shape)
        shown = "?" if shape is None else _shape_text(shape, model.batch_first)
        params = f"{layer.count_params():,}" if layer.built else "? (unbuilt)"
        kernel = [_kernel_text(path) for key, path in paths.items()
                  if key == layer.name or key.startswith(f"{layer.name}.")]
        table.add_row(f"{layer.name} ({type(layer).__name__})", shown, params,
                      *(["\n".join(kernel)] if paths else []))
    return table


def print_summary(model: Sequential, **console_kwargs: Any) -> None:
    """Prints `summary_table` and the parameter totals with a rich
    ``Console(**console_kwargs)``."""
    try:
        console = Console(**console_kwargs)
    except TypeError as error:  # an argument rich's Console does not take
        raise ConfigError(explain("summary", expected="rich.console.Console arguments (file=, "
                                  "width=, ...)", received=", ".join(f"{k}=" for k in
                                                                      console_kwargs),
                                  fix=str(error))) from None
    console.print(summary_table(model))
    trainable, frozen = parameter_counts(model)
    console.print(f"Total params: {trainable + frozen:,}")
    console.print(f"Trainable params: {trainable:,}")
    console.print(f"Non-trainable params: {frozen:,}")


def _kernel_text(path: KernelPath) -> str:
    """Two short lines: the dense kernel, then the padded handling (and its kernel)."""
    padded = path.padded if path.padded_kernel == path.kernel else (
        f"{path.padded}, {path.padded_kernel}")
    return f"{path.kernel}\n{padded}"


def _kernel_caption(paths: dict[str, KernelPath]) -> str | None:
    if not paths:
        return None
    devices = ", ".join(sorted({path.device for path in paths.values()}))
    return f"Kernel on {devices}: unpadded batches, then padded ones (exact lengths)"


def _shape_text(shape: tuple[Any, ...], batch_first: bool) -> str:
    if not batch_first and len(shape) >= 3:
        shape = (shape[1], shape[0], *shape[2:])
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"
