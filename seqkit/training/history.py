"""``History``: per-epoch losses and metrics, recorded as a Lightning callback."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

from seqkit.training.progress import keras_order

__all__ = ["History"]


class History(pl.Callback):
    """Records every epoch's logged values, like Keras's ``History``.

    ``history.history`` maps each name (``loss``, ``val_loss``, each metric, ``val_``
    metrics, ``lr``) to a list with one value per epoch; ``history.epoch`` lists the epoch
    indices. ``model.fit`` returns it. As in Keras, ``val_`` lists hold the validated
    epochs only (every epoch unless ``fit(validation_freq=...)``).

    Examples:
        >>> history = History()
        >>> history.history
        {}
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.epochs_of: dict[str, list[int]] = {}
        """The epochs each name's values belong to (``val_`` names: the validated ones)."""
        self._validated_epoch = -1

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule
                                ) -> None:
        if not trainer.sanity_checking:
            self._validated_epoch = trainer.current_epoch

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        finish = getattr(pl_module, "finish_train_epoch", None)
        if finish is not None:  # our module logs its epoch values lazily, see Sequential
            finish()
        metrics = trainer.callback_metrics
        if self._validated_epoch != trainer.current_epoch:  # validation_freq skipped it:
            metrics = {k: v for k, v in metrics.items() if not k.startswith("val_")}  # stale
        self.record(trainer.current_epoch, metrics, _learning_rate(trainer))

    def record(self, epoch: int, metrics: dict[str, Any], lr: float | None) -> None:
        """Appends one epoch's values (tensors are read once, here, per epoch)."""
        self.epoch.append(epoch)
        values = {name: float(value) for name, value in keras_order(metrics).items()}
        if lr is not None:
            values["lr"] = lr
        for name, value in values.items():
            self.history.setdefault(name, []).append(value)
            self.epochs_of.setdefault(name, []).append(epoch)

    def state_dict(self) -> dict[str, Any]:
        """Saved in Lightning checkpoints, so a resumed ``fit`` continues the History."""
        return {"history": self.history, "epoch": self.epoch, "epochs_of": self.epochs_of}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.history = {name: list(values) for name, values in state_dict["history"].items()}
        self.epoch = list(state_dict["epoch"])
        self.epochs_of = {name: list(epochs)
                          for name, epochs in state_dict.get("epochs_of", {}).items()}

    def plot(self, keys: list[str] | None = None, ax: Any = None) -> Any:
        """Plots the curves (losses by default) against the epoch with matplotlib.

        The x axis is labelled "epoch", the y axis "loss" when every curve is a loss (or
        the name of the one curve shown, else "value"), with a title naming the curves.

        Args:
            keys: Names in ``history`` to plot; default: every name ending in ``loss``.
            ax: Matplotlib axes to draw on; default: a new figure's.

        Returns:
            The axes.

        Raises:
            ImportError: matplotlib is not installed (``pip install seqkit[plot]``).

        Examples:
            >>> import matplotlib
            >>> matplotlib.use("Agg")
            >>> history = History()
            >>> history.record(0, {"loss": 1.0, "val_loss": 1.2}, lr=None)
            >>> history.record(1, {"loss": 0.5, "val_loss": 0.7}, lr=None)
            >>> ax = history.plot()
            >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_title()
            ('epoch', 'loss', 'loss and val_loss per epoch')
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as error:
            raise ImportError(
                "History.plot needs matplotlib, which is not installed; "
                "install it with: pip install 'seqkit[plot]'"
            ) from error
        if ax is None:
            _, ax = plt.subplots()
        keys = keys or [k for k in self.history if k.endswith("loss")]
        for key in keys:
            values = self.history[key]
            epochs = self.epochs_of.get(key, [])
            if len(epochs) != len(values):  # values added outside record(): the last epochs
                epochs = self.epoch[-len(values):]
            ax.plot(epochs, values, label=key, marker="o" if len(values) < len(self.epoch)
                    else None)
        ax.set_xlabel("epoch")
        if len(keys) == 1:
            ax.set_ylabel(keys[0])
        else:
            ax.set_ylabel("loss" if all(k.endswith("loss") for k in keys) else "value")
        if keys:
            names = ", ".join(keys[:-1]) + (" and " if len(keys) > 1 else "") + keys[-1]
            ax.set_title(f"{names} per epoch")
            ax.legend()
        return ax


def _learning_rate(trainer: pl.Trainer) -> float | None:
    if not trainer.optimizers:
        return None
    return float(trainer.optimizers[0].param_groups[0]["lr"])
