"""A Keras model's compile settings (optimizer, learning rate, loss, metrics) on the
imported ``Sequential``, where seqkit has them by name."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from seqkit.training import LOSSES, METRICS, OPTIMIZERS

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["compile_like_keras"]


def compile_like_keras(model: Sequential, compile_config: Any) -> None:
    """Compiles ``model`` as Keras's ``compile_config`` says, when its optimizer, loss and
    metrics are names seqkit knows; otherwise warns with what was left out (the model
    still predicts: compile it yourself before training further).

    Examples:
        >>> import seqkit as sk
        >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(1)])
        >>> compile_like_keras(model, {"optimizer": {"class_name": "RMSprop", "config":
        ...                    {"learning_rate": 0.01}}, "loss": "mse", "metrics": ["mae"]})
        >>> model.compile_settings.optimizer, model.compile_settings.lr
        ('rmsprop', 0.01)
    """
    if not isinstance(compile_config, dict) or compile_config.get("loss") is None:
        return  # never compiled in Keras
    optimizer, lr = _optimizer(compile_config.get("optimizer"))
    loss = compile_config.get("loss")
    metrics = compile_config.get("metrics") or []
    metrics = metrics if isinstance(metrics, list) else [metrics]
    kept = [m for m in metrics if isinstance(m, str) and m.lower() in METRICS]
    left = [f"metric {m!r}" for m in metrics if m not in kept]
    if optimizer is None:
        left.insert(0, f"optimizer {compile_config.get('optimizer')!r}"[:120])
    if not (isinstance(loss, str) and loss.lower() in LOSSES):
        left.insert(0, f"loss {loss!r}"[:120])
    elif optimizer is not None:
        model.compile(optimizer, loss.lower(), [m.lower() for m in kept], lr=lr)
    if left:
        done = "compiled without" if not left[0].startswith(("loss", "optimizer")) else (
            "not compiled: seqkit has no equivalent of")
        warnings.warn(f"from_keras: the model is {done} Keras's {', '.join(left)}; call "
                      "model.compile(...) before training it further", stacklevel=3)


def _optimizer(spec: Any) -> tuple[str | None, float | None]:
    """Keras's optimizer (a name, or a serialised object) as a seqkit name and rate."""
    if isinstance(spec, str):
        return (spec.lower(), None) if spec.lower() in OPTIMIZERS else (None, None)
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        return None, None
    name = spec["class_name"].lower()
    config = spec.get("config") if isinstance(spec.get("config"), dict) else {}
    rate = config.get("learning_rate")
    if name not in OPTIMIZERS or not (isinstance(rate, int | float) or rate is None):
        return None, None  # an unknown optimizer, or a learning-rate schedule
    return name, None if rate is None else float(rate)
