"""What a saved forecaster keeps beside its layers: its window and validation residuals.

[`forecast`][seqkit.presets.forecast] needs the model's ``(lookback, horizon)`` and, for
``intervals=``, the residuals of its validation windows; ``save_model`` writes them
under the config's ``"forecasting"`` key and ``load_model`` sets them on the loaded model
(``forecast_window``, ``validation_residuals``), so a loaded forecaster gives the same
forecast and the same bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seqkit.saving.archive import refuse

__all__ = ["check_forecasting", "forecasting_config", "restore_forecasting"]

_MAX_RESIDUALS = 10_000_000


def forecasting_config(model: Any) -> dict[str, Any] | None:
    """The ``"forecasting"`` entry of a model's config (``None`` for other models)."""
    window = getattr(model, "forecast_window", None)
    if window is None:
        return None
    residuals = getattr(model, "validation_residuals", None)
    return {"window": [int(window[0]), int(window[1])],
            "validation_residuals": None if residuals is None
            else np.asarray(residuals, dtype=np.float64).tolist()}


def check_forecasting(config: dict[str, Any], source: Path | str) -> None:
    """Refuses a ``"forecasting"`` entry that is not two window sizes and a table of
    finite residuals."""
    entry = config.get("forecasting")
    if entry is None:
        return
    if not isinstance(entry, dict) or set(entry) - {"window", "validation_residuals"}:
        raise refuse(source, "a forecasting entry that is not {window, validation_residuals}")
    window = entry.get("window")
    if not (isinstance(window, list) and len(window) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v < 2**31 for v in window)):
        raise refuse(source, f"forecasting window={str(window)[:60]}; it must be "
                     "[lookback, horizon], two positive integers")
    residuals = entry.get("validation_residuals")
    if residuals is None:
        return
    try:
        table = np.asarray(residuals, dtype=np.float64)
    except (TypeError, ValueError):
        raise refuse(source, "forecasting validation_residuals that are not a table of "
                     "numbers") from None
    if table.ndim != 2 or table.shape[1] != window[1] or table.size > _MAX_RESIDUALS \
            or not np.isfinite(table).all():
        raise refuse(source, f"forecasting validation_residuals of shape {table.shape}; "
                     f"they must be finite, (rows, horizon={window[1]})")


def restore_forecasting(model: Any, config: dict[str, Any]) -> None:
    """Sets ``forecast_window`` and ``validation_residuals`` on a loaded model."""
    entry = config.get("forecasting")
    if entry is None:
        return
    model.forecast_window = tuple(entry["window"])
    residuals = entry.get("validation_residuals")
    model.validation_residuals = None if residuals is None \
        else np.asarray(residuals, dtype=np.float64)
