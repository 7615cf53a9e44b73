"""Every bad input fails before training, with one clear message from seqkit.errors."""

from __future__ import annotations

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import (
    ConfigError,
    InputError,
    InputTypeError,
    NotCompiledError,
    SeqkitError,
)


@pytest.fixture
def model() -> sk.Sequential:
    return sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")


X = np.zeros((8, 5, 2), dtype=np.float32)
Y = np.zeros(8, dtype=np.float32)


def test_2d_input_names_the_layout_and_the_fix(model) -> None:
    with pytest.raises(InputError) as info:
        model.fit(np.zeros((32, 10), dtype=np.float32), np.zeros(32), verbose=0)
    message = str(info.value)
    assert "3D input (batch, time, features)" in message
    assert "(32, 10)" in message
    assert "x[..., None]" in message


def test_feature_size_must_match_the_built_model(model) -> None:
    model.fit(X, Y, verbose=0)
    with pytest.raises(InputError, match=r"expected 2 features .* shape \(8, 5, 3\)"):
        model.predict(np.zeros((8, 5, 3), dtype=np.float32))


def test_x_and_y_lengths_must_match(model) -> None:
    with pytest.raises(InputError, match=r"expected 8 samples .* received 7 samples"):
        model.fit(X, Y[:7], verbose=0)


def test_empty_input(model) -> None:
    with pytest.raises(InputError, match="at least one sample"):
        model.fit(np.zeros((0, 5, 2), dtype=np.float32), np.zeros(0), verbose=0)


def test_non_numeric_input(model) -> None:
    with pytest.raises(InputTypeError, match=r"numbers .* dtype <U"):
        model.fit(np.array([["a", "b"]] * 8), Y, verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_x(model, bad: float) -> None:
    x = X.copy()
    x[3, 2, 1] = bad
    with pytest.raises(InputError, match=r"finite numbers .*first at index \[3, 2, 1\]"):
        model.fit(x, Y, verbose=0)


def test_nan_in_y(model) -> None:
    y = Y.copy()
    y[5] = np.nan
    with pytest.raises(InputError, match="y: expected finite numbers"):
        model.fit(X, y, verbose=0)


def test_labels_out_of_range_for_the_output_size() -> None:
    model = sk.Sequential([sk.LSTM(4), sk.Dense(3)], loss="cross_entropy")
    with pytest.raises(InputError, match=r"class ids in \[0, 2\] .* labels from 0 to 3"):
        model.fit(X, np.array([0, 1, 2, 3, 0, 1, 2, 0]), verbose=0)


def test_fractional_labels_for_cross_entropy() -> None:
    model = sk.Sequential([sk.LSTM(4), sk.Dense(3)], loss="cross_entropy")
    with pytest.raises(InputTypeError, match="integer class labels"):
        model.fit(X, np.full(8, 0.5), verbose=0)


def test_binary_targets_outside_zero_one() -> None:
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="binary_cross_entropy")
    with pytest.raises(InputError, match=r"targets in \[0, 1\]"):
        model.fit(X, np.full(8, 2.0), verbose=0)


def test_fit_before_compile() -> None:
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)])
    with pytest.raises(NotCompiledError, match=r"model.compile\(loss=...") as info:
        model.fit(X, Y, verbose=0)
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(NotCompiledError):
        model.evaluate(X, Y)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"batch_size": 0}, "batch_size=0"),
        ({"batch_size": 2.5}, "batch_size=2.5"),
        ({"epochs": 0}, "epochs=0"),
        ({"epochs": -1}, "epochs=-1"),
        ({"validation_split": 1.0}, r"number in \[0, 1\) .* validation_split=1.0"),
        ({"validation_split": -0.1}, "validation_split=-0.1"),
        ({"verbose": 3}, "verbose=3"),
    ],
)
def test_bad_fit_arguments(model, kwargs: dict, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        model.fit(X, Y, **{"verbose": 0, **kwargs})


def test_validation_split_that_leaves_no_validation_sample(model) -> None:
    with pytest.raises(InputError, match=r"0\.05 of 8 samples"):
        model.fit(X, Y, validation_split=0.05, verbose=0)


def test_unknown_names_list_valid_ones_and_suggest_the_closest() -> None:
    model = sk.Sequential([sk.Dense(1)])
    with pytest.raises(ConfigError, match="did you mean 'mse'") as info:
        model.compile(loss="mse_loss")
    assert "'cross_entropy'" in str(info.value)
    with pytest.raises(ConfigError, match="did you mean 'adam'"):
        model.compile(optimizer="adm")
    with pytest.raises(ConfigError, match="did you mean 'accuracy'"):
        model.compile(loss="cross_entropy", metrics=["accuracyy"])
    with pytest.raises(ConfigError, match="classification loss"):
        model.compile(loss="mse", metrics=["accuracy"])


def test_token_ids_out_of_vocabulary() -> None:
    model = sk.Sequential([sk.Embedding(10, 4), sk.LSTM(4), sk.Dense(1)], loss="mse")
    ids = np.full((8, 5), 12)
    with pytest.raises(InputError, match=r"ids in \[0, 9\] .* ids from 12 to 12"):
        model.fit(ids, Y, verbose=0)
    with pytest.raises(InputTypeError, match="integer token ids"):
        model.fit(ids.astype(np.float32), Y, verbose=0)


def test_every_error_is_a_seqkit_error_and_a_builtin() -> None:
    for error_type, builtin in [(InputError, ValueError), (InputTypeError, TypeError),
                                (ConfigError, ValueError), (NotCompiledError, RuntimeError)]:
        assert issubclass(error_type, SeqkitError) and issubclass(error_type, builtin)


def test_bad_input_leaves_the_model_untouched(model) -> None:
    model.fit(X, Y, verbose=0, seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(InputError):
        model.fit(X, Y[:3], verbose=0)
    after = model.state_dict()
    assert all((before[k] == after[k]).all() for k in before)
