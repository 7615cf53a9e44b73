"""Converters (see [`seqkit.layers.keras_config`][]) for ``BatchNormalization``,
``SpatialDropout1D``, ``Flatten``, ``Reshape`` and ``TimeDistributed``.

Registered on import, by [`seqkit.layers.keras_converters`][] (which ``sk.from_keras``
imports).
"""

from __future__ import annotations

from seqkit.errors import ConfigError, explain
from seqkit.layers.base import Layer
from seqkit.layers.batch_normalization import BatchNormalization
from seqkit.layers.keras_config import KerasLayer, convert_layer, keras_converter
from seqkit.layers.reshaping import Flatten, Reshape
from seqkit.layers.spatial_dropout import SpatialDropout1D
from seqkit.layers.time_distributed import TimeDistributed

__all__: list[str] = []


@keras_converter("BatchNormalization")
def _batch_normalization(keras: KerasLayer) -> Layer:
    axis = keras.get("axis", -1)
    if axis not in (-1, [-1]):
        raise ConfigError(explain(f"from_keras: {keras.label} argument axis",
                                  expected="-1 (seqkit normalises the last axis)",
                                  received=f"axis={axis!r}"))
    keras.expect("renorm", False, reason="seqkit has no batch renormalisation")
    keras.expect("synchronized", False, reason="seqkit trains on one device per batch")
    for key in ("renorm_clipping", "renorm_momentum"):  # only read with renorm=True
        keras.get(key)
    return BatchNormalization(
        -1, keras.get("momentum", 0.99), keras.get("epsilon", 1e-3),
        keras.get("center", True), keras.get("scale", True),
        beta_initializer=keras.initializer("beta_initializer", "zeros"),
        gamma_initializer=keras.initializer("gamma_initializer", "ones"),
        moving_mean_initializer=keras.initializer("moving_mean_initializer", "zeros"),
        moving_variance_initializer=keras.initializer("moving_variance_initializer",
                                                      "ones"),
        name=keras.name)


@keras_converter("SpatialDropout1D")
def _spatial_dropout(keras: KerasLayer) -> Layer:
    return SpatialDropout1D(keras.get("rate"), name=keras.name)


@keras_converter("Flatten")
def _flatten(keras: KerasLayer) -> Layer:
    keras.expect("data_format", "channels_last", None,
                 reason="seqkit is batch, time, features")
    return Flatten(name=keras.name)


@keras_converter("Reshape")
def _reshape(keras: KerasLayer) -> Layer:
    return Reshape(keras.get("target_shape"), name=keras.name)


@keras_converter("TimeDistributed")
def _time_distributed(keras: KerasLayer) -> Layer:
    inner, _, _ = convert_layer(keras.get("layer"))
    if not isinstance(inner, Layer):
        raise ConfigError(explain(f"from_keras: {keras.label} argument layer",
                                  expected="a layer", received=type(inner).__name__))
    return TimeDistributed(inner, name=keras.name)
