"""History contents and plotting; names -> losses, optimizers, schedulers, metrics."""

from __future__ import annotations

import sys

import matplotlib
import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputTypeError
from seqkit.training import History
from seqkit.training.losses import get_loss
from seqkit.training.optimizers import make_optimizer, make_scheduler

matplotlib.use("Agg")


def _history() -> History:
    history = History()
    history.record(0, {"val_loss": torch.tensor(2.0), "loss": torch.tensor(3.0)}, 0.1)
    history.record(1, {"val_loss": torch.tensor(1.0), "loss": torch.tensor(1.5)}, 0.05)
    return history


def test_history_records_keras_order_and_lr() -> None:
    history = _history()
    assert history.history == {"loss": [3.0, 1.5], "val_loss": [2.0, 1.0], "lr": [0.1, 0.05]}
    assert history.epoch == [0, 1]


def test_history_plot_draws_the_loss_curves() -> None:
    ax = _history().plot()
    assert sorted(line.get_label() for line in ax.get_lines()) == ["loss", "val_loss"]
    assert list(ax.get_lines()[0].get_ydata()) == [3.0, 1.5]


def test_history_plot_puts_validation_values_at_the_validated_epochs() -> None:
    x = np.random.default_rng(0).random((16, 3, 2), dtype=np.float32)
    model = sk.Sequential([sk.GRU(3), sk.Dense(1)], loss="mse")
    history = model.fit(x, x[:, -1, :1], epochs=4, validation_split=0.25, validation_freq=2,
                        verbose=0, seed=0)
    lines = {line.get_label(): line for line in history.plot().get_lines()}
    assert list(lines["loss"].get_xdata()) == [0, 1, 2, 3]
    assert list(lines["val_loss"].get_xdata()) == [1, 3]  # not the last two epochs, [2, 3]
    assert list(lines["val_loss"].get_ydata()) == history.history["val_loss"]


def test_history_plot_without_matplotlib_says_how_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'seqkit\[plot\]'"):
        _history().plot()


def test_loss_module_and_callable() -> None:
    spec = get_loss(torch.nn.SmoothL1Loss())
    assert spec.function(torch.zeros(3), torch.ones(3)).shape == (3,)  # reduction none
    assert get_loss(torch.nn.CrossEntropyLoss()).task == "multiclass"
    custom = get_loss(lambda p, t: (p - t).abs().mean())
    assert custom.task == "regression"
    with pytest.raises(InputTypeError):
        get_loss(3)  # type: ignore[arg-type]


def test_optimizer_by_name_class_and_factory() -> None:
    params = [torch.nn.Parameter(torch.zeros(2))]
    assert isinstance(make_optimizer("rmsprop", params, None, 0.0), torch.optim.RMSprop)
    sgd = make_optimizer(torch.optim.SGD, params, 0.5, 0.1)
    assert sgd.defaults["lr"] == 0.5 and sgd.defaults["weight_decay"] == 0.1
    custom = make_optimizer(lambda p: torch.optim.Adam(p, lr=0.2), params, None, 0.0)
    assert custom.defaults["lr"] == 0.2
    with pytest.raises(InputTypeError, match=r"pass optimizer=torch\.optim\.Adam"):
        make_optimizer(torch.optim.Adam(params), params, None, 0.0)


def test_schedulers() -> None:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    cosine = make_scheduler("cosine", optimizer, max_epochs=10, monitor="loss")
    assert isinstance(cosine["scheduler"], torch.optim.lr_scheduler.CosineAnnealingLR)
    plateau = make_scheduler("plateau", optimizer, max_epochs=10, monitor="val_loss")
    assert plateau["monitor"] == "val_loss"
    factory = make_scheduler(lambda o: torch.optim.lr_scheduler.StepLR(o, 2), optimizer,
                             max_epochs=3, monitor="loss")
    assert factory["interval"] == "epoch"
    with pytest.raises(ConfigError, match="did you mean 'cosine'"):
        make_scheduler("cosin", optimizer, max_epochs=1, monitor="loss")


def test_compile_validates_lr_and_weight_decay() -> None:
    model = sk.Sequential([sk.Dense(1)])
    with pytest.raises(ConfigError, match="lr=0"):
        model.compile(lr=0)
    with pytest.raises(ConfigError, match="weight_decay=-1"):
        model.compile(weight_decay=-1)


def test_mape_metric_is_in_percent_like_the_evaluation_helper() -> None:
    actual = np.array([[100.0], [50.0], [80.0]], dtype=np.float32)
    forecast = np.array([[110.0], [45.0], [80.0]], dtype=np.float32)
    model = sk.Sequential([sk.Dense(1)], loss="mse", metrics=["mape"])
    model.build((None, 1))
    with torch.no_grad():
        model.layers[0].linear.weight.fill_(1.0)  # identity: predictions = inputs
        model.layers[0].linear.bias.zero_()
    result = model.evaluate(forecast, actual, return_dict=True)
    assert result["mape"] == pytest.approx(sk.evaluation.mape(actual, forecast), rel=1e-5)
    assert result["mape"] == pytest.approx(100 * (0.1 + 0.1 + 0.0) / 3, rel=1e-5)
