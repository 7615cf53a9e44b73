"""seqkit: Keras-style sequence models for PyTorch, with layouts, states and padding right.

Examples:
    >>> import seqkit as sk
    >>> model = sk.Sequential([sk.LSTM(16), sk.Dense(1)], loss="mse", metrics=["mae"])
    >>> [layer.name for layer in model.layers]
    ['lstm', 'dense']
"""

from seqkit import (
    callbacks,
    data,
    datasets,
    errors,
    evaluation,
    layers,
    preprocessing,
    presets,
    training,
)
from seqkit._version import __version__
from seqkit.errors import SeqkitError
from seqkit.evaluation import plot_forecast
from seqkit.layers import (
    GRU,
    LSTM,
    Activation,
    Attention,
    AttentionPooling1D,
    AveragePooling1D,
    BatchNormalization,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    Ensemble,
    Flatten,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    Input,
    LastStep,
    LayerNormalization,
    Masking,
    MaxPooling1D,
    MultiHeadAttention,
    NGramBag,
    RecurrentState,
    RepeatVector,
    Reshape,
    SimpleRNN,
    SpatialDropout1D,
    TfidfLinear,
    TimeDistributed,
    WideAndDeep,
    WindowNormalization,
)
from seqkit.models import Sequential, from_keras, kernel_paths
from seqkit.preprocessing import LabelEncoder, Normalization, TargetScaler, TextVectorizer
from seqkit.presets import forecast
from seqkit.saving import load_model, save_model
from seqkit.training import History

__all__ = [
    "GRU",
    "LSTM",
    "Activation",
    "Attention",
    "AttentionPooling1D",
    "AveragePooling1D",
    "BatchNormalization",
    "Bidirectional",
    "Conv1D",
    "Dense",
    "Dropout",
    "Embedding",
    "Ensemble",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "History",
    "Input",
    "LabelEncoder",
    "LastStep",
    "LayerNormalization",
    "Masking",
    "MaxPooling1D",
    "MultiHeadAttention",
    "NGramBag",
    "Normalization",
    "RecurrentState",
    "RepeatVector",
    "Reshape",
    "SeqkitError",
    "Sequential",
    "SimpleRNN",
    "SpatialDropout1D",
    "TargetScaler",
    "TextVectorizer",
    "TfidfLinear",
    "TimeDistributed",
    "WideAndDeep",
    "WindowNormalization",
    "__version__",
    "callbacks",
    "data",
    "datasets",
    "errors",
    "evaluation",
    "forecast",
    "from_keras",
    "kernel_paths",
    "layers",
    "load_model",
    "plot_forecast",
    "preprocessing",
    "presets",
    "save_model",
    "training",
]
