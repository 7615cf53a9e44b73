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
from seqkit.layers.tfidf_linear import TfidfLinear
from seqkit.layers.wide_deep import WideAndDeep
from seqkit.models.sequential import Sequential
from seqkit.preprocessing.normalization import Normalization
from seqkit.preprocessing.targets import LabelEncoder
from seqkit.preprocessing.text import TextVectorizer
from seqkit.presets._heads import ClassifierHead, add_classifier, classifier_compile_args
from seqkit.presets._text_model import use_preset_callbacks, watch_vocabulary
from seqkit.presets._word_vectors import as_word_vectors, use_word_vectors
from seqkit.presets.regression import recurrent_stack

__all__ = ["POOLINGS", "sequence_classifier", "text_classifier"]

POOLINGS = ("last", "max", "mean")
"""How the recurrent outputs become one vector per sequence: the presets' ``pooling=``."""


def text_classifier(num_classes: int | None = None, max_tokens: int = 20_000,
                    embed_dim: int = 64, units: int = 32, bidirectional: bool = True, *,
                    num_layers: int = 1, dropout: float = 0.3, cell: str = "gru",
                    output_sequence_length: int | None = None, ngrams: int | None = None,
                    lr: float = 3e-3, pooling: str = "max", ensemble: int = 1,
                    min_count: int = 2, embedding_dropout: float = 0.2,
                    wide_ngrams: int | None = 2, early_stopping: int | None = 2,
                    word_vectors: Any = None) -> Sequential:
    """A compiled text classifier: raw strings in, class probabilities and labels out.

    ``TextVectorizer(standardize="lower", split="words", min_count=2)`` (adapted on the
    training texts during ``fit``; ``!``, ``?``, numbers, emoji, ``@mentions``,
    ``#hashtags`` and URLs stay tokens) -> a [`WideAndDeep`][seqkit.WideAndDeep] body:

    * deep: ``Embedding(mask_zero=True)`` sized to the adapted vocabulary -> ``Dropout``
      on the embedded words -> recurrent layers (exact lengths: padding never enters) ->
      pooling over time -> ``Dropout`` -> ``Dense``;
    * wide: a [`TfidfLinear`][seqkit.TfidfLinear], a linear model over TF-IDF features
      of the words, their hashed 2-grams and their character 2- to 5-grams. ``fit``
      fits it first, as logistic regression to convergence (its ``C`` chosen by
      validation loss), and freezes it; the deep path's head starts at zero and learns
      what the linear model leaves, so the model starts from (and, with validation
      data, never keeps an epoch worse than) a tuned bag-of-words classifier;

    their logits added and turned into probabilities (softmax, also for two classes), so
    ``predict`` (alias ``predict_proba``) returns one probability per class, in the order
    of ``model.classes_``, ``predict_classes`` the user's labels and ``evaluate`` the
    accuracy and macro-F1 (``f1``). ``fit`` stops early by default: with validation data
    (``validation_split=0.1``), training stops after ``early_stopping`` epochs without a
    lower ``val_loss`` and the best epoch's weights are put back. Last, a correction
    towards rare classes (``-s * log(class share)`` added to the logits, ``s`` from 0 to
    1 chosen by validation macro-F1) is set; ``model.wide_fit_report`` records ``C`` and
    ``s``.

    ``pooling="max"`` keeps, for each feature, its largest value over the valid steps of
    each text (``GlobalMaxPooling1D``); ``"mean"`` averages; ``"last"`` takes each
    direction's last valid step. ``ensemble=3`` trains three such models side by side in
    one [`Ensemble`][seqkit.layers.Ensemble] and averages their probabilities.

    Measured on the repository's text sets against tuned TF-IDF + logistic regression:
    ``benchmarks/text_classification.py`` and the text-classification guide.

    Args:
        num_classes: Number of classes, or ``None`` to take it from the training labels.
        max_tokens: Largest vocabulary size (padding and out-of-vocabulary ids included);
            the embedding has one row per token of the adapted vocabulary.
        embed_dim: Embedding size (the size of the word vectors with ``word_vectors``).
        units: Units per recurrent layer (per direction).
        bidirectional: Read texts in both directions.
        num_layers: Stacked recurrent layers.
        dropout: Dropout before the head (and between recurrent layers).
        cell: ``"gru"`` or ``"lstm"``.
        output_sequence_length: Truncate/pad texts to this many tokens (``None``: the
            longest text of each ``fit``/``predict`` call; lengths keep padding out).
        ngrams: Add n-grams up to this width to the recurrent path's tokens (rarely
            useful: the wide path has them).
        lr: Adam's learning rate.
        pooling: ``"max"``, ``"mean"`` or ``"last"``.
        ensemble: Independently trained copies whose probabilities are averaged (1: a
            single model).
        min_count: Tokens seen fewer times in the training texts map to out-of-vocabulary.
        embedding_dropout: Dropout on the embedded words (0: none).
        wide_ngrams: The wide path's widest word n-gram; ``None``: no wide path (the
            deep path alone, trained from the start, no prior correction).
        early_stopping: Patience in epochs of the default early stopping on ``val_loss``
            (with best-weight restore); ``None`` or 0: train every epoch. An
            ``EarlyStopping`` passed to ``fit`` replaces it.
        word_vectors: Pretrained word vectors for the embedding, from
            [`load_word_vectors`][seqkit.preprocessing.load_word_vectors] (or a path to a
            GloVe / word2vec / fastText text file): rows of the adapted vocabulary's
            tokens found there start from them (the rest from ``"uniform"``);
            ``embed_dim`` becomes their size. The report is ``model.word_vectors_report``.

    Raises:
        ConfigError: For an unknown ``pooling`` or ``cell``, or sizes below 1.

    Examples:
        >>> import seqkit as sk
        >>> model = sk.presets.text_classifier(units=8, embed_dim=8)
        >>> [type(layer).__name__ for layer in model.layers]
        ['WideAndDeep']
        >>> texts = ["good film", "bad film", "great acting", "awful plot"] * 4
        >>> _ = model.fit(texts, ["pos", "neg", "pos", "neg"] * 4, epochs=1, verbose=0)
        >>> model.predict(["good plot"]).shape, model.classes_.tolist()
        ((1, 2), ['neg', 'pos'])
        >>> model.predict_classes(["good plot"]).shape
        (1,)
    """
    positive_int(embed_dim, "embed_dim", "text_classifier")
    positive_int(max_tokens, "max_tokens", "text_classifier")
    if early_stopping is not None and early_stopping != 0:
        early_stopping = positive_int(early_stopping, "early_stopping", "text_classifier")
    fraction(dropout, "dropout", "text_classifier")
    fraction(embedding_dropout, "embedding_dropout", "text_classifier")
    vectorizer = TextVectorizer(max_tokens=max_tokens, standardize="lower", split="words",
                                output_sequence_length=output_sequence_length, ngrams=ngrams,
                                min_count=min_count)
    vectors = None if word_vectors is None else as_word_vectors(word_vectors)
    if vectors is not None:
        embed_dim = vectors.dim
    deep: list[Layer] = [Embedding(max_tokens, embed_dim, mask_zero=True,
                                   embeddings_initializer="uniform")]
    if embedding_dropout > 0:
        deep.append(Dropout(embedding_dropout))
    deep += _pooled_stack(units, num_layers, dropout, bidirectional, cell, pooling,
                          "text_classifier")
    if dropout > 0:
        deep.append(Dropout(dropout))
    body: list[Layer] = deep
    if wide_ngrams is not None:
        wide = TfidfLinear(1, vocab_size=max_tokens,
                           ngrams=positive_int(wide_ngrams, "wide_ngrams", "text_classifier"))
        body = [WideAndDeep(deep, wide)]
    model = _classifier([vectorizer], body, ensemble, num_classes, lr, "text_classifier")
    watch_vocabulary(model, vectorizer)
    if vectors is not None:
        use_word_vectors(model, vectorizer, vectors)
    use_preset_callbacks(model, early_stopping, wide_fit=wide_ngrams is not None)
    return model


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
        body = [Ensemble(body, members=ensemble, combine="mean")]
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
