"""Lightning warnings that do not apply to a seqkit model stay out of seqkit's fits."""

from __future__ import annotations

import re

import numpy as np
import pytest
import pytorch_lightning as pl
from pytorch_lightning.trainer.connectors import data_connector

import seqkit as sk
from seqkit.training.trainer import quiet_lightning

_HOOK_WARNING = re.escape("overridden `transfer_batch_to_device` in `LightningModule`")


def _datamodule_fit() -> None:
    """One tiny fit of a seqkit model on a SequenceDataModule."""
    data_connector.warning_cache.clear()  # Lightning warns once per process otherwise
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4, 2)).astype(np.float32)
    datamodule = sk.data.SequenceDataModule(x, x[:, -1, 0], batch_size=8)
    model = sk.Sequential([sk.LSTM(2), sk.Dense(1)], loss="mse")
    trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=datamodule)


def test_datamodule_fit_under_seqkit_has_no_transfer_hook_warning(recwarn) -> None:
    # Lightning does warn on a bare datamodule fit (this test would prove nothing otherwise).
    with pytest.warns(UserWarning, match=_HOOK_WARNING):
        _datamodule_fit()
    recwarn.clear()
    with quiet_lightning(0):  # as model.fit drives Lightning
        _datamodule_fit()
    assert not [str(w.message) for w in recwarn if re.search(_HOOK_WARNING, str(w.message))]
