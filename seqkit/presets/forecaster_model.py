"""``Forecaster``: the ``Sequential`` that [`forecaster`][seqkit.presets.forecaster] builds.

It is an ordinary ``Sequential`` (saved, loaded and exported as one) whose ``fit`` does
what a forecaster needs by default:

* the **season** is detected from the training windows (autocorrelation of the changes,
  [`detect_season`][seqkit.evaluation.seasonality.detect_season]) unless the preset was
  given ``season_length=``;
* the last ``validation_tail`` of the windows (the most recent ones, never shuffled into
  training) is held out, and **early stopping** on it restores the best epoch's weights;
* the validation residuals are kept (``model.validation_residuals``) for
  [`forecast`][seqkit.presets.forecast]'s conformal ``intervals=``, and the History gets the
  best validation MSE (``val_mse_best``); every epoch's line and the History show
  seasonal naive's MSE on the same windows (``val_seasonal_naive_mse``) beside
  ``val_loss`` (the model's MSE), and a warning says when the model ends worse.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch

from seqkit.callbacks import EarlyStopping
from seqkit.evaluation.seasonality import detect_season
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.window_normalization import WindowNormalization
from seqkit.models.sequential import Sequential
from seqkit.presets.linear_path import (
    LinearFit,
    clear_linear_path,
    fit_linear_path,
    set_linear_path,
)
from seqkit.presets.member_stopping import (
    MemberEarlyStopping,
    MemberSnapshots,
    member_groups,
)
from seqkit.training.history import History

__all__ = ["Forecaster"]

_FIT = inspect.signature(Sequential.fit)


class Forecaster(Sequential):
    """A ``Sequential`` forecaster whose ``fit`` detects the season, holds out the most
    recent windows and stops early on them (see the module's description).

    Attributes:
        validation_tail: Fraction of the windows (the last ones) held out when ``fit`` is
            given no validation data; 0 turns early stopping off.
        patience: Epochs without a better validation loss before training stops.
        default_batch_size: Samples per step when ``fit`` is given none (16: a short series has
            few windows, and more steps per epoch train it better than Keras's 32).
        refit: After early stopping on the automatic tail, train again from the same
            start on every window for the best epoch's count (the most recent windows
            matter most for the next forecast).
        member_stopping: Stop each ensemble member at its own best validation epoch
            ([`seqkit.presets.member_stopping`][]); members that correct the same
            baseline (``forecaster(base=[...])``) stop together. ``False``: one epoch
            for all.
        validation_residuals: ``actual - forecast`` on the held-out windows after ``fit``
            (``(n, horizon)``), or ``None``.
    """

    validation_tail: float = 0.2
    patience: int = 20
    refit: bool = True
    default_batch_size: int = 16
    validation_residuals: np.ndarray | None = None
    linear_fit: LinearFit | None = None
    member_stopping: bool = False

    def normalization_layers(self) -> list[WindowNormalization]:
        """The model's ``WindowNormalization`` layers (one per ensemble member)."""
        return [m for m in self.modules() if isinstance(m, WindowNormalization)]

    @property
    def season_length(self) -> int | None:
        """The season the model works with (``None``: none, or not detected yet)."""
        layers = self.normalization_layers()
        return layers[0].season_length if layers else None

    def fit(self, x: Any, y: Any = None, *args: Any, **kwargs: Any) -> History:
        """Keras's ``fit`` (the same arguments as ``Sequential.fit``), with a forecaster's
        defaults: season detection, a time-ordered validation tail and early stopping with
        the best weights restored.

        Without ``validation_data`` or ``validation_split``, the last ``validation_tail``
        of the windows is held out; pass ``validation_split=`` to choose another
        fraction, or set ``model.validation_tail = 0`` to train on every window for the
        given epochs. An ``EarlyStopping`` in ``callbacks`` replaces the default one.
        """
        arguments = _FIT.bind(self, x, y, *args, **kwargs).arguments
        arguments.pop("self")
        extra = arguments.pop("trainer_kwargs", {})
        arguments.setdefault("batch_size", self.default_batch_size)
        self._detect_season(arguments["x"])
        auto_tail = (arguments.get("validation_data") is None
                     and not arguments.get("validation_split") and self.validation_tail > 0
                     and hasattr(arguments["x"], "shape"))
        if auto_tail and _rows(arguments["x"]) * self.validation_tail >= 1:
            arguments["validation_split"] = self.validation_tail
        validating = bool(arguments.get("validation_split")) \
            or arguments.get("validation_data") is not None
        user_callbacks = list(arguments.get("callbacks") or [])
        callbacks = list(user_callbacks)
        members = None
        if validating and not any(isinstance(c, pl.callbacks.EarlyStopping) for c in callbacks):
            members = self._member_stopping(arguments)
            callbacks.append(members or EarlyStopping(monitor="val_loss", patience=self.patience,
                                                      restore_best_weights=True))
        line = self._naive_line(arguments) if validating else None
        arguments["callbacks"] = callbacks + ([line] if line is not None else [])
        refit = auto_tail and self.refit and "validation_split" in arguments \
            and arguments["validation_split"] == self.validation_tail
        linear_layers = self._clear_linear(arguments)
        if refit:
            self._build_seeded(arguments)
            start = {k: v.detach().clone() for k, v in self.state_dict().items()}
        history = super().fit(**arguments, **extra)
        linear = self._blend_linear(arguments, history) if validating and linear_layers \
            else None
        self.validation_residuals = self._residuals(arguments, history) if validating \
            else None
        if members is not None:
            history.history["member_best_epochs"] = list(members.best_epochs)
        if refit and history.history.get("val_loss"):
            best = int(np.argmin(history.history["val_loss"])) + 1
            refit_callbacks = list(user_callbacks)
            if members is not None:  # each member again for its own best epoch count
                best = max(members.best_epochs)
                refit_callbacks.append(MemberSnapshots(members.ensemble, members.best_epochs))
            self.load_state_dict(start)  # the linear path at zero again
            self.reset_training_objects()  # a fresh optimizer, as for the first run
            arguments.update(validation_split=0.0, epochs=best, callbacks=refit_callbacks)
            refitted = super().fit(**arguments, **extra)
            history.history["refit_loss"] = refitted.history["loss"]
            if linear is not None:  # the same blend, the linear path now on every window
                set_linear_path(linear_layers, *_arrays(arguments), linear.penalty,
                                linear.weighted, linear.weight)
        return history

    def _naive_line(self, arguments: dict[str, Any]) -> pl.Callback | None:
        """A callback putting seasonal naive's validation MSE beside ``val_loss`` in every
        epoch's line and in the History (``val_seasonal_naive_mse``)."""
        rows = self._validation_rows(arguments)
        if rows is None:
            return None
        naive = _seasonal_naive(_numpy(rows[0]), self.season_length,
                                rows[1].reshape(len(rows[1]), -1).shape[1],
                                self.normalization_layers())
        if naive is None:
            return None
        return _NaiveLine(float(np.mean((rows[1].reshape(naive.shape) - naive) ** 2)))

    def _member_stopping(self, arguments: dict[str, Any]) -> MemberEarlyStopping | None:
        """Early stopping for each ensemble member on its own (``member_stopping``)."""
        ensemble = self.layers[0] if self.layers else None
        if not self.member_stopping or not isinstance(ensemble, Ensemble):
            return None
        rows = self._validation_rows(arguments)
        if rows is None:
            return None
        self._build_seeded(arguments)
        groups = member_groups(ensemble) if ensemble.member_overrides is not None else None
        return MemberEarlyStopping(ensemble, _numpy(rows[0]), rows[1], self.patience, groups)

    def linear_layers(self) -> list[WindowNormalization]:
        """The ``WindowNormalization`` layers that hold a linear path."""
        return [layer for layer in self.normalization_layers() if layer.linear]

    def _clear_linear(self, arguments: dict[str, Any]) -> list[WindowNormalization]:
        """Builds the model and sets its linear path to zero: the network trains alone."""
        if not any(layer.linear for layer in self.normalization_layers()) \
                or not hasattr(arguments["x"], "shape") or arguments.get("y") is None:
            return []
        self._build_seeded(arguments)
        clear_linear_path(self.linear_layers())
        return self.linear_layers()

    def _blend_linear(self, arguments: dict[str, Any], history: History) -> LinearFit | None:
        """Fits the linear forecast on the training windows and blends it with the
        network, both chosen on the validation windows
        ([`fit_linear_path`][seqkit.presets.linear_path.fit_linear_path])."""
        rows = self._validation_rows(arguments)
        if rows is None:
            return None
        x, y = _arrays(arguments)
        if arguments.get("validation_data") is None:  # the tail of x is the validation
            x, y = x[:len(x) - len(rows[1])], y[:len(y) - len(rows[1])]
        network = np.asarray(self.predict(rows[0], verbose=0), dtype=np.float64)
        windows = _numpy(rows[0])
        fitted = fit_linear_path(self.linear_layers(), x, y, (windows, rows[1]), network,
                                 self._recursive_mse(windows, rows[1]))
        self.linear_fit = fitted
        history.history["val_mse_network"] = [fitted.network_mse]
        history.history["val_mse_linear"] = [fitted.linear_mse]
        history.history["linear_weight"] = [fitted.weight]
        return fitted

    def _recursive_mse(self, windows: np.ndarray, targets: np.ndarray
                       ) -> Callable[[], float] | None:
        """The MSE of the model's recursive forecast from the first validation window over
        the validation period (``None`` when the windows are not one series' consecutive
        windows), as a function of the model's current weights."""
        if len(windows) < 2 or windows.shape[-1] != 1 or _longest_run(
                windows[..., 0]) is None or len(_longest_run(windows[..., 0])) \
                != windows.shape[1] + len(windows) - 1:
            return None
        horizon = targets.reshape(len(targets), -1).shape[1]
        actual = np.concatenate([targets.reshape(len(targets), -1)[:, 0],
                                 targets.reshape(len(targets), -1)[-1, 1:]])
        lookback = windows.shape[1]

        def mse() -> float:
            values = list(windows[0, :, 0])
            while len(values) < lookback + len(actual):
                window = np.asarray(values[-lookback:], dtype=np.float32)[None, :, None]
                values.extend(np.asarray(self.predict(window, verbose=0),
                                         dtype=np.float64).reshape(-1)[:horizon].tolist())
            forecast = np.asarray(values[lookback:lookback + len(actual)])
            return float(np.mean((forecast - actual) ** 2))

        return mse

    def _build_seeded(self, arguments: dict[str, Any]) -> None:
        """Builds the model (with fit's seed) so its starting weights can be kept."""
        if self.built:
            return
        if arguments.get("seed") is not None:
            pl.seed_everything(arguments["seed"], workers=False, verbose=False)
        x = arguments["x"]
        self.build((None, *tuple(x.shape[1:])))

    def _detect_season(self, x: Any) -> None:
        layers = self.normalization_layers()
        if not layers or layers[0].built or not getattr(self, "detect_season", False):
            return
        windows = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64)
        if windows.ndim != 3 or windows.shape[0] < 2:
            return
        series = _longest_run(windows[..., layers[0].target])
        if series is None:
            return
        season = detect_season(series, max_lag=windows.shape[1])
        for layer in layers:
            layer.set_season_length(season)
        for block in self.layers:  # an Ensemble saves the configs its members were made from
            if isinstance(block, Ensemble):
                for spec in block._stack_config:
                    if spec.get("class_name") == "WindowNormalization":
                        spec["config"]["season_length"] = season

    def _validation_rows(self, arguments: dict[str, Any]) -> tuple[Any, np.ndarray] | None:
        data = arguments.get("validation_data")
        if data is None:
            x, y = arguments["x"], arguments["y"]
            if not hasattr(x, "shape") or y is None:
                return None
            rows = _rows(x)
            held = int(rows * float(arguments.get("validation_split") or 0.0))
            if held < 1:
                return None
            data = (x[rows - held:], np.asarray(y)[rows - held:])
        return data[0], np.asarray(data[1], dtype=np.float64)

    def _residuals(self, arguments: dict[str, Any], history: History) -> np.ndarray | None:
        """The validation residuals; the History gets the validation MSE next to seasonal
        naive's on the same rows, and a warning says when the model is worse."""
        rows = self._validation_rows(arguments)
        if rows is None:
            return None
        val_x, val_y = rows
        predicted = np.asarray(self.predict(val_x, verbose=0), dtype=np.float64)
        residuals = val_y.reshape(len(val_y), -1) - predicted.reshape(len(predicted), -1)
        naive = _seasonal_naive(np.asarray(val_x, dtype=np.float64), self.season_length,
                                residuals.shape[1], self.normalization_layers())
        if naive is not None:
            model_mse = float(np.mean(residuals ** 2))
            naive_mse = float(np.mean((val_y.reshape(naive.shape) - naive) ** 2))
            history.history["val_mse_best"] = [model_mse]
            if model_mse > naive_mse:
                warnings.warn(
                    f"forecaster: validation MSE {model_mse:.4g} is worse than seasonal "
                    f"naive's {naive_mse:.4g} on the same windows (season "
                    f"{self.season_length}); try more epochs, another lookback or "
                    "season_length=", UserWarning, stacklevel=3)
        return residuals


class _NaiveLine(pl.Callback):
    """Logs a constant, seasonal naive's validation MSE, after each validation epoch."""

    def __init__(self, mse: float) -> None:
        self.mse = mse

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule
                                ) -> None:
        if not trainer.sanity_checking:
            trainer.callback_metrics["val_seasonal_naive_mse"] = torch.tensor(self.mse)


def _seasonal_naive(x: np.ndarray, season: int | None, horizon: int,
                    layers: list[WindowNormalization]) -> np.ndarray | None:
    """Seasonal naive's forecasts of validation windows ``x`` (naive without a season)."""
    if x.ndim != 3 or not layers:
        return None
    target = x[..., layers[0].target]
    steps = target.shape[1]
    if season is None or season > steps:
        return np.repeat(target[:, -1:], horizon, axis=1)
    return target[:, steps - season + np.arange(horizon) % season]


def _longest_run(target: np.ndarray) -> np.ndarray | None:
    """The series behind the longest run of consecutive (stride-1) windows, the rows of
    ``target``; many series' windows break where one series ends."""
    follows = np.all(np.isclose(target[1:, :-1], target[:-1, 1:]), axis=1)
    breaks = [0, *(np.flatnonzero(~follows) + 1).tolist(), len(target)]
    start, stop = max(pairwise(breaks), key=lambda r: r[1] - r[0])
    if stop - start < 2:
        return None
    run = target[start:stop]
    return np.concatenate([run[:, 0], run[-1, 1:]])


def _numpy(x: Any) -> np.ndarray:
    return np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64)


def _arrays(arguments: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return _numpy(arguments["x"]), _numpy(arguments["y"])


def _rows(x: Any) -> int:
    return int(x.shape[0]) if hasattr(x, "shape") else len(x)


def normalization_model(members: int, stack: list[Any], season_length: int | None,
                        base: str | Sequence[str] = "seasonal_naive", linear: bool = False
                        ) -> list[Any]:
    """The forecaster's layers: ``WindowNormalization(stack)``, in an ``Ensemble`` of
    ``members`` copies when ``members > 1``; with several ``base``s the members take them
    in turn (``member_overrides``), so they correct different baselines."""
    bases = [base] if isinstance(base, str) else list(base)
    layer = WindowNormalization(stack, season_length=season_length, base=bases[0],
                                linear=linear)
    if members == 1:
        return [layer]
    overrides = None if len(set(bases)) == 1 else \
        [{"base": bases[index % len(bases)]} for index in range(members)]
    return [Ensemble([layer], members=members, member_overrides=overrides)]
