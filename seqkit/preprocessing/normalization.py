"""``Normalization``: per-feature scaling of numeric inputs, learnt from the training data."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from seqkit._checks import one_of
from seqkit.errors import ConfigError, InputError, NotBuiltError, explain
from seqkit.preprocessing.base import Transformed, register_preprocessor

__all__ = ["Normalization", "feature_statistics"]

_MODES = ("standard", "minmax")


def feature_statistics(values: Tensor, lengths: Tensor | None, mode: str
                       ) -> tuple[Tensor, Tensor]:
    """``(shift, scale)`` per feature (last axis) over every sample and valid step.

    ``standard``: mean and standard deviation; ``minmax``: minimum and range. A constant
    feature gets scale 1 (it maps to 0 instead of dividing by zero).

    Examples:
        >>> import torch
        >>> feature_statistics(torch.tensor([[1.0], [3.0]]), None, "standard")
        (tensor([2.]), tensor([1.]))
    """
    flat = values.reshape(-1, values.shape[-1]).double()
    if lengths is not None and values.dim() == 3:
        steps = torch.arange(values.shape[1])
        flat = values[steps[None, :] < lengths[:, None]].double()
    if mode == "standard":
        shift, scale = flat.mean(dim=0), flat.std(dim=0, unbiased=False)
    else:
        shift, scale = flat.amin(dim=0), flat.amax(dim=0) - flat.amin(dim=0)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    return shift.float(), scale.float()


@register_preprocessor
class Normalization:
    """Scales each input feature with statistics learnt by [`adapt`][].

    As the first block of a ``Sequential`` (before the layers), it adapts during ``fit`` on
    the training part only (never on validation data), scales every input the model sees
    (``fit``, ``evaluate``, ``predict``, streams) and is saved with the model. Padding
    steps of ragged input do not enter the statistics.

    Args:
        mode: ``"standard"`` (zero mean, unit variance) or ``"minmax"`` (to ``[0, 1]``).
        name: Name inside a model.

    Examples:
        >>> import torch
        >>> scaler = Normalization()
        >>> scaler.adapt(torch.tensor([[[1.0], [3.0]]]))
        >>> scaler(torch.tensor([[[5.0]]])).values
        tensor([[[3.]]])
    """

    def __init__(self, mode: str = "standard", *, name: str | None = None) -> None:
        self.mode = one_of(mode, "mode", "Normalization", _MODES)
        if name is not None and (not isinstance(name, str) or not name.isidentifier()):
            raise ConfigError(explain("Normalization name", expected="a Python identifier",
                                      received=f"name={name!r}"))
        self.name = name
        self.shift: Tensor | None = None
        self.scale: Tensor | None = None

    @property
    def is_adapted(self) -> bool:
        """Whether statistics were learnt (or restored)."""
        return self.shift is not None

    def adapt(self, values: Tensor, lengths: Tensor | None = None) -> None:
        """Learns per-feature statistics from ``values`` (``(..., features)``)."""
        self.shift, self.scale = feature_statistics(values, lengths, self.mode)

    def __call__(self, values: Tensor, lengths: Tensor | None = None) -> Transformed:
        """Scales ``values``; returns ``(values, lengths)`` (lengths passed through)."""
        if self.shift is None or self.scale is None:
            raise NotBuiltError(explain("Normalization", expected="adapted statistics",
                                        received="none", fix="call adapt(x) or fit first"))
        if values.shape[-1] != self.shift.shape[0]:
            raise InputError(explain("Normalization input",
                                     expected=f"{self.shift.shape[0]} features on the last axis",
                                     received=f"shape {tuple(values.shape)}"))
        scaled = (values - self.shift.to(values.device)) / self.scale.to(values.device)
        return Transformed(scaled, lengths)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments."""
        return {"mode": self.mode, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Normalization:
        return cls(**config)

    def get_state(self) -> dict[str, Any]:
        """The statistics, JSON-able."""
        return {"shift": None if self.shift is None else self.shift.tolist(),
                "scale": None if self.scale is None else self.scale.tolist()}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores [`get_state`][]."""
        if state.get("shift") is None:
            self.shift = self.scale = None
            return
        self.shift = torch.tensor(state["shift"], dtype=torch.float32)
        self.scale = torch.tensor(state["scale"], dtype=torch.float32)
