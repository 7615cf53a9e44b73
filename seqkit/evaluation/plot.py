"""``plot_forecast``: history, forecast, prediction intervals and held-out values in one
figure (matplotlib, imported only when called)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plot_forecast"]


def plot_forecast(history: Any, forecast: Any, actual: Any = None, *, ax: Any = None,
                  title: str | None = None, history_steps: int | None = None) -> Any:
    """Draws the end of ``history``, the ``forecast`` after it (with its interval when it
    is [`sk.forecast`][seqkit.presets.forecast]'s ``ForecastIntervals``) and, if given,
    the ``actual`` held-out values.

    Args:
        history: The series the forecast starts after (array or pandas Series; a
            pandas index is used for the x axis).
        forecast: ``sk.forecast``'s answer: an array or Series, or ``ForecastIntervals``.
        actual: The true values of the forecast steps, if known.
        ax: A matplotlib ``Axes`` to draw on (default: a new figure).
        title: The axes' title.
        history_steps: Show only the last this many steps of history.

    Returns:
        The matplotlib ``Axes``.

    Examples:
        >>> import numpy as np, matplotlib
        >>> matplotlib.use("Agg")
        >>> ax = plot_forecast(np.arange(24.0), np.arange(24.0, 30.0), np.arange(24.0, 30.0))
        >>> [line.get_label() for line in ax.get_lines()]
        ['history', 'forecast', 'actual']
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    bounds = forecast if hasattr(forecast, "lower") and hasattr(forecast, "upper") else None
    mean = bounds.forecast if bounds is not None else forecast
    past_x, past_y = _xy(history, 0)
    if history_steps is not None:
        past_x, past_y = past_x[-history_steps:], past_y[-history_steps:]
    future_x, future_y = _xy(mean, len(_values(history)))
    ax.plot(past_x, past_y, color="0.3", label="history")
    ax.plot(future_x, future_y, color="tab:blue", label="forecast")
    if bounds is not None:
        ax.fill_between(future_x, _values(bounds.lower), _values(bounds.upper),
                        color="tab:blue", alpha=0.2, label=f"{bounds.level:.0%} interval")
    if actual is not None:
        ax.plot(future_x, _values(actual), color="tab:orange", linestyle="--",
                label="actual")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    return ax


def _values(data: Any) -> np.ndarray:
    data = data.to_numpy() if hasattr(data, "to_numpy") else data
    return np.asarray(data, dtype=np.float64).reshape(-1)


def _xy(data: Any, start: int) -> tuple[Any, np.ndarray]:
    """x positions (the pandas index as timestamps, else step numbers) and values."""
    index = getattr(data, "index", None)
    if index is not None and hasattr(data, "to_numpy"):
        x = index.to_timestamp() if hasattr(index, "to_timestamp") else index
        return x, _values(data)
    values = _values(data)
    return np.arange(start, start + len(values)), values
