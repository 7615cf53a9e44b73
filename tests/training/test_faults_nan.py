"""A non-finite training loss stops fit at that step with a warning naming it, the weights of
the last finite step back in the model (real Lightning Trainer each time)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

import seqkit as sk
from seqkit.errors import NonFiniteLossError
from seqkit.training.faults import NonFiniteLossWarning


class StepRecorder(pl.Callback):
    """The weights each step starts from, and the steps whose loss was finite (run after
    seqkit's guard, so the non-finite step is not recorded as finite)."""

    def __init__(self) -> None:
        self.starts: dict[tuple[int, int], dict[str, torch.Tensor]] = {}
        self.finite: list[tuple[int, int]] = []
        self._at = (0, 0)

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: Any, batch: Any,
                             batch_idx: int) -> None:
        self._at = (trainer.current_epoch, batch_idx)
        self.starts[self._at] = {k: v.detach().clone()
                                 for k, v in pl_module.state_dict().items()}

    def on_before_backward(self, trainer: pl.Trainer, pl_module: Any, loss: Any) -> None:
        self.finite.append(self._at)


class Poisoned(Dataset):
    """Rows of ones; targets inf at ``row`` once ``poison`` is set (or from the start)."""

    def __init__(self, rows: int = 32, row: int = 20, poisoned: bool = True) -> None:
        self.rows, self.row, self.poisoned = rows, row, poisoned

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.linspace(0, 1, 12).reshape(4, 3) * (index + 1) / self.rows
        bad = self.poisoned and index == self.row
        return x, torch.tensor([float("inf") if bad else 1.0])


def model() -> sk.Sequential:
    return sk.Sequential([sk.Input((4, 3)), sk.GRU(4), sk.Dense(1)], loss="mse")


def nan_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if w.category is NonFiniteLossWarning]


def fit(net: sk.Sequential, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(*args, verbose=0, **kwargs)
    return history, nan_warnings(caught)


def test_inf_target_in_a_user_loader_stops_at_its_step_with_last_finite_weights() -> None:
    torch.manual_seed(0)
    net, recorder = model(), StepRecorder()
    loader = DataLoader(Poisoned(row=20), batch_size=8)  # batch index 2 holds row 20
    history, messages = fit(net, loader, epochs=3, callbacks=[recorder])
    assert len(messages) == 1
    message = messages[0]
    assert "the training loss is inf at epoch 1/3, step 3 of the epoch" in message
    assert "epoch 1, step 2" in message  # the last finite step
    for cause in ("learning rate", "scale", "NaN/inf values in the data", "stop_on_nan=False"):
        assert cause in message
    assert recorder.finite == [(0, 0), (0, 1)]
    kept = recorder.starts[(0, 1)]
    assert all(torch.equal(net.state_dict()[k], v) for k, v in kept.items())
    assert not torch.equal(kept["blocks.gru.rnn.weight_hh_l0"],
                           recorder.starts[(0, 0)]["blocks.gru.rnn.weight_hh_l0"])
    assert history.epoch == [] and net.history is history
    assert not net.training
    assert np.isfinite(net.predict(np.ones((2, 4, 3), "float32"), verbose=0)).all()


def test_a_learning_rate_far_too_high_stops_with_finite_predictions() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4, 3)).astype("float32")
    y = (rng.normal(size=64) * 1000).astype("float32")
    net = sk.Sequential([sk.Input((4, 3)), sk.LSTM(8), sk.Dense(1)])
    net.compile(optimizer="sgd", loss="mse", lr=1e6)
    recorder = StepRecorder()
    history, messages = fit(net, x, y, epochs=20, batch_size=8, seed=0, callbacks=[recorder])
    assert len(messages) == 1 and "the training loss is" in messages[0]
    stop_epoch = int(re.search(r"at epoch (\d+)/20", messages[0]).group(1)) - 1
    assert history.epoch == list(range(stop_epoch))
    assert all(np.isfinite(v) for v in history.history.get("loss", []))
    assert len(recorder.finite) >= 2  # some updates happened before the loss blew up
    last = recorder.finite[-1]
    assert all(torch.equal(net.state_dict()[k], v) for k, v in recorder.starts[last].items())
    assert all(torch.isfinite(p).all() for p in net.parameters())


def test_a_nan_at_the_first_step_keeps_the_starting_weights() -> None:
    torch.manual_seed(0)
    net = model()
    net.build((None, 4, 3))
    start = {k: v.clone() for k, v in net.state_dict().items()}
    _, messages = fit(net, DataLoader(Poisoned(row=0), batch_size=8), epochs=2)
    assert "no update was made yet: the model keeps its starting weights" in messages[0]
    assert all(torch.equal(net.state_dict()[k], v) for k, v in start.items())


def test_stop_on_nan_false_trains_on_as_keras_does() -> None:
    torch.manual_seed(0)
    net = model()
    history, messages = fit(net, DataLoader(Poisoned(row=20), batch_size=8), epochs=2,
                            stop_on_nan=False)
    assert messages == [] and history.epoch == [0, 1]
    assert all(np.isnan(v) or np.isinf(v) for v in history.history["loss"])
    with pytest.raises(sk.errors.InputTypeError, match="stop_on_nan"):
        net.fit(DataLoader(Poisoned(), batch_size=8), stop_on_nan="no", verbose=0)


def test_terminate_on_nan_stops_with_stop_on_nan_false_and_in_a_raw_trainer() -> None:
    torch.manual_seed(0)
    net = model()
    history, messages = fit(net, DataLoader(Poisoned(row=20), batch_size=8), epochs=2,
                            stop_on_nan=False, callbacks=[sk.callbacks.TerminateOnNaN()])
    assert len(messages) == 1 and history.epoch == []
    trainer = pl.Trainer(max_epochs=2, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False,
                         callbacks=[sk.callbacks.TerminateOnNaN()])
    net.train()  # fit left it in eval mode
    with pytest.raises(NonFiniteLossError, match="step 3 of the epoch") as info:
        trainer.fit(net, DataLoader(Poisoned(row=20), batch_size=8))
    assert (info.value.epoch, info.value.step) == (0, 2)
    assert isinstance(info.value, FloatingPointError)


def test_a_users_trainer_is_guarded_and_left_without_the_guard() -> None:
    torch.manual_seed(0)
    net = model()
    trainer = pl.Trainer(max_epochs=2, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    before = list(trainer.callbacks)
    _, messages = fit(net, DataLoader(Poisoned(row=20), batch_size=8), trainer=trainer)
    assert len(messages) == 1
    assert trainer.callbacks == before


def test_truncated_bptt_steps_are_guarded_too() -> None:
    torch.manual_seed(0)
    net = model()
    recorder = StepRecorder()
    _, messages = fit(net, DataLoader(Poisoned(row=20), batch_size=8), epochs=2,
                      tbptt_steps=2, callbacks=[recorder])
    assert len(messages) == 1 and "step 3 of the epoch" in messages[0]
    assert all(torch.isfinite(p).all() for p in net.parameters())


class PoisonLater(pl.Callback):
    def __init__(self, data: Poisoned) -> None:
        self.data = data

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: Any) -> None:
        self.data.poisoned = True


def test_model_checkpoint_never_saves_a_nan_best(tmp_path: Path) -> None:
    torch.manual_seed(0)
    data = Poisoned(row=20, poisoned=False)
    checkpoint = sk.callbacks.ModelCheckpoint(tmp_path / "best.ckpt", monitor="loss")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model().fit(DataLoader(data, batch_size=8), epochs=3, verbose=0,
                              stop_on_nan=False, callbacks=[PoisonLater(data), checkpoint])
    assert np.isfinite(history.history["loss"][0])
    assert not np.isfinite(history.history["loss"][1:]).any()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.ckpt"]
    assert checkpoint.best_model_path.endswith("best.ckpt")
    assert torch.isfinite(checkpoint.best_model_score)
    assert any("no checkpoint is saved" in str(w.message) for w in caught)
    first = DataLoader(Poisoned(row=0), batch_size=8)  # NaN from the first epoch on
    none = sk.callbacks.ModelCheckpoint(tmp_path / "none" / "best.ckpt", monitor="loss")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model().fit(first, epochs=2, verbose=0, stop_on_nan=False, callbacks=[none])
    assert not (tmp_path / "none").exists() or not any((tmp_path / "none").iterdir())


def test_finite_training_is_unchanged_by_the_guard() -> None:
    x = np.linspace(0, 1, 96, dtype="float32").reshape(8, 4, 3)
    y = x[:, -1, 0]
    runs = []
    for stop in (True, False):
        torch.manual_seed(1)
        net = sk.Sequential([sk.Input((4, 3)), sk.GRU(3), sk.Dense(1)], loss="mse")
        history, messages = fit(net, x, y, epochs=2, batch_size=4, seed=1, stop_on_nan=stop)
        assert messages == []
        runs.append((history.history["loss"], [p.detach().clone() for p in net.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))


def test_an_unrelated_system_exit_passes_through() -> None:
    class Exit(pl.Callback):
        def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: Any) -> None:
            raise SystemExit(3)

    x = np.ones((8, 4, 3), "float32")
    with pytest.raises(SystemExit) as info:
        model().fit(x, np.ones(8, "float32"), epochs=2, verbose=0, callbacks=[Exit()])
    assert info.value.code == 3


def test_tensordataset_with_nan_inputs_names_the_data() -> None:
    x = torch.ones(16, 4, 3)
    x[5, 2, 1] = float("nan")
    _, messages = fit(model(), DataLoader(TensorDataset(x, torch.ones(16, 1)), batch_size=4),
                      epochs=1)
    assert "the training loss is nan at epoch 1/1, step 2 of the epoch" in messages[0]
