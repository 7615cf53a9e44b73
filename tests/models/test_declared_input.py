"""Keras's Input(shape) first in Sequential([...]) and Keras 2's input_shape= on the first
layer build the model at once."""

from __future__ import annotations

import numpy as np
import pytest

import seqkit as sk


def test_input_first_builds_the_model() -> None:
    model = sk.Sequential([sk.Input((30, 4)), sk.LSTM(8, return_sequences=True),
                           sk.GRU(3), sk.Dense(1)])
    assert model.built
    assert model.input_shape == (None, 30, 4) and model.output_shape == (None, 1)
    assert [layer.name for layer in model.layers] == ["lstm", "gru", "dense"]  # no layer
    model.add(sk.Dense(2))  # later layers build as they come
    assert model.built and model.output_shape == (None, 2)


def test_input_shape_on_the_first_layer_builds_the_model() -> None:
    model = sk.Sequential([sk.LSTM(8, input_shape=(None, 4)), sk.Dense(1)])
    assert model.built and model.input_shape == (None, None, 4)
    dense = sk.Sequential([sk.Dense(3, input_dim=5)])
    assert dense.input_shape == (None, 5)
    assert "input_shape" not in model.layers[0].get_config()  # the model's, not the layer's
    wrapped = sk.Sequential([sk.Bidirectional(sk.GRU(2), input_shape=(7, 1))])
    assert wrapped.output_shape == (None, 4)


def test_token_ids_and_time_major_models_build_per_sample_shapes() -> None:
    ids = sk.Sequential([sk.Input((None,), dtype="int32"), sk.Embedding(50, 4), sk.GRU(2)])
    assert ids.input_shape == (None, None)
    assert ids.predict(np.ones((3, 5), np.int64), verbose=0).shape == (3, 2)
    time_major = sk.Sequential([sk.Input((10, 3)), sk.LSTM(2)], batch_first=False)
    assert time_major.input_shape == (None, 10, 3)  # per sample: (time, features)
    assert time_major.predict(np.zeros((10, 4, 3), np.float32), verbose=0).shape == (4, 2)


def test_a_built_model_refuses_other_features() -> None:
    model = sk.Sequential([sk.Input((5, 2)), sk.LSTM(3)])
    with pytest.raises(sk.errors.InputError, match="2 features"):
        model.predict(np.zeros((1, 5, 3), np.float32), verbose=0)


@pytest.mark.parametrize("shape", [(), (0, 3), (-1,), "30", (2.5,), (True,)])
def test_input_refuses_shapes_that_are_not_sizes(shape: object) -> None:
    with pytest.raises(sk.errors.ConfigError, match="without the batch axis"):
        sk.Input(shape)
    with pytest.raises(sk.errors.ConfigError, match="input_shape"):
        sk.LSTM(2, input_shape=shape)


def test_input_only_first() -> None:
    with pytest.raises(sk.errors.ConfigError, match="as the first element only"):
        sk.Sequential([sk.LSTM(2), sk.Input((3, 1))])
    with pytest.raises(sk.errors.ConfigError, match="as the first element only"):
        sk.Sequential([sk.Input((3, 1)), sk.Input((3, 1))])
    with pytest.raises(sk.errors.ConfigError, match="input_shape or input_dim"):
        sk.Dense(2, input_shape=(3,), input_dim=3)


def test_input_before_a_text_vectorizer_is_refused() -> None:
    with pytest.raises(sk.errors.ConfigError, match="TextVectorizer"):
        sk.Sequential([sk.Input((1,)), sk.TextVectorizer(), sk.Embedding(10, 2)])


def test_input_before_normalization_builds() -> None:
    model = sk.Sequential([sk.Input((4, 2)), sk.Normalization(), sk.LSTM(3)])
    assert model.built and model.input_shape == (None, 4, 2)
