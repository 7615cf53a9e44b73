"""A seqkit Sequential inside a user-built Lightning Trainer."""

from __future__ import annotations

import numpy as np
import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

import seqkit as sk


def _trainer(**kwargs: object) -> pl.Trainer:
    settings = {"max_epochs": 2, "logger": False, "enable_checkpointing": False,
                "enable_progress_bar": False, "enable_model_summary": False, **kwargs}
    return pl.Trainer(**settings)


def test_unbuilt_model_trains_from_a_plain_dataloader(regression_data) -> None:
    x, y = regression_data
    dataset = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    model = sk.Sequential([sk.LSTM(8), sk.Dense(1)], loss="mse", metrics=["mae"])
    assert not model.built
    trainer = _trainer()
    trainer.fit(model, train_dataloaders=DataLoader(dataset, batch_size=32, shuffle=True),
                val_dataloaders=DataLoader(dataset, batch_size=48))
    assert model.built and model.input_shape == (None, 8, 2)
    logged = trainer.callback_metrics
    assert {"loss", "mae", "val_loss", "val_mae"} <= set(logged)
    # The logged validation loss is the mean over the whole loader.
    model.eval()
    with torch.no_grad():
        expected = torch.mean((model(torch.from_numpy(x))[:, 0] - torch.from_numpy(y)) ** 2)
    assert float(logged["val_loss"]) == pytest.approx(float(expected), rel=1e-5)


def test_test_and_predict_with_user_trainer(regression_data) -> None:
    x, y = regression_data
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=64)
    model = sk.Sequential([sk.GRU(4), sk.Dense(1)], loss="mse", metrics=["mae"])
    trainer = _trainer(max_epochs=1)
    trainer.fit(model, loader)
    results = trainer.test(model, loader, verbose=False)[0]
    assert set(results) == {"test_loss", "test_mae"}
    loss, mae = model.evaluate(x, y)
    assert [results["test_loss"], results["test_mae"]] == pytest.approx([loss, mae], rel=1e-5)
    batches = trainer.predict(model, DataLoader(TensorDataset(torch.from_numpy(x)),
                                                batch_size=64))
    np.testing.assert_allclose(torch.cat(batches).numpy(), model.predict(x), rtol=1e-5)


def test_sequence_datamodule_with_ragged_sequences() -> None:
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(int(n), 3)).astype(np.float32)
                 for n in rng.integers(3, 9, size=40)]
    y = np.array([s.mean() for s in sequences], dtype=np.float32)
    datamodule = sk.data.SequenceDataModule(sequences, y, batch_size=8, validation_split=0.25)
    model = sk.Sequential([sk.LSTM(6), sk.Dense(1)], loss="mse")
    trainer = _trainer()
    trainer.fit(model, datamodule=datamodule)
    assert "val_loss" in trainer.callback_metrics
    first = next(iter(datamodule.train_dataloader()))
    assert first.lengths is not None and first.x.shape[0] == 8


def test_lightning_early_stopping_reads_the_epoch_values(regression_data) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse", lr=1e-9)  # cannot improve
    stop = pl.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=1.0)
    history = model.fit(x, y, epochs=20, verbose=0, seed=0, callbacks=[stop])
    assert len(history.history["loss"]) < 20


def test_fit_accepts_a_dataloader_for_an_unbuilt_model(regression_data) -> None:
    x, y = regression_data
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=32)
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")
    history = model.fit(loader, epochs=2, verbose=0, seed=0)
    assert model.input_shape == (None, 8, 2) and len(history.history["loss"]) == 2


def test_sequence_datamodule_with_text_through_the_models_preprocessing() -> None:
    texts = ["a fine day", "a grim day", "fine work", "grim work"] * 10
    labels = ["up", "down", "up", "down"] * 10
    model = sk.presets.text_classifier(units=4, embed_dim=4, max_tokens=30)
    datamodule = sk.data.SequenceDataModule(texts, labels, batch_size=8,
                                            validation_split=0.25, model=model)
    vectorizer = model.preprocessing[0]
    head = model.layers[-1].deep[-1]  # the WideAndDeep's deep path ends with the head
    assert vectorizer.is_adapted and head.units == 2  # two-class softmax head from labels
    trainer = _trainer(max_epochs=1)
    trainer.fit(model, datamodule=datamodule)
    assert {"loss", "val_loss", "val_accuracy"} <= set(trainer.callback_metrics)
    assert set(model.predict_classes(texts[:4]).tolist()) <= {"up", "down"}


def test_csv_logger_receives_the_epoch_values(tmp_path, regression_data) -> None:
    import csv

    from pytorch_lightning.loggers import CSVLogger

    x, y = regression_data
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=2, verbose=0, seed=0, validation_split=0.25,
                        logger=CSVLogger(tmp_path, name="run"))
    (metrics_file,) = tmp_path.glob("run/version_*/metrics.csv")
    with metrics_file.open() as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("val_loss")]
    assert [float(row["val_loss"]) for row in rows] == pytest.approx(
        history.history["val_loss"], rel=1e-6)


def test_fit_with_a_user_trainer_leaves_its_callbacks_as_they_were(regression_data) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")
    stopper = pl.callbacks.EarlyStopping(monitor="loss", patience=5)
    trainer = _trainer(callbacks=[stopper])
    before = list(trainer.callbacks)
    history = model.fit(x, y, epochs=2, trainer=trainer, verbose=0)
    assert len(history.history["loss"]) == 2
    assert trainer.callbacks == before  # the fit's History is not left behind
