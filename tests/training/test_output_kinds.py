"""Losses and metrics follow the model's output kind (logits or probabilities), decided once
from its last layer and never from a batch's values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError
from seqkit.training.losses import get_loss, outputs_probabilities
from seqkit.training.metrics import (
    HIGHER_IS_BETTER,
    PercentMAPE,
    make_metric,
    predicted_classes,
    update_metrics,
)


def _identity(units: int, activation: str | None, loss: str, metrics: list[str]
              ) -> sk.Sequential:
    """A model whose outputs are ``activation(x)``: the inputs are its pre-activations."""
    model = sk.Sequential([sk.Dense(units, activation=activation)], loss=loss, metrics=metrics)
    model.build((None, units))
    with torch.no_grad():
        model.layers[0].linear.weight.copy_(torch.eye(units))
        model.layers[0].linear.bias.zero_()
    return model


def _evaluate(model: sk.Sequential, x: np.ndarray, y: np.ndarray, **kwargs: object
              ) -> dict[str, float]:
    return model.evaluate(x, y, verbose=0, return_dict=True, **kwargs)


LOGITS = np.array([[0.3], [0.3], [0.3], [2.0]], np.float32)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 4])
def test_binary_accuracy_on_logits_does_not_depend_on_the_batch(batch_size: int) -> None:
    # torchmetrics alone: 1.0 with one batch of 4, 0.5 with batches of 2 (the batches
    # [0.3, 0.3] look like probabilities and are thresholded at 0.5).
    model = _identity(1, None, "binary_cross_entropy", ["accuracy"])
    result = _evaluate(model, LOGITS, np.ones(4, np.float32), batch_size=batch_size)
    assert result["accuracy"] == 1.0


@pytest.mark.parametrize("batch_size", [2, 4])
def test_auroc_on_logits_does_not_depend_on_the_batch(batch_size: int) -> None:
    # Batches whose logits all lie in [0, 1] were ranked unsquashed next to sigmoids.
    logits = np.array([[0.9], [0.8], [1.2], [0.6]], np.float32)
    y = np.array([1.0, 1.0, 0.0, 0.0], np.float32)
    model = _identity(1, None, "binary_cross_entropy", ["auroc"])
    assert _evaluate(model, logits, y, batch_size=batch_size)["auroc"] == pytest.approx(0.5)


def test_sigmoid_head_thresholds_probabilities_at_one_half() -> None:
    # Outputs sigmoid(x): 0.57, 0.57, 0.57, 0.88 -> all class 1; x = -0.3 -> 0.43 -> 0.
    x = np.array([[0.3], [0.3], [-0.3], [2.0]], np.float32)
    model = _identity(1, "sigmoid", "binary_crossentropy", ["accuracy", "precision"])
    result = _evaluate(model, x, np.ones(4, np.float32), batch_size=2)
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["precision"] == pytest.approx(1.0)
    expected = -np.log(1 / (1 + np.exp(-x[:, 0]))).mean()
    assert result["loss"] == pytest.approx(float(expected), rel=1e-5)


def test_metric_decisions_agree_with_predicted_classes_at_the_boundary() -> None:
    # A tiny positive logit rounds to sigmoid = 0.5 exactly in float32, yet it is class 1.
    _, accuracy = make_metric("accuracy", "binary", num_classes=1)
    logits = torch.tensor([[1e-9], [-1e-9]])
    update_metrics([accuracy], logits, torch.tensor([[1.0], [0.0]]),
                   get_loss("binary_cross_entropy"))
    assert float(accuracy.compute()) == 1.0
    assert predicted_classes(logits, probabilities=False).tolist() == [1, 0]


def test_outputs_probabilities_reads_the_last_layer() -> None:
    assert outputs_probabilities(sk.Dense(1, activation="sigmoid"))
    assert outputs_probabilities(sk.Activation("softmax"))
    assert not outputs_probabilities(sk.Dense(3))
    assert not outputs_probabilities(sk.Activation("log_softmax"))
    assert not outputs_probabilities(sk.GRU(4))
    members = [sk.GRU(4), sk.Dense(1, activation="sigmoid")]
    assert outputs_probabilities(sk.Ensemble(members, members=2, combine="mean"))
    assert not outputs_probabilities(sk.Ensemble([sk.GRU(4), sk.Dense(1)], members=2,
                                                 combine="sigmoid"))


def test_softmax_layer_after_dense_reads_probabilities() -> None:
    model = sk.Sequential([sk.Dense(3), sk.Activation("softmax")],
                          loss="sparse_categorical_crossentropy")
    model.build((None, 3))
    with torch.no_grad():
        model.layers[0].linear.weight.copy_(torch.eye(3))
        model.layers[0].linear.bias.zero_()
    x = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]], np.float32)
    y = np.array([0, 2])
    expected = torch.nn.functional.cross_entropy(torch.from_numpy(x), torch.from_numpy(y))
    assert _evaluate(model, x, y)["loss"] == pytest.approx(float(expected), rel=1e-5)


def test_categorical_crossentropy_takes_one_hot_targets_and_refuses_labels() -> None:
    model = _identity(3, "softmax", "categorical_crossentropy", ["accuracy"])
    x = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]], np.float32)
    one_hot = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
    expected = torch.nn.functional.cross_entropy(torch.from_numpy(x), torch.tensor([0, 2]))
    result = _evaluate(model, x, one_hot)
    assert result["loss"] == pytest.approx(float(expected), rel=1e-5)
    assert result["accuracy"] == pytest.approx(0.5)
    with pytest.raises(InputError, match="sparse_categorical_crossentropy"):
        _evaluate(model, x, np.array([0, 2]))


def test_older_categorical_name_keeps_integer_labels() -> None:
    spec = get_loss("categorical_cross_entropy")
    assert (spec.name, spec.one_hot) == ("cross_entropy", False)
    assert get_loss("categorical_crossentropy").one_hot


def test_probability_losses_run_in_half_precision_without_infinities() -> None:
    p = torch.tensor([[1.0], [0.0]], dtype=torch.bfloat16)
    loss = get_loss("bce", probabilities=True).function(p, torch.tensor([[0.0], [1.0]]))
    assert loss.dtype == torch.float32
    assert torch.isfinite(loss).all() and float(loss.min()) > 15.0
    with torch.autocast("cpu", dtype=torch.bfloat16):
        get_loss("bce", probabilities=True).function(p, torch.tensor([[0.0], [1.0]]))


def test_mape_divides_by_keras_epsilon_at_zero_targets() -> None:
    metric = PercentMAPE()
    metric.update(torch.tensor([0.5, 110.0]), torch.tensor([0.0, 100.0]))
    assert float(metric.compute()) == pytest.approx(100 * (0.5 / 1e-7 + 0.1) / 2, rel=1e-6)


def test_metrics_are_logged_under_the_name_given() -> None:
    model = _identity(1, "sigmoid", "binary_crossentropy", ["acc", "binary_accuracy", "auc"])
    result = _evaluate(model, LOGITS, np.array([1.0, 0.0, 1.0, 1.0], np.float32))
    assert set(result) == {"loss", "acc", "binary_accuracy", "auc"}
    assert {"acc", "binary_accuracy", "auc", "f1_score", "r2_score"} <= set(HIGHER_IS_BETTER)


def test_keras_accuracy_names_must_match_the_loss() -> None:
    with pytest.raises(ConfigError, match="binary_accuracy"):
        sk.Sequential([sk.Dense(3)], loss="cross_entropy", metrics=["binary_accuracy"])
    with pytest.raises(ConfigError, match="categorical_accuracy"):
        sk.Sequential([sk.Dense(1)], loss="bce", metrics=["categorical_accuracy"])


def test_top_k_accuracy_counts_the_five_best_scores() -> None:
    _, metric = make_metric("top_k_categorical_accuracy", "multiclass", num_classes=7)
    scores = torch.arange(7.0).repeat(2, 1)  # class 6 best, class 0 worst
    update_metrics([metric], scores, torch.tensor([2, 1]),
                   get_loss("sparse_categorical_crossentropy"))
    assert float(metric.compute()) == pytest.approx(0.5)


def test_r2_of_several_outputs_is_their_mean() -> None:
    _, metric = make_metric("r2", "regression", num_classes=2)
    y = torch.tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 40.0]])
    p = torch.tensor([[1.0, 12.0], [2.5, 20.0], [3.0, 35.0]])
    update_metrics([metric], p, y, get_loss("mse"))
    each = [1 - ((y[:, i] - p[:, i]) ** 2).sum() / ((y[:, i] - y[:, i].mean()) ** 2).sum()
            for i in range(2)]
    assert float(metric.compute()) == pytest.approx(float(sum(each) / 2), rel=1e-5)
