"""An unbuilt model answers attribute probes (hasattr, getattr with a default, inspect)."""

from __future__ import annotations

import inspect

import pytest

import seqkit as sk
from seqkit.errors import NotBuiltError


def unbuilt() -> sk.Sequential:
    return sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse")


def test_hasattr_and_getattr_default_on_an_unbuilt_model() -> None:
    model = unbuilt()
    assert hasattr(model, "output_shape") is False
    assert hasattr(model, "input_shape") is False
    assert getattr(model, "input_shape", None) is None
    assert getattr(model, "output_shape", "missing") == "missing"
    model.build((None, 5, 2))
    assert hasattr(model, "output_shape")
    assert getattr(model, "input_shape", None) == (None, 5, 2)


def test_inspect_getmembers_on_an_unbuilt_model() -> None:
    names = {name for name, _ in inspect.getmembers(unbuilt())}
    assert {"fit", "predict", "layers"} <= names
    assert "input_shape" not in names  # unbuilt: skipped, like any missing attribute


def test_the_not_built_message_survives_nn_module_getattr() -> None:
    # A property raising AttributeError makes Python fall back to nn.Module.__getattr__,
    # whose generic "'Sequential' object has no attribute" must not replace seqkit's message.
    with pytest.raises(NotBuiltError, match=r"Sequential\.output_shape: expected a built model"
                       r".*model\.build\(\(None, time, features\)\)") as caught:
        _ = unbuilt().output_shape
    assert isinstance(caught.value, AttributeError)
    assert isinstance(caught.value, RuntimeError)  # `except RuntimeError` keeps working


def test_a_missing_attribute_keeps_torchs_message() -> None:
    with pytest.raises(AttributeError, match="'Sequential' object has no attribute 'nope'"):
        _ = unbuilt().nope


def test_trainer_before_fit_is_also_an_attribute_error() -> None:
    model = unbuilt()
    assert not hasattr(model, "trainer")
    with pytest.raises(RuntimeError, match="not attached to a `Trainer`"):
        _ = model.trainer
