"""Reading a Lightning checkpoint file safely: tensors and plain types only, never code.

A pickle, a ``torch.save`` of arbitrary objects, a truncated or foreign file all become a
[`ModelFileError`][seqkit.errors.ModelFileError] naming the path, instead of a raw
``UnpicklingError`` from deep inside ``torch.load``.
"""

from __future__ import annotations

import os
from typing import Any

import torch

from seqkit.errors import ModelFileError, explain
from seqkit.saving.archive import check_path

__all__ = ["LIGHTNING_NAMES", "check_checkpoint", "read_checkpoint"]

LIGHTNING_NAMES = frozenset({"best", "last", "hpc", "registry"})
"""``fit(ckpt_path=...)`` values that Lightning resolves itself."""


def read_checkpoint(path: object, what: str = "load_from_checkpoint",
                    map_location: Any = None) -> dict[str, Any]:
    """The checkpoint at ``path``, read with ``torch.load(weights_only=True)``.

    Tensors are memory-mapped, so reading a large checkpoint costs little until they are
    used.

    Raises:
        ModelFileNotFoundError: There is no such file.
        ModelFileError: ``path`` is not a path to a regular file, or the file is not a
            checkpoint of tensors and plain types (a pickle of other objects, a damaged or
            foreign file).

    Examples:
        >>> import tempfile, pathlib, pickle
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "model.ckpt"
        >>> _ = bad.write_bytes(pickle.dumps({"state_dict": {}}))
        >>> try:
        ...     read_checkpoint(bad)
        ... except ModelFileError as error:
        ...     print(str(error).split(": expected ")[1][:47])
        a checkpoint written by torch.save (zip format)
    """
    source = check_path(path, what)
    try:
        checkpoint = torch.load(source, map_location=map_location or "cpu",
                                weights_only=True, mmap=True)
    except Exception as error:  # torch.load raises anything on a bad file
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ModelFileError(explain(
            f"{what} {os.fspath(source)!r}",
            expected="a checkpoint written by torch.save (zip format) holding tensors and "
            "plain types only",
            received=f"a file torch.load(weights_only=True) refuses ({type(error).__name__}"
            f"{': ' + first[:200] if first else ''})",
            fix="pass a .ckpt written by Lightning's ModelCheckpoint or trainer.save_checkpoint;"
            " a pickle is never loaded, since unpickling can run any code")) from None
    if not isinstance(checkpoint, dict):
        raise ModelFileError(explain(
            f"{what} {os.fspath(source)!r}", expected="a checkpoint dict",
            received=f"a file holding a {type(checkpoint).__name__}"))
    return checkpoint


def check_checkpoint(path: object) -> None:
    """Refuses, before Lightning reads it, a ``fit(ckpt_path=...)`` that is not a safe
    checkpoint (``None`` and Lightning's own names, such as ``"last"``, are left to
    Lightning).

    Raises:
        ModelFileNotFoundError: There is no such file.
        ModelFileError: As [`read_checkpoint`][seqkit.saving.checkpoint_file.read_checkpoint].
    """
    if path is None or (isinstance(path, str) and path in LIGHTNING_NAMES
                        and not os.path.exists(path)):
        return
    read_checkpoint(path, "fit(ckpt_path=...)")
