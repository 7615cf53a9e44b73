"""Size guards: refuse layer sizes that cannot fit in memory before anything is allocated.

A layer calls these checks with the sizes its arguments imply, *before* it creates a
tensor: in ``__init__`` when the arguments alone already give too much (``LSTM(10**6)``
needs ``4 * units**2`` recurrent weights whatever its input), and in ``_build`` with the
exact count once the input features are known. Two limits, documented here and in the
error message:

- [`MAX_PARAMETERS`][seqkit.layers._sizes.MAX_PARAMETERS]: the weights of one layer, at
  most ``2**31`` elements (8 GiB of float32; torch's CPU kernels also index with 32-bit
  integers in places), and never more bytes than the machine's physical memory.
- [`MAX_SAMPLE_ELEMENTS`][seqkit.layers._sizes.MAX_SAMPLE_ELEMENTS]: the values one sample
  has after a layer that multiplies an axis (``RepeatVector(n)``, a fixed
  ``output_sequence_length``), at most ``2**28`` elements (1 GiB of float32 for a single
  sample, before the batch multiplies it).

Both raise [`SizeError`][seqkit.errors.SizeError] (a ``ConfigError``, so a ``ValueError``,
and a ``MemoryError``) stating the count and the bytes needed.

How a layer uses it (a new layer: the same two calls)::

    from seqkit.layers._sizes import check_parameter_count, check_sample_size

    class Conv1D(Layer):
        def __init__(self, filters, kernel_size, ...):
            ...
            # known from the arguments alone: at least filters * kernel_size weights
            check_parameter_count(self.label, filters * kernel_size,
                                  f"filters={filters}, kernel_size={kernel_size}")

        def _build(self, input_shape):
            features = input_shape[-1]
            check_parameter_count(self.label, self.filters * (self.kernel_size * features
                                  + 1), f"filters={self.filters} on {features} features")
            self.conv = nn.Conv1d(...)  # only now

Examples:
    >>> check_parameter_count("Dense", 10 * 4 + 4, "units=4 on 10 features")
    >>> check_parameter_count("LSTM", 4 * 10**12, "units=1000000")
    Traceback (most recent call last):
    ...
    seqkit.errors.SizeError: LSTM size: expected at most 2,147,483,648 weights (8.0 GiB \
of float32) in one layer but received units=1000000: 4,000,000,000,000 weights (14.6 TiB \
of float32); use smaller sizes (a layer this large cannot be allocated)
"""

from __future__ import annotations

import os
from typing import Any

import torch

from seqkit.errors import SizeError, explain

__all__ = [
    "MAX_MEMBERS",
    "MAX_PARAMETERS",
    "MAX_SAMPLE_ELEMENTS",
    "check_member_count",
    "check_parameter_count",
    "check_recurrent_size",
    "check_rnn_size",
    "check_sample_size",
    "format_bytes",
    "physical_memory",
]

MAX_PARAMETERS = 2**31
"""Most weights one layer may have (8 GiB of float32)."""

MAX_SAMPLE_ELEMENTS = 2**28
"""Most values one sample may have after a layer that multiplies an axis (1 GiB of
float32)."""

MAX_MEMBERS = 2**10
"""Most copies an ``Ensemble`` may hold: each is a whole stack, created at once and run one
after another, and each takes its own slice of every batch (``members * batch_size``
samples a step)."""

_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def format_bytes(count: int | float) -> str:
    """A byte count in binary units.

    Examples:
        >>> format_bytes(512), format_bytes(3 * 2**30), format_bytes(10**21)
        ('512 bytes', '3.0 GiB', '867.4 EiB')
    """
    value, unit = float(count), 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{int(value)} bytes" if unit == 0 else f"{value:.1f} {_UNITS[unit]}"


def physical_memory() -> int | None:
    """The machine's physical memory in bytes, or ``None`` where the system does not say.

    Examples:
        >>> memory = physical_memory()
        >>> memory is None or memory > 0
        True
    """
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):  # not POSIX, or not reported
        return None


def _element_size(dtype: torch.dtype | None) -> tuple[int, str]:
    dtype = torch.get_default_dtype() if dtype is None else dtype
    return torch.empty((), dtype=dtype).element_size(), str(dtype).removeprefix("torch.")


def check_parameter_count(owner: str, count: int, arguments: str,
                          dtype: torch.dtype | None = None) -> None:
    """Refuses a layer whose weights cannot be allocated.

    Args:
        owner: The layer, as messages name it (``layer.label``).
        count: Its number of weights (exact in ``_build``; a lower bound in ``__init__``).
        arguments: The sizes that give ``count``, e.g. ``"units=1000000"``.
        dtype: The weights' dtype; torch's default dtype if ``None``.

    Raises:
        SizeError: More than [`MAX_PARAMETERS`][seqkit.layers._sizes.MAX_PARAMETERS]
            weights, or more bytes than the machine's physical memory.

    Examples:
        >>> check_parameter_count("Embedding", 10**12 * 8, "vocab_size=10**12")
        Traceback (most recent call last):
        ...
        seqkit.errors.SizeError: Embedding size: expected at most 2,147,483,648 weights \
(8.0 GiB of float32) in one layer but received vocab_size=10**12: 8,000,000,000,000 \
weights (29.1 TiB of float32); use smaller sizes (a layer this large cannot be allocated)
    """
    size, name = _element_size(dtype)
    needed = count * size
    memory = physical_memory()
    if count <= MAX_PARAMETERS and (memory is None or needed <= memory):
        return
    if count > MAX_PARAMETERS:
        limit = f"at most {MAX_PARAMETERS:,} weights " \
                f"({format_bytes(MAX_PARAMETERS * size)} of {name}) in one layer"
    else:
        limit = f"weights that fit in this machine's {format_bytes(memory or 0)} of memory"
    raise SizeError(explain(
        f"{owner} size", expected=limit,
        received=f"{arguments}: {count:,} weights ({format_bytes(needed)} of {name})",
        fix="use smaller sizes (a layer this large cannot be allocated)"))


def check_sample_size(owner: str, elements: int, arguments: str,
                      dtype: torch.dtype | None = None) -> None:
    """Refuses an output of more than
    [`MAX_SAMPLE_ELEMENTS`][seqkit.layers._sizes.MAX_SAMPLE_ELEMENTS] values per sample
    (for layers where an argument multiplies an axis, such as ``RepeatVector(n)``).

    Args:
        owner: The layer, as messages name it.
        elements: Values of one sample's output (a lower bound in ``__init__``).
        arguments: The sizes that give ``elements``, e.g. ``"n=10**12 on 8 features"``.
        dtype: The values' dtype; torch's default dtype if ``None``.

    Raises:
        SizeError: Too many values per sample.

    Examples:
        >>> check_sample_size("RepeatVector", 100 * 8, "n=100 on 8 features")
        >>> check_sample_size("RepeatVector", 10**12, "n=1000000000000")
        Traceback (most recent call last):
        ...
        seqkit.errors.SizeError: RepeatVector output size: expected at most 268,435,456 \
values per sample (1.0 GiB of float32) but received n=1000000000000: 1,000,000,000,000 \
values per sample (3.6 TiB of float32, before the batch multiplies it); use a smaller size
    """
    if elements <= MAX_SAMPLE_ELEMENTS:
        return
    size, name = _element_size(dtype)
    raise SizeError(explain(
        f"{owner} output size",
        expected=f"at most {MAX_SAMPLE_ELEMENTS:,} values per sample "
        f"({format_bytes(MAX_SAMPLE_ELEMENTS * size)} of {name})",
        received=f"{arguments}: {elements:,} values per sample "
        f"({format_bytes(elements * size)} of {name}, before the batch multiplies it)",
        fix="use a smaller size"))


def check_recurrent_size(owner: str, gates: int, units: int, *, num_layers: int = 1,
                         directions: int = 1, use_bias: bool = True,
                         input_size: int | None = None) -> None:
    """[`check_parameter_count`][seqkit.layers._sizes.check_parameter_count] for a fused
    recurrent stack (torch's ``nn.LSTM``: 4 gates, ``nn.GRU``: 3, ``nn.RNN``: 1).

    With ``input_size=None`` (in ``__init__``) only the recurrent kernels are counted
    (``gates * units**2`` per layer and direction), a lower bound known from the
    arguments alone; in ``_build`` pass the input features for the exact count (torch's
    two biases included).

    Examples:
        >>> check_recurrent_size("GRU", 3, 64, input_size=8)
        >>> check_recurrent_size("LSTM", 4, 10**6)
        Traceback (most recent call last):
        ...
        seqkit.errors.SizeError: LSTM size: expected at most 2,147,483,648 weights (8.0 \
GiB of float32) in one layer but received units=1000000 (recurrent kernels alone): \
4,000,000,000,000 weights (14.6 TiB of float32); use smaller sizes (a layer this large \
cannot be allocated)
    """
    per_unit = gates * units
    if input_size is None:
        count = num_layers * directions * per_unit * units
        arguments = f"units={units}"
        if num_layers > 1 or directions > 1:
            arguments += f", num_layers={num_layers}, directions={directions}"
        check_parameter_count(owner, count, f"{arguments} (recurrent kernels alone)")
        return
    count = 0
    for layer in range(num_layers):
        inputs = input_size if layer == 0 else directions * units
        count += directions * per_unit * (inputs + units + (2 if use_bias else 0))
    check_parameter_count(owner, count, f"units={units}, num_layers={num_layers}, "
                          f"directions={directions} on {input_size} input features")


_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def check_rnn_size(layer: Any, input_size: int | None) -> None:
    """[`check_recurrent_size`][seqkit.layers._sizes.check_recurrent_size] for a layer
    holding a torch ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (its ``rnn_class``, ``units``,
    ``num_layers``, ``directions``, ``use_bias`` and ``label``).

    Examples:
        >>> import seqkit as sk
        >>> check_rnn_size(sk.GRU(8), 3)
    """
    check_recurrent_size(layer.label, _GATES[layer.rnn_class.__name__], layer.units,
                         num_layers=layer.num_layers, directions=layer.directions,
                         use_bias=layer.use_bias, input_size=input_size)


def check_member_count(owner: str, members: int) -> None:
    """Refuses more than [`MAX_MEMBERS`][seqkit.layers._sizes.MAX_MEMBERS] copies (their
    weights are checked in ``build``, once the first copy's count is known).

    Examples:
        >>> check_member_count("Ensemble", 5)
        >>> check_member_count("Ensemble", 10**9)
        Traceback (most recent call last):
        ...
        seqkit.errors.SizeError: Ensemble members: expected at most 1,024 copies of the \
stack but received members=1000000000; use fewer members (each copy is created now, and \
each takes its own batch_size samples of every step)
    """
    if members > MAX_MEMBERS:
        raise SizeError(explain(
            f"{owner} members", expected=f"at most {MAX_MEMBERS:,} copies of the stack",
            received=f"members={members}",
            fix="use fewer members (each copy is created now, and each takes its own "
                "batch_size samples of every step)"))
