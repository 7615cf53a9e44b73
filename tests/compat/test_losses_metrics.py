"""Losses and metrics against Keras 3 (torch backend) on the same weights and data.

Each case builds the same one-layer ``Dense`` model in both libraries (Keras's kernel is
``(in, out)``, torch's ``Linear`` weight ``(out, in)``) and compares ``evaluate``.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch

import seqkit as sk

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 4)).astype(np.float32)


def _twins(units: int, activation: str | None, loss: str, metrics: list, *,
           scale: float = 1.0, keras_loss: object = None, keras_metrics: list | None = None
           ) -> tuple[sk.Sequential, object]:
    """A seqkit and a Keras ``Dense(units, activation)`` with the same weights."""
    twin = keras.Sequential([keras.Input((X.shape[1],)),
                             keras.layers.Dense(units, activation=activation)])
    twin.compile(loss=keras_loss or loss, metrics=keras_metrics or metrics)
    kernel, bias = twin.layers[0].get_weights()
    kernel, bias = kernel * scale, bias + RNG.normal(size=bias.shape).astype(np.float32)
    twin.layers[0].set_weights([kernel, bias])
    model = sk.Sequential([sk.Dense(units, activation=activation)], loss=loss,
                          metrics=metrics)
    model.build((None, X.shape[1]))
    with torch.no_grad():
        model.layers[0].linear.weight.copy_(torch.from_numpy(kernel.T))
        model.layers[0].linear.bias.copy_(torch.from_numpy(bias))
    return model, twin


def _evaluate(model: sk.Sequential, x: np.ndarray, y: np.ndarray, **kwargs: object
              ) -> dict[str, float]:
    return model.evaluate(x, y, verbose=0, return_dict=True, **kwargs)


def _keras_evaluate(twin: object, x: np.ndarray, y: np.ndarray, **kwargs: object
                    ) -> dict[str, float]:
    return twin.evaluate(x, y, verbose=0, return_dict=True, **kwargs)  # type: ignore[attr-defined]


LABELS_2 = (RNG.random(50) > 0.5).astype(np.float32)
LABELS_3 = RNG.integers(0, 3, 50)
ONE_HOT_3 = np.eye(3, dtype=np.float32)[LABELS_3]


@pytest.mark.parametrize(("units", "activation", "loss", "y"), [
    (1, "sigmoid", "binary_crossentropy", LABELS_2),
    (1, "sigmoid", "bce", LABELS_2[:, None]),
    (3, "softmax", "sparse_categorical_crossentropy", LABELS_3),
    (3, "softmax", "categorical_crossentropy", ONE_HOT_3),
    (3, None, "mse", ONE_HOT_3),
    (3, "sigmoid", "mae", ONE_HOT_3),
])
def test_probability_heads_score_as_keras(units: int, activation: str | None, loss: str,
                                          y: np.ndarray) -> None:
    model, twin = _twins(units, activation, loss, ["accuracy"] if loss not in ("mse", "mae")
                         else ["mae"])
    ours, theirs = _evaluate(model, X, y), _keras_evaluate(twin, X, y)
    assert ours.keys() == theirs.keys()
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_the_issue_case_sigmoid_head_gives_keras_loss_not_a_logits_loss() -> None:
    # Confident, mostly right predictions: a logits loss read on probabilities p in [0, 1]
    # is at least log(1 + e^-1) = 0.313 however good they are.
    y = (X @ np.array([3.0, -2.0, 1.0, 0.5], np.float32) > 0).astype(np.float32)
    model, twin = _twins(1, "sigmoid", "binary_crossentropy", [])
    with torch.no_grad():
        model.layers[0].linear.weight.copy_(torch.tensor([[9.0, -6.0, 3.0, 1.5]]))
        model.layers[0].linear.bias.zero_()
    twin.layers[0].set_weights([np.array([[9.0], [-6.0], [3.0], [1.5]], np.float32),
                                np.zeros(1, np.float32)])
    ours, theirs = _evaluate(model, X, y)["loss"], _keras_evaluate(twin, X, y)["loss"]
    assert theirs < 0.2
    assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize(("units", "activation", "loss", "y"), [
    (1, "sigmoid", "binary_crossentropy", LABELS_2),
    (3, "softmax", "sparse_categorical_crossentropy", LABELS_3),
    (3, "softmax", "categorical_crossentropy", ONE_HOT_3),
])
def test_saturated_probabilities_are_clipped_as_keras_does(
        units: int, activation: str, loss: str, y: np.ndarray) -> None:
    # Weights x200: most probabilities round to exactly 0 or 1 in float32; Keras clips them
    # to [1e-7, 1 - 1e-7], so a confidently wrong sample costs about 16, not infinity.
    model, twin = _twins(units, activation, loss, [], scale=200.0)
    ours, theirs = _evaluate(model, X, y)["loss"], _keras_evaluate(twin, X, y)["loss"]
    assert theirs > 3.0
    assert ours == pytest.approx(theirs, rel=1e-5)


@pytest.mark.parametrize(("units", "loss", "y", "keras_loss"), [
    (1, "binary_crossentropy", LABELS_2,
     "keras.losses.BinaryCrossentropy(from_logits=True)"),
    (3, "sparse_categorical_crossentropy", LABELS_3,
     "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),
    (3, "categorical_crossentropy", ONE_HOT_3,
     "keras.losses.CategoricalCrossentropy(from_logits=True)"),
])
def test_without_a_final_activation_the_loss_reads_logits(
        units: int, loss: str, y: np.ndarray, keras_loss: str) -> None:
    # Deliberate difference: Keras's from_logits=False default would read these linear
    # outputs as probabilities; seqkit reads them as logits (Keras's from_logits=True).
    model, twin = _twins(units, None, loss, [], keras_loss=eval(keras_loss))
    ours, theirs = _evaluate(model, X, y)["loss"], _keras_evaluate(twin, X, y)["loss"]
    assert ours == pytest.approx(theirs, rel=1e-5)


@pytest.mark.parametrize(("units", "activation", "loss", "y"), [
    (2, None, "mse", RNG.normal(size=(50, 2)).astype(np.float32)),
    (1, "sigmoid", "binary_crossentropy", LABELS_2),
    (3, "softmax", "sparse_categorical_crossentropy", LABELS_3),
])
def test_sample_weight_scales_the_loss_as_keras_does(
        units: int, activation: str | None, loss: str, y: np.ndarray) -> None:
    # Keras: sum(w * loss) / number of samples ("sum_over_batch_size"), not / sum(w).
    weights = RNG.uniform(0.0, 3.0, size=50).astype(np.float32)
    model, twin = _twins(units, activation, loss, [])
    ours = _evaluate(model, X, y, sample_weight=weights, batch_size=16)["loss"]
    theirs = _keras_evaluate(twin, X, y, sample_weight=weights, batch_size=16)["loss"]
    assert ours == pytest.approx(theirs, rel=1e-5)
    assert ours != pytest.approx(_evaluate(model, X, y)["loss"], rel=1e-3)


def test_metrics_ignore_sample_weight_as_keras_compiled_metrics_do() -> None:
    # Keras weights only `weighted_metrics`; `metrics` are unweighted.
    weights = RNG.uniform(0.0, 3.0, size=50).astype(np.float32)
    model, twin = _twins(1, "sigmoid", "binary_crossentropy", ["accuracy"])
    ours = _evaluate(model, X, LABELS_2, sample_weight=weights)["accuracy"]
    theirs = _keras_evaluate(twin, X, LABELS_2, sample_weight=weights)["accuracy"]
    assert ours == pytest.approx(theirs)


def test_regression_metrics_match_keras_including_a_zero_target() -> None:
    y = RNG.normal(size=(50, 2)).astype(np.float32)
    y[3, 0] = 0.0  # mape: |error| / 1e-7 in Keras
    names = ["mae", "mse", "rmse", "mape", "r2"]
    keras_names = ["mae", "mse", "root_mean_squared_error", "mape", "r2_score"]
    model, twin = _twins(2, None, "mse", names, keras_metrics=keras_names)
    ours, theirs = _evaluate(model, X, y), _keras_evaluate(twin, X, y)
    for name, keras_name in zip(names, keras_names, strict=True):
        assert ours[name] == pytest.approx(theirs[keras_name], rel=1e-5), name
    assert ours["mape"] > 1e5  # the zero target dominates


def test_binary_metrics_match_keras_on_a_sigmoid_head() -> None:
    names = ["accuracy", "binary_accuracy", "precision", "recall", "f1_score", "auc"]
    keras_metrics = ["accuracy", "binary_accuracy", "precision", "recall",
                     keras.metrics.F1Score(threshold=0.5, name="f1_score"),
                     keras.metrics.AUC(num_thresholds=5000, name="auc")]
    model, twin = _twins(1, "sigmoid", "binary_crossentropy", names,
                         keras_metrics=keras_metrics)
    y = LABELS_2[:, None]
    ours, theirs = _evaluate(model, X, y), _keras_evaluate(twin, X, y)
    for name in names:
        # Keras's AUC interpolates over thresholds; seqkit's AUROC is exact.
        tolerance = 1e-3 if name == "auc" else 1e-6
        assert ours[name] == pytest.approx(float(np.ravel(theirs[name])[0]),
                                           abs=tolerance), name


def test_binary_accuracy_on_logits_thresholds_at_zero() -> None:
    # Deliberate difference: without a final sigmoid the outputs are logits, so class 1 is
    # logit > 0 (Keras's "accuracy" would threshold the logits at 0.5).
    model, twin = _twins(1, None, "binary_crossentropy", ["accuracy"],
                         keras_loss=keras.losses.BinaryCrossentropy(from_logits=True),
                         keras_metrics=[keras.metrics.BinaryAccuracy(threshold=0.0,
                                                                     name="accuracy")])
    ours, theirs = _evaluate(model, X, LABELS_2), _keras_evaluate(twin, X, LABELS_2)
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"])


def test_multiclass_metrics_match_keras_on_a_softmax_head() -> None:
    labels = RNG.integers(0, 6, 50)
    names = ["accuracy", "categorical_accuracy", "f1_score"]
    keras_metrics = ["accuracy", "categorical_accuracy",
                     keras.metrics.F1Score(average="macro", name="f1_score")]
    model, twin = _twins(6, "softmax", "categorical_crossentropy",
                         [*names, "top_k_categorical_accuracy"],
                         keras_metrics=[*keras_metrics, "top_k_categorical_accuracy"])
    one_hot = np.eye(6, dtype=np.float32)[labels]
    ours, theirs = _evaluate(model, X, one_hot), _keras_evaluate(twin, X, one_hot)
    for name in [*names, "top_k_categorical_accuracy"]:
        assert ours[name] == pytest.approx(float(theirs[name]), abs=1e-6), name


@pytest.mark.parametrize(("units", "activation", "keras_loss", "y"), [
    (1, None, "BinaryCrossentropy(from_logits=True)", LABELS_2),
    (1, None, "BinaryCrossentropy(from_logits=False)", LABELS_2),
    (1, "sigmoid", "BinaryCrossentropy()", LABELS_2),
    (3, None, "SparseCategoricalCrossentropy(from_logits=True)", LABELS_3),
    (3, "softmax", "CategoricalCrossentropy()", ONE_HOT_3),
    (2, None, "MeanSquaredError()", ONE_HOT_3[:, :2]),
    (2, None, "Huber()", 3 * ONE_HOT_3[:, :2]),
])
def test_keras_loss_objects_score_as_in_keras(units: int, activation: str | None,
                                              keras_loss: str, y: np.ndarray) -> None:
    # Keras calls losses (y_true, y_pred): one must not pass as a seqkit callable.
    loss = eval(f"keras.losses.{keras_loss}")
    model, twin = _twins(units, activation, loss, [])
    ours, theirs = _evaluate(model, X, y)["loss"], _keras_evaluate(twin, X, y)["loss"]
    assert ours == pytest.approx(theirs, rel=1e-5)


def test_keras_loss_functions_read_probabilities_as_keras_does() -> None:
    model, twin = _twins(1, "sigmoid", keras.losses.binary_crossentropy, [])
    assert _evaluate(model, X, LABELS_2)["loss"] == pytest.approx(
        _keras_evaluate(twin, X, LABELS_2)["loss"], rel=1e-5)


@pytest.mark.parametrize("keras_loss", [
    "BinaryCrossentropy(label_smoothing=0.1)", "Huber(delta=2.0)",
    "CategoricalCrossentropy(reduction='sum')", "KLDivergence()",
])
def test_keras_losses_seqkit_cannot_match_are_refused(keras_loss: str) -> None:
    with pytest.raises(sk.errors.ConfigError, match="keras"):
        sk.Sequential([sk.Dense(1)], loss=eval(f"keras.losses.{keras_loss}"))
