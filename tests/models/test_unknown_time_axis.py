"""A time axis the data does not fix is ``None`` in the built shape and the summary."""

from __future__ import annotations

import io

import numpy as np
import pytorch_lightning as pl
import torch
from rich.console import Console
from torch.utils.data import DataLoader, TensorDataset

import seqkit as sk
from seqkit.models.summary import summary_table


def shapes_shown(model: sk.Sequential) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(summary_table(model))
    return console.export_text()


def ragged(rng: np.random.Generator, count: int = 12) -> list[np.ndarray]:
    return [rng.normal(size=(int(n), 3)).astype(np.float32)
            for n in rng.integers(2, 9, size=count)]


def test_text_classifier_summary_shows_an_unknown_time_axis() -> None:
    model = sk.presets.text_classifier(wide_ngrams=None)  # the deep path's layers, shown
    model.fit(["a b c d e f", "x y"], [0, 1], epochs=1, verbose=0)
    assert model.input_shape == (None, None)
    text = shapes_shown(model)
    assert "(None, None, 64)" in text and "(None, 6," not in text  # 6 steps not fixed


def test_output_sequence_length_fixes_the_time_axis() -> None:
    model = sk.Sequential([sk.TextVectorizer(output_sequence_length=5),
                           sk.Embedding(20, 4, mask_zero=True), sk.GRU(3), sk.Dense(1)],
                          loss="bce")
    model.fit(["a b c", "x y z w"], [0, 1], epochs=1, verbose=0)
    assert model.input_shape == (None, 5)


def test_ragged_sequences_leave_time_unknown_and_fixed_arrays_keep_it() -> None:
    rng = np.random.default_rng(0)
    model = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.Dense(1)])
    model.predict(ragged(rng))
    assert model.input_shape == (None, None, 3)
    assert model.output_shape == (None, None, 1)

    fixed = sk.Sequential([sk.LSTM(4), sk.Dense(1)])  # Keras shows a numpy array's length
    fixed.predict(np.zeros((5, 7, 3), dtype=np.float32))
    assert fixed.input_shape == (None, 7, 3)


def test_explicit_build_keeps_its_length() -> None:
    model = sk.Sequential([sk.LSTM(4, return_sequences=True)])
    model.build((None, 12, 3))
    model.predict(ragged(np.random.default_rng(2)))
    assert "(None, 12, 4)" in shapes_shown(model)


def _trainer() -> pl.Trainer:
    return pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False)


def test_a_users_loader_with_lengths_builds_an_unknown_time_axis() -> None:
    x = torch.randn(8, 6, 3)
    y = torch.randn(8)
    lengths = torch.tensor([6, 2, 5, 3, 6, 1, 4, 6])
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")
    _trainer().fit(model, DataLoader(TensorDataset(x, y, lengths), batch_size=4))
    assert model.input_shape == (None, None, 3)

    plain = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")
    _trainer().fit(plain, DataLoader(TensorDataset(x, y), batch_size=4))
    assert plain.input_shape == (None, 6, 3)


def test_a_time_major_loader_with_lengths() -> None:
    x = torch.randn(8, 6, 3)  # (batch, time, features), served time-major below
    dataset = [(x[i], torch.randn(()), torch.tensor(n)) for i, n in enumerate([6, 2, 5, 3])]

    def time_major(rows: list) -> tuple:  # type: ignore[type-arg]
        xs, ys, ns = zip(*rows, strict=True)
        return torch.stack(xs, dim=1), torch.stack(ys), torch.stack(ns)

    model = sk.Sequential([sk.GRU(2, return_sequences=True), sk.GlobalAveragePooling1D(),
                           sk.Dense(1)], batch_first=False, loss="mse")
    _trainer().fit(model, DataLoader(dataset, batch_size=2, collate_fn=time_major))
    assert model.input_shape == (None, None, 3)
    assert "(None, None, 2)" in shapes_shown(model)


def test_saved_model_keeps_the_unknown_axis(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)])
    model.predict(ragged(np.random.default_rng(3)))
    loaded = sk.load_model(model.save(tmp_path / "m.seqkit"))
    assert loaded.input_shape == (None, None, 3)
