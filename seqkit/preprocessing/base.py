"""What every host-side preprocessing step provides, and the allow-list of them.

A preprocessing step runs on the host before batching: it learns its state from the
training data (``adapt``, during ``fit``, on the training part only), transforms inputs,
and its config and state are saved with the model as JSON.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

from torch import Tensor

__all__ = ["PREPROCESSOR_REGISTRY", "Preprocessor", "Transformed", "register_preprocessor"]


class Transformed(NamedTuple):
    """What a numeric preprocessing step returns: new values and the (unchanged) lengths."""

    values: Tensor
    lengths: Tensor | None = None


@runtime_checkable
class Preprocessor(Protocol):
    """The interface of input preprocessing steps (``TextVectorizer``, ``Normalization``).

    Calling a step returns ``(values, lengths)``: ``lengths`` is ``None`` unless the step
    knows each row's valid length.
    """

    name: str | None

    @property
    def is_adapted(self) -> bool: ...

    def adapt(self, data: Any) -> None: ...

    def get_config(self) -> dict[str, Any]: ...

    def get_state(self) -> dict[str, Any]: ...

    def set_state(self, state: dict[str, Any]) -> None: ...


PREPROCESSOR_REGISTRY: dict[str, type] = {}
"""Preprocessing classes by name: the allow-list saved files may name."""

_T = TypeVar("_T", bound=type)


def register_preprocessor(cls: _T) -> _T:
    """Class decorator adding a preprocessing class to [`PREPROCESSOR_REGISTRY`][]."""
    PREPROCESSOR_REGISTRY[cls.__name__] = cls
    return cls
