"""``model.fit(datamodule)``: a ``LightningDataModule`` in place of arrays."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import InputError


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 6, 2), dtype=np.float32)
    return x, x[:, -1, :1] * 2.0


def _model() -> sk.Sequential:
    return sk.Sequential([sk.LSTM(4), sk.Dense(1)], optimizer="adam", lr=1e-2, loss="mse")


def test_fit_on_a_datamodule_equals_fit_on_the_arrays() -> None:
    x, y = _data()
    on_arrays = _model()
    expected = on_arrays.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, seed=0,
                             verbose=0)
    on_datamodule = _model()  # unbuilt: built from the datamodule's first batch
    datamodule = sk.data.SequenceDataModule(x, y, batch_size=8, validation_split=0.25, seed=0)
    history = on_datamodule.fit(datamodule, epochs=2, seed=0, verbose=0)
    assert history.history["val_loss"] == pytest.approx(expected.history["val_loss"])
    assert on_datamodule.monitor_default == "val_loss"
    for a, b in zip(on_arrays.parameters(), on_datamodule.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_a_datamodule_brings_its_own_targets_and_validation() -> None:
    x, y = _data()
    datamodule = sk.data.SequenceDataModule(x, y, batch_size=8)
    with pytest.raises(InputError, match="no y, validation_split with a LightningDataModule"):
        _model().fit(datamodule, y, validation_split=0.2, verbose=0)


def test_a_text_preset_fits_a_datamodule_made_through_it() -> None:
    texts = ["good film", "bad film", "great acting", "awful plot"] * 4
    labels = ["pos", "neg", "pos", "neg"] * 4
    model = sk.presets.text_classifier(units=4, embed_dim=4, max_tokens=30)
    datamodule = sk.data.SequenceDataModule(texts, labels, batch_size=4, model=model)
    history = model.fit(datamodule, epochs=1, verbose=0)
    assert model.monitor_default == "loss" and len(history.history["loss"]) == 1
    assert set(model.predict_classes(["good plot", "awful film"])) <= {"pos", "neg"}


@pytest.mark.parametrize("members", [1, 3])
def test_a_bucketed_datamodule_trains_as_fit_with_bucket_by_length(members: int) -> None:
    """Also for an Ensemble, whose members each get their own order in both."""
    rng = np.random.default_rng(1)
    lengths = rng.integers(1, 20, size=40)
    ids = np.zeros((40, 20), dtype=np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(1, 30, size=length)
    labels = (lengths > 10).astype(np.int64)

    def model() -> sk.Sequential:
        torch.manual_seed(0)
        stack = [sk.Embedding(30, 4, mask_zero=True), sk.GRU(3), sk.Dense(2)]
        if members > 1:
            stack = [sk.Ensemble(stack, members=members, combine="softmax")]
        return sk.Sequential(stack, optimizer="adam", lr=1e-2, loss="cross_entropy")

    on_arrays = model()
    expected = on_arrays.fit(ids, labels, batch_size=8, epochs=2, validation_split=0.25,
                             seed=0, verbose=0, bucket_by_length=True)
    through = model()
    datamodule = sk.data.SequenceDataModule(ids, labels, batch_size=8, validation_split=0.25,
                                            seed=0, model=through, bucket_by_length=True)
    assert datamodule.trim_to_longest  # the model's output has no time axis
    assert datamodule.train_dataloader().orders == members
    history = through.fit(datamodule, epochs=2, seed=0, verbose=0)
    assert history.history["loss"] == pytest.approx(expected.history["loss"])
    assert history.history["val_loss"] == pytest.approx(expected.history["val_loss"])
    for a, b in zip(on_arrays.parameters(), through.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    with pytest.raises(sk.errors.ConfigError, match=r"bucket_by_length.*no lengths"):
        sk.data.SequenceDataModule(ids.astype(np.float32)[:, :, None], labels,
                                   bucket_by_length=True)
