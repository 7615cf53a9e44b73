"""``Sequential.summary()``: a rich table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["parameter_counts", "print_summary", "summary_table"]


def parameter_counts(model: Sequential) -> tuple[int, int]:
    """``(trainable, non_trainable)`` parameter counts of the whole model."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


def summary_table(model: Sequential) -> Table:
    """The summary as a ``rich.table.Table`` (shapes show ``?`` before the model is built)."""
    table = Table(title=f"Model: {model.model_name}", title_justify="left")
    table.add_column("Layer (type)")
    table.add_column("Output shape")
    table.add_column("Param #", justify="right")
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
        table.add_row(f"{layer.name} ({type(layer).__name__})", shown, params)
    return table


def print_summary(model: Sequential, **console_kwargs: Any) -> None:
    """Prints `summary_table` and the parameter totals with a rich
    ``Console(**console_kwargs)``."""
    console = Console(**console_kwargs)
    console.print(summary_table(model))
    trainable, frozen = parameter_counts(model)
    console.print(f"Total params: {trainable + frozen:,}")
    console.print(f"Trainable params: {trainable:,}")
    console.print(f"Non-trainable params: {frozen:,}")


def _shape_text(shape: tuple[Any, ...], batch_first: bool) -> str:
    if not batch_first and len(shape) >= 3:
        shape = (shape[1], shape[0], *shape[2:])
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"
