"""Variant ``C``: plain Lightning as its docs teach it (a ``LightningModule``, a
``DataLoader``, ``self.log`` on every step, the default progress bar), and the epoch timer
the seqkit variant shares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.suite.configs import Config
from benchmarks.suite.data import regression_data
from benchmarks.suite.reference import LEARNING_RATE, TwoLSTM
from benchmarks.suite.timing import Stopwatch

__all__ = ["EpochTimer", "plain_lightning"]


class EpochTimer(pl.Callback):
    """Times each training epoch from its start hook to its end hook (registered after
    the framework's own callbacks, so their epoch-end work is included)."""

    def __init__(self, device: str) -> None:
        super().__init__()
        self.stopwatch = Stopwatch(device)

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: Any) -> None:
        self.stopwatch.start()

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: Any) -> None:
        self.stopwatch.stop()


class LitTwoLSTM(pl.LightningModule):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.model = TwoLSTM(config)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        x, y = batch
        loss = nn.functional.mse_loss(self.model(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def predict_step(self, batch: tuple[Tensor], batch_idx: int) -> Tensor:
        return self.model(batch[0])

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=LEARNING_RATE)


def plain_lightning(config: Config, device: str) -> list[float]:
    """Seconds per epoch (or per ``trainer.predict`` pass)."""
    x_np, y_np = regression_data(config)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    module = LitTwoLSTM(config)
    accelerator = "gpu" if device.startswith("cuda") else "cpu"
    pin = device.startswith("cuda")
    common = {"accelerator": accelerator, "devices": 1, "logger": False,
              "enable_checkpointing": False, "enable_model_summary": False}
    if config.task == "predict":
        trainer = pl.Trainer(**common)
        loader = DataLoader(TensorDataset(x), batch_size=config.batch_size, pin_memory=pin)
        stopwatch = Stopwatch(device)
        for _ in range(config.passes):
            stopwatch.start()
            outputs = trainer.predict(module, loader)
            result = torch.cat(outputs).cpu().numpy()  # type: ignore[arg-type]
            stopwatch.stop()
        assert isinstance(result, np.ndarray) and result.shape == (config.n, 1)
        return stopwatch.seconds
    timer = EpochTimer(device)
    trainer = pl.Trainer(max_epochs=config.passes, callbacks=[timer], **common)
    loader = DataLoader(TensorDataset(x, y), batch_size=config.batch_size, shuffle=True,
                        pin_memory=pin)
    trainer.fit(module, loader)
    return timer.stopwatch.seconds
