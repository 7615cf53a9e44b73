"""The converters of [`seqkit.layers.keras_config`][]: one small function per Keras layer.

Each reads the Keras arguments it honours (``keras.get``), pins those seqkit can take only
at one value (``keras.expect``) and returns the seqkit layer named as in Keras.
"""

from __future__ import annotations

from typing import Any

from seqkit.errors import ConfigError, explain
from seqkit.layers.attention import MultiHeadAttention
from seqkit.layers.base import Layer
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.convolutional import Conv1D
from seqkit.layers.core import Activation, Dense, Dropout, RepeatVector
from seqkit.layers.dot_attention import Attention
from seqkit.layers.embedding import Embedding
from seqkit.layers.input import Input
from seqkit.layers.keras_config import KerasLayer, convert_layer, keras_converter
from seqkit.layers.masking import Masking
from seqkit.layers.normalization import LayerNormalization
from seqkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from seqkit.layers.recurrent import GRU, LSTM
from seqkit.layers.simple_rnn import SimpleRNN
from seqkit.layers.window_pooling import AveragePooling1D, MaxPooling1D

__all__: list[str] = []


@keras_converter("InputLayer")
def _input(keras: KerasLayer) -> Input:
    shape = keras.get("batch_shape") or keras.get("batch_input_shape")
    for key in ("dtype", "sparse", "ragged", "optional"):
        keras.get(key)
    if not isinstance(shape, list) or len(shape) < 2:
        raise ConfigError(explain(f"from_keras: {keras.label}", expected="a batch shape "
                                  "(None, time, ...)", received=f"batch_shape={shape!r}"))
    return Input(shape[1:])


@keras_converter("Dense")
def _dense(keras: KerasLayer) -> Layer:
    activation = keras.activation()
    return Dense(keras.get("units"), None if activation == "linear" else activation,
                 use_bias=keras.get("use_bias", True),
                 kernel_initializer=keras.initializer("kernel_initializer", "glorot_uniform"),
                 bias_initializer=keras.initializer("bias_initializer", "zeros"),
                 name=keras.name)


@keras_converter("Dropout")
def _dropout(keras: KerasLayer) -> Layer:
    keras.expect("noise_shape", None, reason="seqkit drops each value on its own")
    return Dropout(keras.get("rate"), name=keras.name)


@keras_converter("Activation")
def _activation(keras: KerasLayer) -> Layer:
    return Activation(keras.activation(), name=keras.name)


@keras_converter("RepeatVector")
def _repeat(keras: KerasLayer) -> Layer:
    return RepeatVector(keras.get("n"), name=keras.name)


@keras_converter("Embedding")
def _embedding(keras: KerasLayer) -> Layer:
    return Embedding(keras.get("input_dim"), keras.get("output_dim"),
                     mask_zero=keras.get("mask_zero", False),
                     embeddings_initializer=keras.initializer("embeddings_initializer",
                                                              "uniform"),
                     name=keras.name)


@keras_converter("Masking")
def _masking(keras: KerasLayer) -> Layer:
    return Masking(keras.get("mask_value", 0.0), name=keras.name)


@keras_converter("LayerNormalization")
def _layer_norm(keras: KerasLayer) -> Layer:
    axis = keras.get("axis", -1)
    if axis not in (-1, [-1]):
        raise ConfigError(explain(f"from_keras: {keras.label} argument axis",
                                  expected="-1 (seqkit normalises the last axis)",
                                  received=f"axis={axis!r}"))
    keras.expect("center", True, reason="seqkit always learns beta")
    keras.expect("scale", True, reason="seqkit always learns gamma")
    keras.expect("rms_scaling", False, reason="seqkit has no RMS normalisation")
    for key in ("beta_initializer", "gamma_initializer"):
        keras.get(key)
    return LayerNormalization(keras.get("epsilon", 1e-3), name=keras.name)


def _pooling(cls: type[Layer]) -> Any:
    def build(keras: KerasLayer) -> Layer:
        keras.expect("data_format", "channels_last", reason="seqkit is batch, time, features")
        keras.expect("keepdims", False, reason="seqkit drops the time axis")
        return cls(name=keras.name)
    return build


keras_converter("GlobalAveragePooling1D")(_pooling(GlobalAveragePooling1D))
keras_converter("GlobalMaxPooling1D")(_pooling(GlobalMaxPooling1D))


def _recurrent_arguments(keras: KerasLayer) -> dict[str, Any]:
    keras.expect("time_major", False, reason="seqkit is batch-major")
    return {
        "units": keras.get("units"), "return_sequences": keras.get("return_sequences", False),
        "return_state": keras.get("return_state", False),
        "go_backwards": keras.get("go_backwards", False), "use_bias": keras.get("use_bias", True),
        "activation": keras.activation(), "dropout": keras.get("dropout", 0.0),
        "recurrent_dropout": keras.get("recurrent_dropout", 0.0),
        "stateful": keras.get("stateful", False),
        "kernel_initializer": keras.initializer("kernel_initializer", "glorot_uniform"),
        "recurrent_initializer": keras.initializer("recurrent_initializer", "orthogonal"),
        "bias_initializer": keras.initializer("bias_initializer", "zeros"),
        "name": keras.name,
    }


@keras_converter("LSTM")
def _lstm(keras: KerasLayer) -> Layer:
    return LSTM(**_recurrent_arguments(keras),
                recurrent_activation=keras.activation("recurrent_activation"),
                unit_forget_bias=keras.get("unit_forget_bias", True))


@keras_converter("GRU")
def _gru(keras: KerasLayer) -> Layer:
    return GRU(**_recurrent_arguments(keras),
               recurrent_activation=keras.activation("recurrent_activation"),
               reset_after=keras.get("reset_after", True))


@keras_converter("SimpleRNN")
def _simple_rnn(keras: KerasLayer) -> Layer:
    return SimpleRNN(**_recurrent_arguments(keras))


_MIRRORED = ("units", "activation", "recurrent_activation", "use_bias", "return_sequences",
             "return_state", "stateful", "dropout", "recurrent_dropout", "reset_after",
             "unit_forget_bias")


@keras_converter("Bidirectional", weight_order=("forward_layer", "backward_layer"))
def _bidirectional(keras: KerasLayer) -> Layer:
    merge_mode = keras.get("merge_mode", "concat")
    if merge_mode is None:
        raise ConfigError(explain(f"from_keras: {keras.label} argument merge_mode",
                                  expected="'concat', 'sum', 'mul' or 'ave'",
                                  received="merge_mode=None (two outputs)"))
    inner, _, inner_keras = convert_layer(keras.get("layer"))
    backward = keras.get("backward_layer")
    if isinstance(backward, dict):  # Keras 3 writes the mirror it built; a custom one differs
        mirror, forward = backward.get("config") or {}, inner_keras.config
        differs = [key for key in _MIRRORED if mirror.get(key) != forward.get(key)]
        if differs or backward.get("class_name") != inner_keras.class_name:
            raise ConfigError(explain(
                f"from_keras: {keras.label} argument backward_layer",
                expected="the mirror of the forward layer (Keras's default)",
                received=f"a {backward.get('class_name')} layer differing in "
                f"{differs or 'class'}"))
    return Bidirectional(inner, merge_mode, name=keras.name)  # type: ignore[arg-type]


@keras_converter("MultiHeadAttention",
                 weight_order=("query_dense", "key_dense", "value_dense", "output_dense"))
def _attention(keras: KerasLayer) -> Layer:
    keras.expect("attention_axes", None, [1], -1, [-2], reason="seqkit attends over time")
    keras.expect("use_gate", False, reason="seqkit has no gated attention")
    keras.expect("sliding_window", None, reason="seqkit attends to every kept step")
    return MultiHeadAttention(
        keras.get("num_heads"), keras.get("key_dim"), keras.get("value_dim"),
        keras.get("dropout", 0.0), keras.get("use_bias", True), keras.get("output_shape"),
        causal=bool(keras.call.get("use_causal_mask", False)),
        kernel_initializer=keras.initializer("kernel_initializer", "glorot_uniform"),
        bias_initializer=keras.initializer("bias_initializer", "zeros"), name=keras.name)


@keras_converter("Attention")
def _dot_attention(keras: KerasLayer) -> Layer:
    if keras.call.get("return_attention_scores"):
        raise ConfigError(explain(f"from_keras: {keras.label} call argument "
                                  "return_attention_scores", expected="False (one output)",
                                  received="True"))
    causal = keras.call.get("use_causal_mask", False) or keras.get("causal", False)
    return Attention(keras.get("use_scale", False), keras.get("score_mode", "dot"),
                     keras.get("dropout", 0.0), causal=bool(causal), name=keras.name)


def _channels_last(keras: KerasLayer) -> None:
    keras.expect("data_format", "channels_last", None, reason="seqkit is batch, time, "
                 "features")


@keras_converter("Conv1D")
def _conv1d(keras: KerasLayer) -> Layer:
    _channels_last(keras)
    activation = keras.activation()
    return Conv1D(keras.get("filters"), keras.get("kernel_size"), keras.get("strides", 1),
                  keras.get("padding", "valid"), dilation_rate=keras.get("dilation_rate", 1),
                  groups=keras.get("groups", 1),
                  activation=None if activation == "linear" else activation,
                  use_bias=keras.get("use_bias", True),
                  kernel_initializer=keras.initializer("kernel_initializer", "glorot_uniform"),
                  bias_initializer=keras.initializer("bias_initializer", "zeros"),
                  name=keras.name)


def _window_pooling(cls: type[Layer]) -> Any:
    def build(keras: KerasLayer) -> Layer:
        _channels_last(keras)
        return cls(keras.get("pool_size", 2), keras.get("strides"),  # type: ignore[call-arg]
                   keras.get("padding", "valid"), name=keras.name)
    return build


keras_converter("MaxPooling1D")(_window_pooling(MaxPooling1D))
keras_converter("AveragePooling1D")(_window_pooling(AveragePooling1D))

from seqkit.layers import keras_converters_steps  # noqa: E402, F401  (BatchNormalization, Flatten, ...)
