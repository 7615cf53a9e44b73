"""Targets: a scaler so ``predict`` answers in original units, and a label encoder so
string (or any non-integer) labels work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqkit._checks import one_of
from seqkit.errors import InputError, NotBuiltError, explain
from seqkit.preprocessing.normalization import feature_statistics

__all__ = ["LabelEncoder", "TargetScaler"]


class TargetScaler:
    """Scales regression targets for training and scales predictions back.

    ``fit`` adapts it on the training targets and trains on scaled targets (so the loss is
    in scaled units); metrics, ``evaluate``'s metrics and ``predict`` are in original units.

    Args:
        mode: ``"standard"`` or ``"minmax"``, per target column.

    Examples:
        >>> import torch
        >>> scaler = TargetScaler()
        >>> scaler.adapt(torch.tensor([10.0, 20.0, 30.0]))
        >>> scaler.transform(torch.tensor([20.0])), scaler.inverse(torch.tensor([1.0]))
        (tensor([0.]), tensor([28.1650]))
    """

    def __init__(self, mode: str = "standard") -> None:
        self.mode = one_of(mode, "mode", "TargetScaler", ("standard", "minmax"))
        self.shift: Tensor | None = None
        self.scale: Tensor | None = None

    @property
    def is_adapted(self) -> bool:
        return self.shift is not None

    def adapt(self, y: Tensor) -> None:
        """Learns per-column statistics (one column for 1-D targets)."""
        column = y if y.dim() > 1 else y[:, None]
        self.shift, self.scale = feature_statistics(column.float(), None, self.mode)

    def transform(self, y: Tensor) -> Tensor:
        """Original units to scaled units."""
        shift, scale = self._stats(y)
        return (y - shift) / scale

    def inverse(self, y: Tensor) -> Tensor:
        """Scaled units (model outputs) back to original units."""
        shift, scale = self._stats(y)
        return y * scale + shift

    def _stats(self, y: Tensor) -> tuple[Tensor, Tensor]:
        if self.shift is None or self.scale is None:
            raise NotBuiltError(explain("TargetScaler", expected="adapted statistics",
                                        received="none", fix="fit the model first"))
        shift, scale = self.shift.to(y.device, y.dtype), self.scale.to(y.device, y.dtype)
        if y.dim() <= 1 or shift.numel() == 1:
            return shift.reshape(()), scale.reshape(())
        return shift, scale

    def get_config(self) -> dict[str, Any]:
        return {"mode": self.mode}

    def get_state(self) -> dict[str, Any]:
        return {"shift": None if self.shift is None else self.shift.tolist(),
                "scale": None if self.scale is None else self.scale.tolist()}

    def set_state(self, state: dict[str, Any]) -> None:
        self.shift = None if state["shift"] is None else torch.tensor(state["shift"])
        self.scale = None if state["scale"] is None else torch.tensor(state["scale"])


class LabelEncoder:
    """Maps labels of any kind (strings, bools, sparse integers) to class ids ``0..n-1``.

    Classes are the sorted distinct labels of the training targets. ``fit`` creates one
    automatically for non-numeric labels; ``predict_classes`` maps ids back.

    Examples:
        >>> encoder = LabelEncoder()
        >>> encoder.adapt(["spam", "ham", "spam"])
        >>> encoder.classes, encoder.encode(["spam", "ham"]).tolist()
        (['ham', 'spam'], [1, 0])
        >>> encoder.decode([0, 1]).tolist()
        ['ham', 'spam']
    """

    def __init__(self) -> None:
        self.classes: list[Any] | None = None
        self._index: dict[Any, int] = {}

    @property
    def is_adapted(self) -> bool:
        return self.classes is not None

    def adapt(self, labels: Sequence[Any] | np.ndarray) -> None:
        values = _labels(labels)
        self.classes = sorted(set(values.tolist()), key=lambda v: (str(type(v)), v))
        self._index = {label: i for i, label in enumerate(self.classes)}

    def encode(self, labels: Sequence[Any] | np.ndarray) -> Tensor:
        """Labels to int64 class ids; unknown labels raise [`InputError`][]."""
        if self.classes is None:
            raise NotBuiltError(explain("LabelEncoder", expected="learnt classes",
                                        received="none", fix="fit the model first"))
        values = _labels(labels).tolist()
        unknown = sorted({v for v in values if v not in self._index}, key=str)
        if unknown:
            raise InputError(explain("labels", expected=f"the training classes {self.classes}",
                                     received=f"unknown labels {unknown[:5]}"))
        return torch.tensor([self._index[v] for v in values], dtype=torch.int64)

    def decode(self, ids: Sequence[int] | np.ndarray | Tensor) -> np.ndarray:
        """Class ids back to labels (a numpy array)."""
        if self.classes is None:
            raise NotBuiltError(explain("LabelEncoder", expected="learnt classes",
                                        received="none", fix="fit the model first"))
        index = np.asarray(ids.cpu() if isinstance(ids, Tensor) else ids, dtype=np.int64)
        return np.asarray(self.classes, dtype=object)[index].astype(
            np.asarray(self.classes).dtype)

    def get_config(self) -> dict[str, Any]:
        return {}

    def get_state(self) -> dict[str, Any]:
        classes = None if self.classes is None else [_plain(c) for c in self.classes]
        return {"classes": classes}

    def set_state(self, state: dict[str, Any]) -> None:
        if state.get("classes") is None:
            self.classes, self._index = None, {}
        else:
            self.classes = list(state["classes"])
            self._index = {label: i for i, label in enumerate(self.classes)}


def _labels(labels: Any) -> np.ndarray:
    if hasattr(labels, "to_numpy"):
        labels = labels.to_numpy()
    if isinstance(labels, Tensor):
        labels = labels.cpu().numpy()
    array = np.asarray(labels)
    if array.ndim != 1:
        array = array.reshape(-1) if array.ndim == 2 and array.shape[1] == 1 else array
    if array.ndim != 1:
        raise InputError(explain("labels", expected="one label per sample (1-D)",
                                 received=f"shape {array.shape}"))
    _check_present(array)
    return array


def _missing(value: Any) -> bool:
    """``None``, a float NaN, or pandas' ``NA`` / ``NaT``: no label."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _check_present(array: np.ndarray) -> None:
    """Missing labels (``None``, NaN) are refused, not made into a class of their own.

    Examples:
        >>> try:
        ...     _check_present(np.array(["a", None], dtype=object))
        ... except InputError as error:
        ...     print(str(error).split(";")[0])
        y labels: expected a label for every sample but received None at index 1
    """
    if array.dtype.kind == "f":
        bad = np.flatnonzero(np.isnan(array))
    elif array.dtype.kind == "O":
        bad = np.flatnonzero(np.fromiter((_missing(v) for v in array), bool, len(array)))
    else:
        return
    if len(bad):
        raise InputError(explain(
            "y labels", expected="a label for every sample",
            received=f"{array[bad[0]]!r} at index {int(bad[0])}",
            fix="drop the samples without labels (or impute them) before fit"))


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones, for JSON."""
    return value.item() if isinstance(value, np.generic) else value
