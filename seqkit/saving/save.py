"""Writing a model to one ``.seqkit`` file, atomically."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safetensors.torch import save as safetensors_bytes

from seqkit._version import __version__
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.saving.atomic import write_atomically
from seqkit.saving.forecasting import forecasting_config
from seqkit.saving.format import CONFIG_ENTRY, FORMAT_VERSION, WEIGHTS_ENTRY, WEIGHTS_HASH_KEY

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["model_config", "save_model"]

SUFFIX = ".seqkit"


def model_config(model: Sequential) -> dict[str, Any]:
    """Everything but the weights, as JSON: what ``load_model`` rebuilds a model from."""
    settings = model.compile_settings
    forecasting = forecasting_config(model)
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
        **({} if forecasting is None else {"forecasting": forecasting}),
    }


def _refuse_callables(spec: dict[str, Any]) -> None:
    """Raises ``ConfigError`` for a callable anywhere in a layer spec (nested ones too)."""
    config = spec.get("config", {})
    for key, value in config.items():
        if callable(value):
            name = getattr(value, "__qualname__", type(value).__name__)
            raise ConfigError(explain(
                f"save {spec.get('class_name')} {config.get('name') or ''}".rstrip(),
                expected=f"a name for {key} (a .seqkit file holds its config as JSON)",
                received=f"{key}=<callable {name}>",
                fix="build the model with a name from seqkit.layers.INITIALIZERS to save "
                    "it, or keep the weights with torch.save(model.state_dict(), path)"))
        nested = value if isinstance(value, list) else [value]
        for item in nested:
            if isinstance(item, dict) and "class_name" in item:
                _refuse_callables(item)


def _target_path(path: str | os.PathLike[str]) -> Path:
    """The file ``save_model`` writes for ``path``.

    A ``.seqkit`` name is kept, a name without a suffix gets ``.seqkit``, and any other
    suffix is refused rather than silently extended (``"m.keras"`` would otherwise become
    ``"m.keras.seqkit"``).

    Args:
        path: The path given to ``save``.

    Returns:
        The path to write.

    Raises:
        ConfigError: ``path`` ends in another suffix.

    Examples:
        >>> _target_path("runs/airline").as_posix(), _target_path("airline.seqkit").name
        ('runs/airline.seqkit', 'airline.seqkit')
        >>> try:
        ...     _target_path("m.keras")
        ... except ConfigError as error:
        ...     print(error)
        save path: expected a .seqkit name or no suffix but received 'm.keras'; use "m.seqkit"
    """
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise InputTypeError(explain("save path", expected="a str or pathlib.Path",
                                     received=f"{type(path).__name__} {path!r}"))
    target = Path(os.fspath(path))
    if target.suffix.lower() == SUFFIX:
        return target
    if not target.suffix:
        return target.with_name(target.name + SUFFIX)
    raise ConfigError(explain(
        "save path", expected=f"a {SUFFIX} name or no suffix",
        received=repr(os.fspath(path)), fix=f'use "{target.with_suffix(SUFFIX).name}"'))


def save_model(model: Sequential, path: str | os.PathLike[str]) -> Path:
    """Saves ``model`` to ``path``: a ``.seqkit`` zip (the suffix is added if there is none;
    another suffix, such as ``.keras``, is refused).

    The file is written beside the target under a temporary name and renamed over it only
    when complete, so a failed save leaves any previous file intact; temporaries left by
    an earlier save that was killed are removed. It gets the permissions a plain
    ``open(path, "w")`` would give (``0o666`` less the umask). ``config.json`` records the
    weights' SHA-256, which ``load_model`` verifies.

    Args:
        model: A built model.
        path: Where to write.

    Returns:
        The path written.

    Raises:
        ConfigError: ``path`` has a suffix other than ``.seqkit``, or a layer holds a
            callable (e.g. ``kernel_initializer=my_function``), which JSON cannot hold.
        NotBuiltError: The model is not built.
        ModelSaveError: The path is a folder or lies under a file, or the file cannot be
            written (disk full, permissions); an ``OSError`` naming the path.

    Examples:
        >>> import tempfile, pathlib, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")
        >>> model.build((None, 5, 2))
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "model"
        >>> save_model(model, target).name
        'model.seqkit'
    """
    model._require_built("save")
    target = _target_path(path)
    settings = model_config(model)
    for spec in settings["model"].get("layers", []):
        _refuse_callables(spec)
    tensors = {name: tensor.detach().cpu().contiguous()
               for name, tensor in model.state_dict().items()}
    weights = safetensors_bytes(tensors, metadata={"format": "pt"})
    settings[WEIGHTS_HASH_KEY] = hashlib.sha256(weights).hexdigest()
    try:
        config = json.dumps(settings, indent=2, allow_nan=False).encode("utf-8")
    except ValueError:
        raise ConfigError(explain(
            "save", expected="finite numbers in the config and preprocessing state",
            received="NaN or infinity (a Normalization or target scaler adapted on "
            "non-finite data?)", fix="adapt on finite data, then save")) from None

    def write(raw: Any) -> None:
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(CONFIG_ENTRY, config)
            archive.writestr(WEIGHTS_ENTRY, weights)

    write_atomically(target, write)
    return target
