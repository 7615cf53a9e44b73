"""seqkit's blocks. Each maps ``(values, lengths, state) -> (values, lengths, state)``.

``lengths`` are per-row lengths or a step mask: see [`seqkit.layers.masks`][]."""

from seqkit.layers.activations import ACTIVATIONS
from seqkit.layers.attention import MultiHeadAttention
from seqkit.layers.attention_pooling import AttentionPooling1D
from seqkit.layers.base import LAYER_REGISTRY, Layer, LayerOutput
from seqkit.layers.batch_normalization import BatchNormalization
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.convolutional import Conv1D
from seqkit.layers.core import Activation, Dense, Dropout, RepeatVector
from seqkit.layers.dot_attention import Attention
from seqkit.layers.embedding import Embedding
from seqkit.layers.ensemble import COMBINES, Ensemble
from seqkit.layers.initializers import INITIALIZERS
from seqkit.layers.input import Input
from seqkit.layers.kernels import KernelPath
from seqkit.layers.masking import Masking
from seqkit.layers.ngram_bag import NGramBag
from seqkit.layers.normalization import LayerNormalization
from seqkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D, LastStep
from seqkit.layers.recurrent import GRU, LSTM, RecurrentLayer
from seqkit.layers.reshaping import Flatten, Reshape
from seqkit.layers.simple_rnn import SimpleRNN
from seqkit.layers.spatial_dropout import SpatialDropout1D
from seqkit.layers.state import RecurrentState
from seqkit.layers.tfidf_linear import TfidfLinear
from seqkit.layers.time_distributed import TimeDistributed
from seqkit.layers.wide_deep import WideAndDeep
from seqkit.layers.window_normalization import WindowNormalization
from seqkit.layers.window_pooling import AveragePooling1D, MaxPooling1D

__all__ = [
    "ACTIVATIONS",
    "COMBINES",
    "GRU",
    "INITIALIZERS",
    "LAYER_REGISTRY",
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
    "Input",
    "KernelPath",
    "LastStep",
    "Layer",
    "LayerNormalization",
    "LayerOutput",
    "Masking",
    "MaxPooling1D",
    "MultiHeadAttention",
    "NGramBag",
    "RecurrentLayer",
    "RecurrentState",
    "RepeatVector",
    "Reshape",
    "SimpleRNN",
    "SpatialDropout1D",
    "TfidfLinear",
    "TimeDistributed",
    "WideAndDeep",
    "WindowNormalization",
]
