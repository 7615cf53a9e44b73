"""Classification presets: text (strings in) and numeric sequences."""

from __future__ import annotations

from typing import Any

from seqkit._checks import boolean, fraction, one_of, positive_int
from seqkit.errors import ConfigError, explain
from seqkit.layers.base import Layer
from seqkit.layers.core import Dropout
from seqkit.layers.embedding import Embedding
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from seqkit.models.sequential import Sequential
from seqkit.preprocessing.normalization import Normalization
from seqkit.preprocessing.targets import LabelEncoder
from seqkit.preprocessing.text import TextVectorizer
from seqkit.presets._heads import ClassifierHead, add_classifier, classifier_compile_args
from seqkit.presets.regression import recurrent_stack

__all__ = ["POOLINGS", "sequence_classifier", "text_classifier"]

POOLINGS = ("last", "max", "mean")
"""How the recurrent outputs become one vector per sequence: the presets' ``pooling=``."""


def text_classifier(num_classes: int | None = None, max_tokens: int = 20_000,
                    embed_dim: int = 128, units: int = 64, bidirectional: bool = True, *,
                    num_layers: int = 1, dropout: float = 0.2, cell: str = "lstm",
                    output_sequence_length: int | None = None, ngrams: int | None = None,
                    lr: float = 1e-3, pooling: str = "max", ensemble: int = 1) -> Sequential:
    """A compiled text classifier: raw strings in, original labels out.

    ``TextVectorizer`` (adapted on the training texts during ``fit``) ->
    ``Embedding(mask_zero=True, embeddings_initializer="uniform")`` -> recurrent layers
    (exact lengths: padding never enters) -> pooling over time -> ``Dropout`` -> ``Dense``.
    Labels of any kind are encoded (``predict_classes`` returns them); two classes train
    one logit with binary cross-entropy, more train ``cross_entropy``.

    The default ``pooling="max"`` keeps, for each feature, its largest value over the
    valid steps of each text (``GlobalMaxPooling1D``): every word can raise a feature,
    wherever it stands. On topic classification of short quotations it did best (validation
    macro-F1 after 10 epochs of a BiGRU: 0.61 max, 0.56 mean, 0.51 last; see
    ``benchmarks/text_classification_quotes.py``). ``pooling="last"`` gives the classic
    last-hidden-state classifier.

    ``ensemble=3`` trains three such models (each with its own embedding) side by side in
    one [`Ensemble`][seqkit.layers.Ensemble] and averages their class probabilities: three
    times the cost, and on small data markedly steadier and better than one model
    (quotations by topic: validation macro-F1 0.63 against 0.61 for one model).

    Args:
        num_classes: Number of classes, or ``None`` to take it from the training labels.
        max_tokens: Vocabulary size (padding and out-of-vocabulary ids included).
        embed_dim: Embedding size.
        units: Units per recurrent layer (per direction).
        bidirectional: Read texts in both directions.
        num_layers: Stacked recurrent layers.
        dropout: Dropout before the head (and between recurrent layers).
        cell: ``"lstm"`` or ``"gru"``.
        output_sequence_length: Truncate/pad texts to this many tokens (``None``: the
            longest text of each ``fit``/``predict`` call; lengths keep padding out).
        ngrams: Add n-grams up to this width to the vocabulary.
        lr: Adam's learning rate.
        pooling: How the recurrent outputs become one vector per text: ``"max"`` or
            ``"mean"`` over each text's valid steps (``GlobalMaxPooling1D`` /
            ``GlobalAveragePooling1D`` after a ``return_sequences=True`` stack), or
            ``"last"``: each direction's last valid step.
        ensemble: Independently trained copies whose probabilities are averaged (1: a
            single model).

    Raises:
        ConfigError: For an unknown ``pooling`` or ``cell``, or sizes below 1.

    Examples:
        >>> import seqkit as sk
        >>> model = sk.presets.text_classifier(units=8, embed_dim=8, max_tokens=50)
        >>> [type(layer).__name__ for layer in model.layers]
        ['Embedding', 'LSTM', 'GlobalMaxPooling1D', 'Dropout']
        >>> texts = ["good film", "bad film", "great acting", "awful plot"] * 4
        >>> _ = model.fit(texts, ["pos", "neg", "pos", "neg"] * 4, epochs=1, verbose=0)
        >>> model.predict_classes(["good plot"]).shape
        (1,)
    """
    positive_int(embed_dim, "embed_dim", "text_classifier")
    fraction(dropout, "dropout", "text_classifier")
    vectorizer = TextVectorizer(max_tokens=max_tokens,
                                output_sequence_length=output_sequence_length, ngrams=ngrams)
    body: list[Layer] = [
        Embedding(max_tokens, embed_dim, mask_zero=True, embeddings_initializer="uniform"),
        *_pooled_stack(units, num_layers, dropout, bidirectional, cell, pooling,
                       "text_classifier"),
    ]
    if dropout > 0:
        body.append(Dropout(dropout))
    return _classifier([vectorizer], body, ensemble, num_classes, lr, "text_classifier")


def sequence_classifier(num_classes: int | None = None, units: int = 64,
                        num_layers: int = 1, bidirectional: bool = False, *,
                        dropout: float = 0.0, cell: str = "lstm", normalize: bool = True,
                        lr: float = 1e-3, pooling: str = "last", ensemble: int = 1
                        ) -> Sequential:
    """A compiled classifier for numeric, multivariate, possibly variable-length sequences.

    ``Normalization`` -> recurrent layers (each sequence read to its own end; ragged lists
    work) -> ``Dense``. Labels as in [`text_classifier`][].

    Args:
        num_classes: Number of classes, or ``None`` to take it from the training labels.
        units: Units per recurrent layer (per direction).
        num_layers: Stacked recurrent layers.
        bidirectional: Read sequences in both directions.
        dropout: Dropout before the head (and between recurrent layers).
        cell: ``"lstm"`` or ``"gru"``.
        normalize: Scale input features (adapted during ``fit``).
        lr: Adam's learning rate.
        pooling: ``"last"`` (each direction's last valid step, the default), or ``"max"``
            / ``"mean"`` over each sequence's valid steps, as in [`text_classifier`][].
        ensemble: Independently trained copies whose probabilities are averaged, as in
            [`text_classifier`][] (1: a single model).

    Raises:
        ConfigError: For an unknown ``pooling`` or ``cell``, or sizes below 1.

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.presets.sequence_classifier(units=8)
        >>> x = [np.random.rand(n, 3).astype("float32") for n in (4, 7, 5, 6)]
        >>> _ = model.fit(x, ["a", "b", "a", "b"], epochs=1, verbose=0)
        >>> model.predict_classes(x).shape
        (4,)
    """
    body = _pooled_stack(units, num_layers, dropout, bidirectional, cell, pooling,
                         "sequence_classifier")
    if dropout > 0:
        body.append(Dropout(dropout))
    boolean(normalize, "normalize", "sequence_classifier")
    return _classifier([Normalization()] if normalize else [], body, ensemble, num_classes,
                       lr, "sequence_classifier")


def _pooled_stack(units: int, num_layers: int, dropout: float, bidirectional: bool,
                  cell: str, pooling: str, name: str) -> list[Layer]:
    """Recurrent layers and the pooling that turns their steps into one vector."""
    one_of(pooling, "pooling", name, POOLINGS)
    layers = recurrent_stack(units, num_layers, dropout, bidirectional, cell,
                             last_returns_sequences=pooling != "last")
    if pooling == "max":
        layers.append(GlobalMaxPooling1D())
    elif pooling == "mean":
        layers.append(GlobalAveragePooling1D())
    return layers


def _classifier(preprocessing: list[Any], body: list[Layer], ensemble: int,
                num_classes: int | None, lr: float, name: str) -> Sequential:
    """The model: preprocessing, then the body (or an ``Ensemble`` of copies of it), then
    the classifier head, now or (``num_classes=None``) once ``fit`` sees the labels."""
    if positive_int(ensemble, "ensemble", name) > 1:
        body = [Ensemble(body, members=ensemble, combine="softmax")]
    model = Sequential([*preprocessing, *body], name=name)
    model.label_encoder = LabelEncoder()  # predict_classes answers in the user's labels
    if num_classes is None:
        model.pending_head = ClassifierHead(lr)
    else:
        if positive_int(num_classes, "num_classes", name) < 2:
            raise ConfigError(explain(f"{name} num_classes", expected="at least 2",
                                      received=f"num_classes={num_classes}",
                                      fix="use sk.presets.regressor for one numeric output"))
        add_classifier(model, num_classes)
        model.compile(**classifier_compile_args(num_classes, lr))
    return model
