"""Writing a model to one ``.seqkit`` file, atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safetensors.torch import save as safetensors_bytes

from seqkit._version import __version__
from seqkit.saving.format import CONFIG_ENTRY, FORMAT_VERSION, WEIGHTS_ENTRY

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["model_config", "save_model"]


def model_config(model: Sequential) -> dict[str, Any]:
    """Everything but the weights, as JSON: what ``load_model`` rebuilds a model from."""
    settings = model.compile_settings
    return {
        "format_version": FORMAT_VERSION,
        "seqkit_version": __version__,
        "model": model.get_config(),
        "input_shape": list(model.input_shape) if model.built else None,
        "compile": None if settings is None else settings.to_config(),
        "preprocessing": [{"class_name": type(step).__name__, "config": step.get_config(),
                           "state": step.get_state()} for step in model.preprocessing],
        "target_scaler": None if model.target_scaler is None else {
            "config": model.target_scaler.get_config(),
            "state": model.target_scaler.get_state()},
        "label_encoder": None if model.label_encoder is None else {
            "state": model.label_encoder.get_state()},
    }


def save_model(model: Sequential, path: str | os.PathLike[str]) -> Path:
    """Saves ``model`` to ``path`` (a ``.seqkit`` zip; the suffix is added if missing).

    The file is written beside the target under a temporary name and renamed over it only
    when complete, so a failed save leaves any previous file intact.

    Args:
        model: A built model.
        path: Where to write.

    Returns:
        The path written.

    Examples:
        >>> import tempfile, pathlib, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")
        >>> model.build((None, 5, 2))
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "model"
        >>> save_model(model, target).name
        'model.seqkit'
    """
    model._require_built("save")
    target = Path(path)
    if target.suffix != ".seqkit":
        target = target.with_name(target.name + ".seqkit")
    config = json.dumps(model_config(model), indent=2).encode("utf-8")
    tensors = {name: tensor.detach().cpu().contiguous()
               for name, tensor in model.state_dict().items()}
    weights = safetensors_bytes(tensors, metadata={"format": "pt"})

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(CONFIG_ENTRY, config)
                archive.writestr(WEIGHTS_ENTRY, weights)
            raw.flush()
            os.fsync(raw.fileno())  # on disk before it replaces the old file
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target
