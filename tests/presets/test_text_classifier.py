"""``text_classifier``'s defaults: sized to the vocabulary, probabilities out, labels,
``classes_``, macro-F1 in ``evaluate``, early stopping, word vectors, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import InputError, InputTypeError
from seqkit.presets._text_model import PresetEarlyStopping

FOUR = ["good film", "bad film", "great acting", "awful plot"]
FOUR_LABELS = ["pos", "neg", "pos", "neg"]


def _fitted(**settings: object) -> sk.Sequential:
    model = sk.presets.text_classifier(**settings)  # type: ignore[arg-type]
    model.fit(FOUR * 4, FOUR_LABELS * 4, epochs=2, verbose=0, seed=0)
    return model


def test_a_model_of_four_short_texts_is_small(tmp_path: Path) -> None:
    model = _fitted()
    (body,) = model.layers
    vocabulary = model.preprocessing[0].vocab_size
    assert body.deep[0].vocab_size == vocabulary and body.wide.vocab_size == vocabulary
    assert model.count_params() < 50_000
    path = sk.save_model(model, tmp_path / "four")
    assert Path(path).stat().st_size < 1_000_000
    loaded = sk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(FOUR, verbose=0), model.predict(FOUR, verbose=0))


@pytest.mark.parametrize("labels", [FOUR_LABELS, ["a", "b", "c", "a"], [1, 0, 1, 0]])
def test_predict_returns_one_probability_per_class_in_the_order_of_classes(
        labels: list[object]) -> None:
    model = sk.presets.text_classifier(units=4, embed_dim=4)
    model.fit(FOUR * 4, labels * 4, epochs=2, verbose=0, seed=0)
    probabilities = model.predict(FOUR, verbose=0)
    classes = sorted(set(labels))
    assert probabilities.shape == (4, len(classes))
    assert (probabilities >= 0).all() and (probabilities <= 1).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.classes_.tolist() == classes
    np.testing.assert_array_equal(model.predict_proba(FOUR, verbose=0), probabilities)
    expected = model.classes_[probabilities.argmax(axis=1)]
    assert model.predict_classes(FOUR, verbose=0).tolist() == expected.tolist()


def test_evaluate_reports_accuracy_and_macro_f1() -> None:
    model = _fitted()
    result = model.evaluate(FOUR, FOUR_LABELS, verbose=0, return_dict=True)
    assert {"loss", "accuracy", "f1"} <= set(result)
    predicted = model.predict_classes(FOUR, verbose=0)
    assert result["accuracy"] == pytest.approx(float(np.mean(predicted == FOUR_LABELS)))


def test_early_stopping_is_on_by_default_and_restores_the_best_epoch() -> None:
    texts = [f"word{i % 7} filler{i}" for i in range(60)]
    labels = [i % 2 for i in range(60)]  # noise: validation loss rises soon
    model = sk.presets.text_classifier(lr=3e-2, units=4, embed_dim=4)
    history = model.fit(texts, labels, epochs=30, validation_split=0.3, verbose=0, seed=0)
    losses = history.history["val_loss"]
    assert len(losses) < 30  # stopped
    start = model.wide_fit_report.val_loss  # the fitted linear model, before epoch 1
    best = int(np.argmin(losses))
    kept = losses[best] if losses[best] < start else start
    # patience 2 after the best epoch (or after the start, when no epoch beat it)
    assert len(losses) == (best + 1 if losses[best] < start else 0) + 2
    assert model.evaluate(texts[42:], labels[42:], verbose=0, return_dict=True)["loss"] \
        == pytest.approx(kept, rel=1e-4)


def test_early_stopping_can_be_turned_off_and_is_idle_without_validation() -> None:
    texts = [f"word{i % 7} filler{i}" for i in range(40)]
    labels = [i % 2 for i in range(40)]
    model = sk.presets.text_classifier(lr=3e-2, early_stopping=None, units=4, embed_dim=4)
    history = model.fit(texts, labels, epochs=5, validation_split=0.3, verbose=0, seed=0)
    assert len(history.history["val_loss"]) == 5
    model = sk.presets.text_classifier(units=4, embed_dim=4)
    assert len(model.fit(texts, labels, epochs=3, verbose=0, seed=0).history["loss"]) == 3
    assert isinstance(model.configure_callbacks()[0], PresetEarlyStopping)


def test_a_users_early_stopping_replaces_the_default() -> None:
    texts = [f"word{i % 7} filler{i}" for i in range(40)]
    labels = [i % 2 for i in range(40)]
    model = sk.presets.text_classifier(lr=3e-2, units=4, embed_dim=4)
    mine = sk.callbacks.EarlyStopping(monitor="val_loss", patience=100)
    history = model.fit(texts, labels, epochs=6, validation_split=0.3, verbose=0, seed=0,
                        callbacks=[mine])
    assert len(history.history["val_loss"]) == 6


def test_without_the_wide_path_the_deep_path_alone_is_the_model() -> None:
    model = sk.presets.text_classifier(wide_ngrams=None, units=4, embed_dim=4)
    model.fit(FOUR * 4, FOUR_LABELS * 4, epochs=1, verbose=0, seed=0)
    assert type(model.layers[0]).__name__ == "Embedding"
    assert model.layers[0].vocab_size == model.preprocessing[0].vocab_size
    assert model.predict(FOUR, verbose=0).shape == (4, 2)


@pytest.mark.parametrize(("x", "y", "error", "words"), [
    (["", "", "", ""], FOUR_LABELS, InputError, "at least one token"),
    ([*FOUR[:3], None], FOUR_LABELS, InputTypeError, "index 3"),
    (FOUR, ["a"] * 4, InputError, "at least 2 classes"),
    (FOUR, ["a", 1, "a", 1], InputError, "one kind"),
    (FOUR, ["a", None, "a", "b"], InputError, "one kind"),
    ([], [], InputError, "no labels"),
])
def test_bad_input_is_refused_with_the_fix(x: list[object], y: list[object],
                                           error: type, words: str) -> None:
    model = sk.presets.text_classifier(units=4, embed_dim=4)
    with pytest.raises(error, match=words) as raised:
        model.fit(x, y, epochs=1, verbose=0)
    assert ";" in str(raised.value)  # explain(...) adds the fix after the received part
