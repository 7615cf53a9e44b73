"""compile / fit / evaluate / predict on real (tiny) training runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import seqkit as sk


def _regressor(**compile_kwargs: object) -> sk.Sequential:
    settings = {"loss": "mse", "metrics": ["mae"], "lr": 1e-2, **compile_kwargs}
    return sk.Sequential([sk.LSTM(16), sk.Dense(1)], **settings)


def test_fit_lowers_the_loss_on_a_learnable_task(regression_data) -> None:
    x, y = regression_data
    model = _regressor()
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0, seed=0)
    losses = history.history["loss"]
    assert len(losses) == 15
    assert losses[-1] < 0.3 * losses[0]
    baseline = float(np.mean((y - y.mean()) ** 2))
    loss, mae = model.evaluate(x, y)  # Keras's [loss, *metrics]
    assert loss < 0.3 * baseline and mae > 0


def test_evaluate_matches_a_hand_computation(regression_data) -> None:
    x, y = regression_data
    model = _regressor(metrics=["mae", "rmse", "r2"])
    model.fit(x, y, epochs=2, verbose=0, seed=0)
    result = model.evaluate(x, y, batch_size=50, return_dict=True)  # uneven last batch on purpose
    with torch.no_grad():
        model.eval()
        pred = model(torch.from_numpy(x))[:, 0].numpy()
    error = pred - y
    assert result["loss"] == pytest.approx(float(np.mean(error**2)), rel=1e-5)
    assert result["mae"] == pytest.approx(float(np.mean(np.abs(error))), rel=1e-5)
    assert result["rmse"] == pytest.approx(float(np.sqrt(np.mean(error**2))), rel=1e-5)
    r2 = 1 - np.sum(error**2) / np.sum((y - y.mean()) ** 2)
    assert result["r2"] == pytest.approx(float(r2), rel=1e-4)


def test_evaluate_with_sample_weight_scales_each_loss(regression_data) -> None:
    x, y = regression_data
    model = _regressor()
    model.build((None, *x.shape[1:]))
    weight = np.linspace(0.0, 2.0, len(y)).astype(np.float32)
    with torch.no_grad():
        pred = model(torch.from_numpy(x))[:, 0].numpy()
    expected = float(np.mean(weight * (pred - y) ** 2))
    loss, _ = model.evaluate(x, y, sample_weight=weight)
    assert loss == pytest.approx(expected, rel=1e-5)


def test_history_holds_keras_keys_per_epoch(regression_data) -> None:
    x, y = regression_data
    history = _regressor().fit(x, y, epochs=3, validation_split=0.25, verbose=0, seed=0)
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae", "lr"]
    assert all(len(values) == 3 for values in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.history["lr"] == [pytest.approx(1e-2)] * 3


def test_validation_split_takes_the_last_samples(regression_data) -> None:
    x, y = regression_data
    split = _regressor().fit(x, y, epochs=2, validation_split=0.25, verbose=0, seed=3)
    explicit = _regressor().fit(x[:192], y[:192], epochs=2, verbose=0, seed=3,
                                validation_data=(x[192:], y[192:]))
    assert split.history["val_loss"] == pytest.approx(explicit.history["val_loss"], rel=1e-6)
    assert split.history["loss"] == pytest.approx(explicit.history["loss"], rel=1e-6)


def test_seed_makes_two_runs_identical(regression_data) -> None:
    x, y = regression_data
    first, second = _regressor(), _regressor()
    first.fit(x, y, epochs=2, verbose=0, seed=7)
    second.fit(x, y, epochs=2, verbose=0, seed=7)
    for (name, a), (_, b) in zip(first.state_dict().items(), second.state_dict().items(),
                                 strict=True):
        assert torch.equal(a, b), name
    third = _regressor()
    third.fit(x, y, epochs=2, verbose=0, seed=8)
    assert not torch.equal(first.layers[-1].linear.weight, third.layers[-1].linear.weight)


def test_predict_returns_numpy_for_numpy_and_tensor_for_tensor(regression_data) -> None:
    x, y = regression_data
    model = _regressor()
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    as_numpy = model.predict(x, batch_size=100)
    as_tensor = model.predict(torch.from_numpy(x))
    assert isinstance(as_numpy, np.ndarray) and as_numpy.shape == (256, 1)
    assert isinstance(as_tensor, torch.Tensor)
    np.testing.assert_allclose(as_numpy, as_tensor.numpy(), rtol=1e-6)
    assert model.training  # predict restores the mode it found


def test_multiclass_classification_reaches_good_accuracy(classification_data) -> None:
    x, y = classification_data
    model = sk.Sequential([sk.LSTM(16), sk.Dense(3)], loss="cross_entropy",
                          metrics=["accuracy", "f1"], lr=1e-2)
    history = model.fit(x, y, epochs=20, verbose=0, seed=0)
    assert history.history["accuracy"][-1] > 0.8
    result = model.evaluate(x, y, return_dict=True)
    logits = torch.from_numpy(model.predict(x))
    expected_loss = F.cross_entropy(logits, torch.from_numpy(y)).item()
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-5)
    accuracy = float((logits.argmax(1).numpy() == y).mean())
    assert result["accuracy"] == pytest.approx(accuracy, abs=1e-6)


def test_binary_classification_with_logits(classification_data) -> None:
    x, y = classification_data
    labels = (y == 2).astype(np.float32)
    model = sk.Sequential([sk.GRU(8), sk.Dense(1)], loss="binary_cross_entropy",
                          metrics=["accuracy", "auroc"], lr=1e-2)
    model.fit(x, labels, epochs=15, verbose=0, seed=0)
    result = model.evaluate(x, labels, return_dict=True)
    logits = torch.from_numpy(model.predict(x))[:, 0]
    expected = F.binary_cross_entropy_with_logits(logits, torch.from_numpy(labels)).item()
    assert result["loss"] == pytest.approx(expected, rel=1e-5)
    assert result["accuracy"] > 0.8


def test_class_weight_multiplies_each_samples_loss(classification_data) -> None:
    x, y = classification_data
    weights = {0: 1.0, 1: 0.0, 2: 3.0}
    model = sk.Sequential([sk.LSTM(4), sk.Dense(3)], loss="cross_entropy")
    model.build((None, *x.shape[1:]))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    history = model.fit(x, y, epochs=1, verbose=0, seed=0, class_weight=weights,
                        batch_size=len(y), shuffle=False)
    model.load_state_dict(before)
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
    per_sample = F.cross_entropy(logits, torch.from_numpy(y), reduction="none").numpy()
    expected = float(np.mean(per_sample * np.vectorize(weights.get)(y)))
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def _string_label_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(48, 5, 2)).astype(np.float32)
    return x, (x[:, -1, 0] > 0.5).astype(np.int64)  # imbalanced: few positives


def test_class_weight_keyed_by_string_labels_weights_like_class_ids() -> None:
    x, ids = _string_label_data()
    words = np.array(["neg", "pos"])[ids]  # the label encoder sorts: neg -> 0, pos -> 1

    def first_loss(y: np.ndarray, class_weight: dict | None) -> float:
        model = sk.presets.sequence_classifier(units=4)
        history = model.fit(x, y, epochs=1, verbose=0, seed=0, shuffle=False,
                            batch_size=len(y), class_weight=class_weight)
        return history.history["loss"][0]

    by_label = first_loss(words, {"pos": 5.0, "neg": 1.0})
    assert by_label == pytest.approx(first_loss(ids, {1: 5.0, 0: 1.0}), rel=1e-6)
    assert by_label != pytest.approx(first_loss(words, None), rel=1e-3)


def test_class_weight_with_an_unknown_label_says_which_labels_exist() -> None:
    x, ids = _string_label_data()
    words = np.array(["neg", "pos"])[ids]
    model = sk.presets.sequence_classifier(units=4)
    with pytest.raises(sk.errors.InputError, match=r"class_weight.*\['neg', 'pos'\].*'Pos'"):
        model.fit(x, words, epochs=1, verbose=0, class_weight={"Pos": 2.0, "neg": 1.0})
    plain = sk.Sequential([sk.LSTM(2), sk.Dense(2)], loss="cross_entropy")
    with pytest.raises(sk.errors.InputError, match=r"integer class ids.*'pos'"):
        plain.fit(x, ids, epochs=1, verbose=0, class_weight={"pos": 2.0})


def test_balanced_class_weight_equals_the_explicit_scikit_learn_weights() -> None:
    x, ids = _string_label_data()
    words = np.array(["neg", "pos"])[ids]
    counts = np.bincount(ids)
    explicit = {"neg": len(ids) / (2 * counts[0]), "pos": len(ids) / (2 * counts[1])}

    def first_loss(class_weight: dict | str, validation_split: float = 0.0) -> float:
        model = sk.presets.sequence_classifier(units=4)
        history = model.fit(x, words, epochs=1, verbose=0, seed=0, shuffle=False,
                            batch_size=len(words), class_weight=class_weight,
                            validation_split=validation_split)
        return history.history["loss"][0]

    assert first_loss("balanced") == pytest.approx(first_loss(explicit), rel=1e-6)
    # With a validation split, the weights come from the training rows only.
    train = ids[:36]
    from_train = {"neg": 36 / (2 * np.sum(train == 0)), "pos": 36 / (2 * np.sum(train == 1))}
    assert first_loss("balanced", 0.25) == pytest.approx(first_loss(from_train, 0.25),
                                                          rel=1e-6)


def test_class_weight_names_the_accepted_forms() -> None:
    x, ids = _string_label_data()
    model = sk.Sequential([sk.LSTM(2), sk.Dense(2)], loss="cross_entropy")
    with pytest.raises(sk.errors.InputError, match=r"balanced.*'balance'"):
        model.fit(x, ids, epochs=1, verbose=0, class_weight="balance")


def test_ragged_sequences_train_and_predict() -> None:
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(int(n), 2)).astype(np.float32)
                 for n in rng.integers(2, 12, size=64)]
    y = np.array([s[:, 0].sum() for s in sequences], dtype=np.float32)
    model = sk.Sequential([sk.LSTM(8), sk.Dense(1)], loss="mse")
    model.fit(sequences, y, epochs=2, verbose=0, seed=0)
    batch = model.predict(sequences)
    alone = np.concatenate([model.predict(s[None]) for s in sequences[:5]])
    np.testing.assert_allclose(batch[:5], alone, rtol=1e-5, atol=1e-6)


def test_per_step_targets_ignore_padding() -> None:
    """A Dense head on every step (the classic RegLSTM); padded steps are not scored."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5, 1)).astype(np.float32)
    y = np.cumsum(x, axis=1)
    lengths = rng.integers(1, 6, size=16)
    y_garbage = y.copy()
    for i, n in enumerate(lengths):
        y_garbage[i, n:] = 1e6  # would dominate the loss if padding counted
    model = sk.Sequential([sk.LSTM(8, return_sequences=True), sk.Dense(1)], loss="mse",
                          metrics=["mae"])
    model.build((None, 5, 1))
    result = model.evaluate(x, y_garbage, lengths=lengths, return_dict=True)
    pred = model.predict(x, lengths=lengths)
    valid = np.arange(5)[None, :] < lengths[:, None]
    expected = float(np.mean(((pred - y)[valid]) ** 2))
    assert result["loss"] == pytest.approx(expected, rel=1e-5)
    assert np.all(pred[~valid] == 0.0)  # outputs are zero after each sequence's end


def test_trainer_kwargs_pass_through(regression_data) -> None:
    x, y = regression_data
    model = _regressor()
    history = model.fit(x, y, epochs=5, verbose=0, seed=0, max_steps=3,
                        gradient_clip_val=0.5)
    assert len(history.history["loss"]) == 1  # max_steps=3 ends training in epoch 1
    assert model.trainer.gradient_clip_val == 0.5


def test_verbose_2_prints_one_line_per_epoch(regression_data, capsys) -> None:
    x, y = regression_data
    _regressor().fit(x, y, epochs=2, verbose=2, seed=0, validation_split=0.25)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Epoch")]
    assert len(lines) == 2
    assert lines[0].startswith("Epoch 1/2") and "loss:" in lines[0] and "val_mae:" in lines[0]


def test_ready_trainer_is_used(regression_data) -> None:
    import pytorch_lightning as pl

    x, y = regression_data
    trainer = pl.Trainer(max_epochs=2, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    history = _regressor().fit(x, y, trainer=trainer, verbose=0, seed=0)
    assert len(history.history["loss"]) == 2


def test_scheduler_changes_the_logged_lr(regression_data) -> None:
    x, y = regression_data
    model = _regressor(scheduler="exponential")
    history = model.fit(x, y, epochs=3, verbose=0, seed=0)
    lrs = history.history["lr"]
    assert lrs[0] > lrs[1] > lrs[2]


def test_a_second_fit_records_its_own_epochs(regression_data) -> None:
    x, y = regression_data
    model = _regressor()
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    again = model.fit(x, y, epochs=2, verbose=0, seed=0)
    assert list(again.history) == ["loss", "mae", "lr"]
    assert len(again.history["loss"]) == 2
