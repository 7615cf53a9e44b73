"""The seqkit exception hierarchy and the one helper that words every error.

Every error seqkit raises on bad input subclasses [`SeqkitError`][] *and* the matching
builtin, so ``except ValueError`` keeps working for users who do not know seqkit's names.
Messages follow one pattern, built by [`explain`][]: what happened, what was expected,
what was received, and how to fix it.

Examples:
    >>> from seqkit.errors import InputError, explain
    >>> err = InputError(explain("LSTM input", expected="3D input",
    ...                          received="shape (32, 10)", fix="add a feature axis: x[..., None]"))
    >>> isinstance(err, ValueError)
    True
    >>> print(err)
    LSTM input: expected 3D input but received shape (32, 10); add a feature axis: x[..., None]
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

__all__ = [
    "ArchiveError",
    "ChecksumMismatchError",
    "ConfigError",
    "DatasetDownloadError",
    "DatasetNotFoundError",
    "InputError",
    "InputTypeError",
    "ModelFileError",
    "ModelFileNotFoundError",
    "ModelSaveError",
    "NonFiniteLossError",
    "NotBuiltError",
    "NotCompiledError",
    "SeqkitError",
    "SizeError",
    "explain",
    "unknown_name",
]


class SeqkitError(Exception):
    """Base class of every error seqkit raises on purpose."""


class InputError(SeqkitError, ValueError):
    """Data given to a layer or model has the wrong shape, size or values."""


class InputTypeError(SeqkitError, TypeError):
    """Data or an argument has the wrong type (e.g. strings where numbers are needed)."""


class ConfigError(SeqkitError, ValueError):
    """A constructor or ``compile``/``fit`` argument is invalid."""


class SizeError(ConfigError, MemoryError):
    """A layer size (weights, or values per sample) cannot fit in memory; raised before
    anything is allocated, with the count and bytes needed (see
    [`seqkit.layers._sizes`][]). Also a ``MemoryError``.

    Examples:
        >>> import seqkit as sk
        >>> try:
        ...     sk.LSTM(10**6)
        ... except MemoryError as error:
        ...     print(type(error).__name__)
        SizeError
    """


class NotCompiledError(SeqkitError, RuntimeError):
    """Training or evaluation was asked for before ``compile``."""


class NotBuiltError(SeqkitError, RuntimeError, AttributeError):
    """The model's weights do not exist yet (its input size is still unknown).

    It is also an ``AttributeError``, because attributes such as ``model.input_shape``
    raise it: ``hasattr(model, "input_shape")`` is then ``False`` and
    ``getattr(model, "input_shape", None)`` is ``None`` on an unbuilt model, and
    ``inspect.getmembers(model)`` works.

    Examples:
        >>> import seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(4), sk.Dense(1)])
        >>> hasattr(model, "input_shape"), getattr(model, "output_shape", None)
        (False, None)
    """


class NonFiniteLossError(SeqkitError, FloatingPointError):
    """The training loss became NaN or inf during ``fit`` (raised by
    ``seqkit.training.faults.NonFiniteLossGuard``; ``model.fit`` turns it into a warning);
    the model holds the last finite step's weights.

    ``epoch`` and ``step`` (within the epoch) count from 0, ``global_step`` is Lightning's.
    """

    def __init__(self, message: str, *, epoch: int, step: int, global_step: int,
                 loss: float) -> None:
        super().__init__(message)
        self.epoch, self.step, self.global_step, self.loss = epoch, step, global_step, loss


class ModelFileError(SeqkitError, ValueError):
    """A model file is not a seqkit file, is damaged, or holds content seqkit refuses."""


class ModelFileNotFoundError(SeqkitError, FileNotFoundError):
    """A model file does not exist."""


class ModelSaveError(SeqkitError, OSError):
    """A model could not be written: the disk is full, or the path is a folder or lies
    under a file. Its ``filename`` is the target and its ``errno`` the system's.

    Examples:
        >>> import errno
        >>> error = ModelSaveError("save 'm.seqkit': disk full", errno=errno.ENOSPC,
        ...                        filename="m.seqkit")
        >>> isinstance(error, OSError), error.errno == errno.ENOSPC, str(error)
        (True, True, "save 'm.seqkit': disk full")
    """

    def __init__(self, message: str, *, errno: int | None = None,
                 filename: str | None = None) -> None:
        super().__init__(message)
        self.errno, self.filename = errno, filename

    def __str__(self) -> str:
        return str(self.args[0])


class DatasetDownloadError(SeqkitError, OSError):
    """A data set could not be downloaded (offline, refused, HTTP error)."""


class DatasetNotFoundError(SeqkitError, FileNotFoundError):
    """A data set is not cached and downloading was not allowed."""


class ChecksumMismatchError(SeqkitError, ValueError):
    """A downloaded or cached file does not have the expected SHA-256 (it was deleted)."""


class ArchiveError(SeqkitError, ValueError):
    """An archive is unreadable, unsafe (path traversal) or lacks the expected layout."""


def explain(what: str, *, expected: str, received: str, fix: str | None = None) -> str:
    """Words an error message: ``"<what>: expected <expected> but received <received>; <fix>"``.

    Args:
        what: The thing that was checked, e.g. ``"LSTM input"`` or ``"batch_size"``.
        expected: What would have been valid.
        received: What was given (shapes as tuples, arguments as ``arg=value``).
        fix: How to fix it, when there is a likely fix.

    Returns:
        The message.

    Examples:
        >>> explain("batch_size", expected="a positive integer", received="batch_size=0")
        'batch_size: expected a positive integer but received batch_size=0'
    """
    message = f"{what}: expected {expected} but received {received}"
    return f"{message}; {fix}" if fix else message


def unknown_name(kind: str, name: str, valid: Iterable[str]) -> ConfigError:
    """Builds the error for an unknown registry name, listing the valid ones and the closest.

    Args:
        kind: What was looked up, e.g. ``"loss"``.
        name: The unknown name.
        valid: The names that exist.

    Returns:
        A [`ConfigError`][] to raise.

    Examples:
        >>> print(unknown_name("loss", "mse_loss", ["mse", "mae"]))
        loss: expected one of 'mae', 'mse' but received 'mse_loss'; did you mean 'mse'?
    """
    valid = sorted(valid)
    close = get_close_matches(name, valid, n=1, cutoff=0.5)
    fix = f"did you mean {close[0]!r}?" if close else None
    listed = ", ".join(repr(v) for v in valid)
    return ConfigError(explain(kind, expected=f"one of {listed}", received=repr(name), fix=fix))
