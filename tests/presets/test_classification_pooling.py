"""Classifier presets' ``pooling=``: the layers it adds, padding kept out, save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import ConfigError

TEXTS = ["a wonderful film", "a dreadful film", "wonderful acting", "dreadful acting",
         "the plot was dull", "a bright and moving story"]
LABELS = ["pos", "neg", "pos", "neg", "neg", "pos"]
LONG = " ".join(["a long review that goes on and on about the film"] * 6)
WITH_LONG = [*TEXTS, LONG]  # the short texts padded to the long one's length
POOLED_LAYER = {"last": None, "max": "GlobalMaxPooling1D", "mean": "GlobalAveragePooling1D"}


def _trained_text_classifier(pooling: str, **settings: object) -> sk.Sequential:
    model = sk.presets.text_classifier(units=4, embed_dim=4, max_tokens=40, pooling=pooling,
                                       **settings)
    model.fit(TEXTS * 2, LABELS * 2, epochs=1, batch_size=4, verbose=0, seed=0)
    return model


@pytest.mark.parametrize("pooling", list(POOLED_LAYER))
def test_text_classifier_pooling_layers_and_shapes(pooling: str) -> None:
    model = _trained_text_classifier(pooling)
    (body,) = model.layers  # the Wide & Deep body: its deep path holds the layers
    names = [type(layer).__name__ for layer in body.deep]
    assert body.deep[0].embeddings_initializer == "uniform"  # Keras' small start
    recurrent = body.deep[names.index("GRU")]
    assert recurrent.return_sequences is (pooling != "last")
    pooled = POOLED_LAYER[pooling]
    if pooled is None:
        assert not any(name.startswith("Global") for name in names)
    else:
        assert names[names.index("GRU") + 1] == pooled
    probabilities = model.predict(WITH_LONG)
    assert probabilities.shape == (7, 2)  # two labels: one probability each
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.predict_classes([LONG]).tolist()[0] in {"pos", "neg"}


@pytest.mark.parametrize("pooling", list(POOLED_LAYER))
def test_padding_never_changes_a_prediction(pooling: str) -> None:
    model = _trained_text_classifier(pooling)
    alone = np.concatenate([model.predict([text]) for text in TEXTS])
    with_long = model.predict(WITH_LONG)[:-1]
    np.testing.assert_allclose(with_long, alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pooling", ["max", "mean"])
def test_pooled_text_classifier_round_trips(tmp_path: Path, pooling: str) -> None:
    model = _trained_text_classifier(pooling)
    loaded = sk.load_model(model.save(tmp_path / pooling))
    np.testing.assert_array_equal(loaded.predict(WITH_LONG),
                                  model.predict(WITH_LONG))
    assert loaded.predict_classes(TEXTS).tolist() == model.predict_classes(TEXTS).tolist()


@pytest.mark.parametrize("pooling", list(POOLED_LAYER))
def test_sequence_classifier_pooling_on_ragged_sequences(pooling: str) -> None:
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(int(n), 2)).astype(np.float32) for n in (3, 9, 5, 7)]
    model = sk.presets.sequence_classifier(units=4, pooling=pooling, num_classes=3)
    model.fit(sequences * 2, ["a", "b", "c", "a"] * 2, epochs=1, verbose=0, seed=0)
    assert model.predict(sequences).shape == (4, 3)
    alone = np.concatenate([model.predict([s]) for s in sequences])
    np.testing.assert_allclose(model.predict(sequences), alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("preset", [sk.presets.text_classifier, sk.presets.sequence_classifier])
def test_unknown_pooling_names_the_choices(preset: object) -> None:
    with pytest.raises(ConfigError, match=r"pooling: expected one of 'last', 'max', 'mean' "
                                          r"but received pooling='attention'"):
        preset(pooling="attention")  # type: ignore[operator]
