"""Preprocessing that runs on the host before batching: text to token ids and lengths,
feature scaling, target scaling and label encoding.

Examples:
    >>> from seqkit.preprocessing import TextVectorizer
    >>> vectorizer = TextVectorizer(output_sequence_length=4)
    >>> vectorizer.adapt(["a b b", "c"])
    >>> vectorizer(["b a x"])
    VectorizedText(ids=tensor([[2, 3, 1, 0]]), lengths=tensor([3]))
"""

from seqkit.preprocessing._text_ops import OOV_TOKEN, PAD_TOKEN
from seqkit.preprocessing.base import PREPROCESSOR_REGISTRY, Preprocessor
from seqkit.preprocessing.normalization import Normalization
from seqkit.preprocessing.targets import LabelEncoder, TargetScaler
from seqkit.preprocessing.text import TextVectorizer, VectorizedText
from seqkit.preprocessing.word_vectors import WordVectors, load_word_vectors

__all__ = [
    "OOV_TOKEN",
    "PAD_TOKEN",
    "PREPROCESSOR_REGISTRY",
    "LabelEncoder",
    "Normalization",
    "Preprocessor",
    "TargetScaler",
    "TextVectorizer",
    "VectorizedText",
    "WordVectors",
    "load_word_vectors",
]
