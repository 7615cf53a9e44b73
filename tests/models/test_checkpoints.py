"""Lightning checkpoints: rebuild from the checkpoint alone; resume equals an unbroken run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

import seqkit as sk
from seqkit.errors import ModelFileError


class _StopAfter(pl.Callback):
    """Interrupts training at the end of an epoch, as a crash or a time limit would."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.current_epoch + 1 >= self.epochs:
            trainer.should_stop = True


def _model() -> sk.Sequential:
    return sk.Sequential([sk.LSTM(8), sk.Dropout(0.1), sk.Dense(1)], loss="mse",
                         metrics=["mae"], lr=1e-2, scheduler="exponential")


def test_resume_matches_an_uninterrupted_run(tmp_path: Path, regression_data) -> None:
    x, y = regression_data
    full = _model()
    full_history = full.fit(x, y, epochs=4, batch_size=32, verbose=0, seed=0,
                            validation_split=0.25)

    broken = _model()
    saver = pl.callbacks.ModelCheckpoint(dirpath=tmp_path, save_last=True)
    broken.fit(x, y, epochs=4, batch_size=32, verbose=0, seed=0, validation_split=0.25,
               callbacks=[saver, _StopAfter(2)])
    last = tmp_path / "last.ckpt"
    assert last.exists()

    resumed = _model()
    history = resumed.fit(x, y, epochs=4, batch_size=32, verbose=0, seed=0,
                          validation_split=0.25, ckpt_path=str(last))
    for name, value in full.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[name], value, rtol=0, atol=0)
    assert history.epoch == [0, 1, 2, 3]
    assert history.history["loss"] == pytest.approx(full_history.history["loss"], rel=1e-6)
    assert history.history["lr"] == pytest.approx(full_history.history["lr"])


def test_load_from_checkpoint_rebuilds_from_the_checkpoint_alone(tmp_path: Path,
                                                                 regression_data) -> None:
    x, y = regression_data
    model = _model()
    saver = pl.callbacks.ModelCheckpoint(dirpath=tmp_path, filename="best")
    model.fit(x, y, epochs=1, verbose=0, seed=0, callbacks=[saver])
    restored = sk.Sequential.load_from_checkpoint(tmp_path / "best.ckpt")
    assert restored.get_config() == model.get_config()
    assert restored.compile_settings == model.compile_settings
    np.testing.assert_array_equal(restored.predict(x), model.predict(x))


def test_foreign_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.ckpt"
    torch.save({"state_dict": {}}, path)
    with pytest.raises(ModelFileError, match="without seqkit's architecture"):
        sk.Sequential.load_from_checkpoint(path)


def _fill_with_point_one(tensor: torch.Tensor) -> None:
    torch.nn.init.constant_(tensor, 0.1)


def test_a_model_with_a_callable_initialiser_writes_readable_checkpoints(tmp_path) -> None:
    model = sk.Sequential([sk.Dense(2, kernel_initializer=_fill_with_point_one)])
    model.build((None, 3))
    checkpoint: dict = {"state_dict": model.state_dict()}
    model.on_save_checkpoint(checkpoint)
    path = tmp_path / "model.ckpt"
    torch.save(checkpoint, path)
    torch.load(path, weights_only=True)  # resuming reads it: no pickled function inside
    with pytest.raises(ModelFileError, match="callable"):
        sk.Sequential.load_from_checkpoint(path)
