"""Argument and input errors: the right class, and a message naming what was received."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from seqkit.errors import ConfigError, InputError, InputTypeError, SeqkitError
from seqkit.layers import (
    GRU,
    LSTM,
    Activation,
    Bidirectional,
    Dense,
    Dropout,
    Embedding,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    LayerNormalization,
    RecurrentState,
    RepeatVector,
)

# (constructor call, error class, substrings the message must contain)
CONSTRUCTOR_ERRORS: list[tuple[str, Callable[[], object], type, tuple[str, ...]]] = [
    ("lstm-units-0", lambda: LSTM(0), ConfigError, ("LSTM units", "units=0")),
    ("gru-units-negative", lambda: GRU(-3), ConfigError, ("GRU units", "units=-3")),
    ("lstm-units-float", lambda: LSTM(4.0), ConfigError, ("units=4.0",)),
    ("lstm-units-bool", lambda: LSTM(True), ConfigError, ("units=True",)),
    ("lstm-units-str", lambda: LSTM("8"), ConfigError, ("units='8'",)),
    ("lstm-num-layers", lambda: LSTM(4, num_layers=0), ConfigError, ("num_layers=0",)),
    ("lstm-stack-dropout-one-layer", lambda: LSTM(4, stack_dropout=0.5), ConfigError,
     ("LSTM stack_dropout", "stack_dropout=0.5", "num_layers=1", "num_layers > 1",
      "use dropout=")),
    ("gru-stack-dropout-one-layer", lambda: GRU(4, stack_dropout=0.1), ConfigError,
     ("GRU stack_dropout", "stack_dropout=0.1", "num_layers=1")),
    ("lstm-stack-dropout-one", lambda: LSTM(4, num_layers=2, stack_dropout=1.0),
     ConfigError, ("stack_dropout=1.0", "[0, 1)")),
    ("lstm-dropout-one", lambda: LSTM(4, dropout=1.0), ConfigError,
     ("LSTM dropout", "dropout=1.0", "[0, 1)")),
    ("lstm-dropout-negative", lambda: LSTM(4, dropout=-0.1), ConfigError,
     ("dropout=-0.1",)),
    ("lstm-recurrent-dropout", lambda: LSTM(4, recurrent_dropout=0.2), ConfigError,
     ("LSTM recurrent_dropout", "recurrent_dropout=0.2", "fused", "use dropout=",
      "stack_dropout=")),
    ("gru-recurrent-dropout", lambda: GRU(4, recurrent_dropout=0.5), ConfigError,
     ("GRU recurrent_dropout", "recurrent_dropout=0.5")),
    ("lstm-kernel-initializer", lambda: LSTM(4, kernel_initializer="glorot_unifrom"),
     ConfigError, ("LSTM kernel_initializer", "'glorot_unifrom'",
                   "did you mean 'glorot_uniform'?")),
    ("gru-recurrent-initializer", lambda: GRU(4, recurrent_initializer="orthogonl"),
     ConfigError, ("GRU recurrent_initializer", "did you mean 'orthogonal'?")),
    ("lstm-bias-orthogonal", lambda: LSTM(4, bias_initializer="orthogonal"), ConfigError,
     ("LSTM bias_initializer", "bias_initializer='orthogonal'", "needs a matrix")),
    ("lstm-initializer-type", lambda: LSTM(4, kernel_initializer=3), InputTypeError,
     ("LSTM kernel_initializer", "kernel_initializer=3", "'glorot_uniform'")),
    ("lstm-unit-forget-bias", lambda: LSTM(4, unit_forget_bias="yes"), InputTypeError,
     ("unit_forget_bias='yes'",)),
    ("dense-kernel-initializer", lambda: Dense(2, kernel_initializer="xavier"), ConfigError,
     ("Dense kernel_initializer", "'xavier'")),
    ("dense-bias-initializer", lambda: Dense(2, bias_initializer="zero"), ConfigError,
     ("Dense bias_initializer", "did you mean 'zeros'?")),
    ("lstm-return-sequences", lambda: LSTM(4, return_sequences=1), InputTypeError,
     ("return_sequences=1", "True or False")),
    ("lstm-return-state", lambda: LSTM(4, return_state="yes"), InputTypeError,
     ("return_state='yes'",)),
    ("lstm-bidirectional", lambda: LSTM(4, bidirectional=None), InputTypeError,
     ("bidirectional=None",)),
    ("gru-initial-state", lambda: GRU(4, initial_state="prev"), ConfigError,
     ("initial_state='prev'", "'previous'")),
    ("lstm-name", lambda: LSTM(4, name="my lstm"), ConfigError, ("name='my lstm'",)),
    ("dense-name-empty", lambda: Dense(4, name=""), ConfigError, ("name=''",)),
    ("dense-units", lambda: Dense(0), ConfigError, ("Dense units", "units=0")),
    ("dense-activation", lambda: Dense(3, activation="relu6"), ConfigError,
     ("activation", "'relu6'", "did you mean 'relu'?")),
    ("dense-activation-far", lambda: Dense(3, activation="zzzzzz"), ConfigError,
     ("activation", "'zzzzzz'", "'tanh'")),
    ("dense-use-bias", lambda: Dense(3, use_bias=0), InputTypeError, ("use_bias=0",)),
    ("dropout-above-one", lambda: Dropout(1.5), ConfigError,
     ("Dropout rate", "rate=1.5", "[0, 1)")),
    ("dropout-one", lambda: Dropout(1), ConfigError, ("rate=1",)),
    ("dropout-negative", lambda: Dropout(-0.2), ConfigError, ("rate=-0.2",)),
    ("dropout-str", lambda: Dropout("0.5"), ConfigError, ("rate='0.5'",)),
    ("dropout-nan", lambda: Dropout(float("nan")), ConfigError, ("rate=nan",)),
    ("activation-name", lambda: Activation("sigmoidd"), ConfigError,
     ("activation", "'sigmoidd'", "did you mean 'sigmoid'?")),
    ("repeat-vector-n", lambda: RepeatVector(0), ConfigError, ("RepeatVector n", "n=0")),
    ("embedding-vocab", lambda: Embedding(0, 4), ConfigError, ("vocab_size=0",)),
    ("embedding-dim", lambda: Embedding(10, -1), ConfigError, ("output_dim=-1",)),
    ("embedding-mask", lambda: Embedding(10, 4, mask_zero="true"), InputTypeError,
     ("mask_zero='true'",)),
    ("embedding-initializer", lambda: Embedding(10, 4, embeddings_initializer="unifrom"),
     ConfigError, ("Embedding embeddings_initializer", "'normal'", "'uniform'",
                   "'unifrom'", "did you mean 'uniform'?")),
    ("layer-norm-zero", lambda: LayerNormalization(0), ConfigError,
     ("LayerNormalization epsilon", "epsilon=0")),
    ("layer-norm-negative", lambda: LayerNormalization(-1e-3), ConfigError,
     ("epsilon=-0.001",)),
    ("layer-norm-bool", lambda: LayerNormalization(True), ConfigError, ("epsilon=True",)),
    ("layer-norm-str", lambda: LayerNormalization("1e-3"), ConfigError,
     ("epsilon='1e-3'",)),
    ("bidirectional-dense", lambda: Bidirectional(Dense(3)), InputTypeError,
     ("Bidirectional layer", "an LSTM, GRU or SimpleRNN", "Dense")),
    ("bidirectional-twice", lambda: Bidirectional(LSTM(3, bidirectional=True)), ConfigError,
     ("bidirectional=True", "not both")),
    ("bidirectional-merge", lambda: Bidirectional(LSTM(3), merge_mode="max"), ConfigError,
     ("merge_mode='max'", "'concat'")),
    ("bidirectional-unknown-class", lambda: Bidirectional({"class_name": "RNN"}),
     ConfigError, ("class_name='RNN'", "'LSTM'")),
    ("bidirectional-name", lambda: Bidirectional(GRU(2), name="1st"), ConfigError,
     ("name='1st'",)),
]


@pytest.mark.parametrize(("make", "error", "needles"),
                         [case[1:] for case in CONSTRUCTOR_ERRORS],
                         ids=[case[0] for case in CONSTRUCTOR_ERRORS])
def test_constructor_validation(make: Callable[[], object], error: type,
                                needles: tuple[str, ...]) -> None:
    with pytest.raises(error) as info:
        make()
    assert isinstance(info.value, SeqkitError)
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert "expected" in message and "but received" in message


def test_error_classes_are_builtin_subclasses() -> None:
    with pytest.raises(ValueError):
        LSTM(0)
    with pytest.raises(TypeError):
        LSTM(4, return_sequences="no")


@pytest.mark.parametrize("make", [lambda: LSTM(4), lambda: GRU(4),
                                  lambda: Bidirectional(LSTM(4)),
                                  GlobalAveragePooling1D, GlobalMaxPooling1D])
def test_2d_input_to_a_sequence_layer_suggests_a_feature_axis(make: Callable) -> None:
    layer = make()
    with pytest.raises(InputError) as info:
        layer(torch.randn(32, 10))
    message = str(info.value)
    assert "(32, 10)" in message
    assert "(batch, time, features)" in message
    assert "x[..., None]" in message


def test_4d_input_to_lstm() -> None:
    with pytest.raises(InputError, match=r"shape \(2, 3, 4, 5\)") as info:
        LSTM(4)(torch.randn(2, 3, 4, 5))
    assert "x[..., None]" not in str(info.value)  # that fix only fits a missing axis


def test_wrong_rank_after_build() -> None:
    layer = LSTM(3)
    layer(torch.randn(2, 5, 4))
    with pytest.raises(InputError, match=r"x\[\.\.\., None\]"):
        layer(torch.randn(2, 5))


@pytest.mark.parametrize(("make", "good", "bad"), [
    (lambda: LSTM(3), (2, 5, 4), (2, 5, 6)),
    (lambda: GRU(3, bidirectional=True), (2, 5, 4), (2, 5, 1)),
    (lambda: Bidirectional(GRU(3)), (2, 5, 4), (2, 5, 6)),
    (lambda: Dense(2), (2, 4), (2, 6)),
    (lambda: Dense(2), (2, 5, 4), (2, 5, 6)),
    (lambda: LayerNormalization(), (2, 5, 4), (2, 5, 6)),
    (lambda: RepeatVector(3), (2, 4), (2, 6)),
    (GlobalAveragePooling1D, (2, 5, 4), (2, 5, 6)),
])
def test_wrong_feature_size_after_build(make: Callable, good: tuple, bad: tuple) -> None:
    layer = make()
    layer(torch.randn(good))
    with pytest.raises(InputError) as info:
        layer(torch.randn(bad))
    message = str(info.value)
    assert f"expected {good[-1]} features" in message
    assert f"shape {bad}" in message
    with pytest.raises(InputError):  # explicit build with the wrong size too
        layer.build((None, *bad[1:]))


def test_features_may_change_for_layers_without_weights() -> None:
    layer = Dropout(0.1)
    layer(torch.randn(2, 3))
    assert layer(torch.randn(2, 7)).values.shape == (2, 7)


def test_repeat_vector_rejects_sequences() -> None:
    with pytest.raises(InputError, match=r"2D input \(batch, features\).*\(2, 3, 4\)"):
        RepeatVector(2)(torch.randn(2, 3, 4))


def test_embedding_rejects_float_ids() -> None:
    with pytest.raises(InputTypeError, match=r"integer token ids.*torch\.float32.*\.long\(\)"):
        Embedding(10, 2)(torch.rand(2, 3))


@pytest.mark.parametrize(("kind", "state", "part", "expected"), [
    # LSTM(4, bidirectional=True): expected (3, 2, 4) per part
    (LSTM, RecurrentState(torch.zeros(3, 1, 4), torch.zeros(3, 1, 4)), "h", "(3, 2, 4)"),
    (LSTM, RecurrentState(torch.zeros(2, 4, 2), torch.zeros(2, 4, 2)), "h", "(3, 2, 4)"),
    (LSTM, RecurrentState(torch.zeros(3, 2, 4), torch.zeros(3, 2, 5)), "c", "(3, 2, 4)"),
    (LSTM, RecurrentState(torch.zeros(3, 2, 4)), "c", "(3, 2, 4)"),  # a GRU's state
    (GRU, RecurrentState(torch.zeros(3, 2, 3)), "h", "(3, 2, 4)"),
    # torch's own layout, (layers * directions, batch, units), is refused
    (GRU, RecurrentState(torch.zeros(2, 3, 4)), "h", "(3, 2, 4)"),
])
def test_previous_state_of_the_wrong_shape(kind: type, state: RecurrentState, part: str,
                                           expected: str) -> None:
    layer = kind(4, bidirectional=True, initial_state="previous")
    with pytest.raises(InputError) as info:
        layer(torch.randn(3, 5, 2), None, state)
    message = str(info.value)
    assert f"initial state {part}" in message
    assert f"shape {expected} = (batch, num_layers * directions, units)" in message
    got = getattr(state, part)
    assert f"received shape {None if got is None else tuple(got.shape)}" in message
    assert "batch-major" in message


def test_previous_state_missing() -> None:
    with pytest.raises(InputError, match=r"initial_state='previous'.*recurrent layer before"):
        GRU(4, initial_state="previous")(torch.randn(3, 5, 2))
