"""Raw PyTorch variants: ``A`` (index slices), ``B`` (``DataLoader``), ``P`` (packed text).

The ``A`` loops are what a careful hand-written loop does: data resident on the device,
one ``randperm`` per epoch, one index-gather per batch, no host synchronisation per step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.suite.configs import Config
from benchmarks.suite.data import regression_data, text_data
from benchmarks.suite.reference import (
    CNNLSTM,
    LEARNING_RATE,
    AttentionClassifier,
    TextBiLSTM,
    TwoLSTM,
)
from benchmarks.suite.timing import Stopwatch

__all__ = ["dataloader", "index_loop", "packed"]


def index_loop(config: Config, device: str) -> list[float]:
    """Variant ``A``: seconds per epoch (or per predict pass)."""
    if config.task in ("text", "attention"):
        return _text_loop(config, device, packed=False)
    x_np, y_np = regression_data(config)
    x, y = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).to(device)
    model = (CNNLSTM(config) if config.task == "cnn_lstm" else TwoLSTM(config)).to(device)
    if config.task == "predict":
        def batches() -> list[Tensor]:
            return [x[start:start + config.batch_size]
                    for start in range(0, config.n, config.batch_size)]
        return _predict_passes(model, batches, config, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    stopwatch = Stopwatch(device)
    model.train()
    for _ in range(config.passes):
        stopwatch.start()
        order = torch.randperm(config.n, device=device)
        for start in range(0, config.n, config.batch_size):
            index = order[start:start + config.batch_size]
            _train_step(model, optimizer, x[index], y[index])
        stopwatch.stop()
    return stopwatch.seconds


def dataloader(config: Config, device: str) -> list[float]:
    """Variant ``B``: a ``DataLoader(TensorDataset)`` on the host, batches copied over."""
    x_np, y_np = regression_data(config)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    model = TwoLSTM(config).to(device)
    pin = device.startswith("cuda")
    if config.task == "predict":
        loader = DataLoader(TensorDataset(x), batch_size=config.batch_size, pin_memory=pin)

        def batches() -> list[Tensor]:
            return [batch.to(device, non_blocking=True) for (batch,) in loader]
        return _predict_passes(model, batches, config, device)
    loader = DataLoader(TensorDataset(x, y), batch_size=config.batch_size, shuffle=True,
                        pin_memory=pin)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    stopwatch = Stopwatch(device)
    model.train()
    for _ in range(config.passes):
        stopwatch.start()
        for x_batch, y_batch in loader:
            _train_step(model, optimizer, x_batch.to(device, non_blocking=True),
                        y_batch.to(device, non_blocking=True))
        stopwatch.stop()
    return stopwatch.seconds


def packed(config: Config, device: str) -> list[float]:
    """Variant ``P``: the text loop with ``pack_padded_sequence`` (exact, the naive way)."""
    return _text_loop(config, device, packed=True)


def _train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: Tensor, y: Tensor
                ) -> None:
    optimizer.zero_grad(set_to_none=True)
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()


def _predict_passes(model: nn.Module, batches: Callable[[], list[Tensor]], config: Config,
                    device: str) -> list[float]:
    """Times ``config.passes`` passes of predicting every row into one host array."""
    stopwatch = Stopwatch(device)
    model.eval()
    outputs: np.ndarray | None = None
    for _ in range(config.passes):
        stopwatch.start()
        with torch.inference_mode():
            outputs = torch.cat([model(batch) for batch in batches()]).cpu().numpy()
        stopwatch.stop()
    assert outputs is not None and outputs.shape == (config.n, 1)
    return stopwatch.seconds


def _text_loop(config: Config, device: str, packed: bool) -> list[float]:
    ids_np, lengths_np, labels_np = text_data(config)
    ids, labels = torch.from_numpy(ids_np).to(device), torch.from_numpy(labels_np).to(device)
    lengths = torch.from_numpy(lengths_np)  # on the host: each batch is cut to its longest
    model: nn.Module = (AttentionClassifier(config) if config.task == "attention"
                        else TextBiLSTM(config, packed=packed)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    stopwatch = Stopwatch(device)
    model.train()
    for _ in range(config.passes):
        stopwatch.start()
        order = torch.randperm(config.n)
        for start in range(0, config.n, config.batch_size):
            index = order[start:start + config.batch_size]
            batch_lengths = lengths[index]
            longest = int(batch_lengths.max())
            device_index = index.to(device, non_blocking=True)
            logits = model(ids[device_index, :longest], batch_lengths.to(device))
            loss = nn.functional.cross_entropy(logits, labels[device_index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        stopwatch.stop()
    return stopwatch.seconds
