"""``TfidfLinear`` and its closed-form fit against scikit-learn's ``TfidfVectorizer`` and
``LogisticRegression``; configs, saving and padding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError
from seqkit.layers.tfidf_linear import char_ngrams_of
from seqkit.training.logistic import fit_logistic, fit_tfidf_linear

sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
sklearn_linear = pytest.importorskip("sklearn.linear_model")

VOCABULARY = ["", "[UNK]", "good", "film", "bad", "plot", "great", "loved", "loving"]
TEXTS = [["good", "film", "good"], ["bad", "plot"], ["great", "film"], ["bad", "film"],
         ["loved", "plot"], ["loving", "good", "film"], ["bad", "bad", "plot"], ["great"]]
LABELS = [1, 0, 1, 0, 1, 1, 0, 1]


def _ids() -> tuple[torch.Tensor, torch.Tensor]:
    """The texts as right-padded token ids and their lengths."""
    width = max(len(text) for text in TEXTS)
    ids = torch.zeros(len(TEXTS), width, dtype=torch.long)
    for row, text in enumerate(TEXTS):
        ids[row, :len(text)] = torch.tensor([VOCABULARY.index(token) for token in text])
    return ids, torch.tensor([len(text) for text in TEXTS])


def _fitted(**settings: object) -> sk.TfidfLinear:
    layer = sk.TfidfLinear(2, vocab_size=len(VOCABULARY), **settings)  # type: ignore[arg-type]
    layer.set_vocabulary(VOCABULARY)
    layer.build((None, None))
    ids, lengths = _ids()
    fit_tfidf_linear(layer, [(ids, lengths, torch.tensor(LABELS))], default_c=4.0)
    return layer


def test_the_features_are_scikit_learns_tfidf() -> None:
    layer = _fitted(ngrams=1, char_ngrams=None)
    ids, lengths = _ids()
    counts = layer.term_counts(ids, lengths)
    ours = np.zeros((len(TEXTS), layer.features))
    ours[counts.row.numpy(), counts.feature.numpy()] = layer.tfidf(counts, len(TEXTS)).numpy()
    vectorizer = sklearn_text.TfidfVectorizer(analyzer=lambda tokens: tokens,
                                              sublinear_tf=True, vocabulary=VOCABULARY[2:])
    theirs = vectorizer.fit_transform(TEXTS).toarray()
    np.testing.assert_allclose(ours[:, 2:], theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.idf[2:].numpy(), vectorizer.idf_, rtol=1e-6)


def test_the_fit_is_scikit_learns_logistic_regression() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((60, 5)) * (rng.random((60, 5)) < 0.5)
    y = rng.integers(0, 3, 60)
    weight, bias = fit_logistic(torch.tensor(x, dtype=torch.float32).to_sparse(),
                                torch.tensor(y), 3, c=2.0)
    ours = torch.softmax(torch.tensor(x, dtype=torch.float32) @ weight + bias, 1).numpy()
    theirs = sklearn_linear.LogisticRegression(C=2.0, tol=1e-8, max_iter=5000).fit(x, y)
    np.testing.assert_allclose(ours, theirs.predict_proba(x), atol=2e-4)


def test_character_ngrams_let_unseen_forms_share_weights() -> None:
    layer = _fitted()
    ids = torch.tensor([[VOCABULARY.index("loving")], [VOCABULARY.index("bad")]])
    words_only = _fitted(char_ngrams=None)
    # "loving" shares " lo", "lov", "ove"... with "loved" (a positive text): positive
    # through its character n-grams even where its own weight is small
    assert layer.char_table[VOCABULARY.index("loving")].ge(0).sum() > 10
    assert layer.char_table[:2].lt(0).all()  # padding and OOV have none
    positive = torch.softmax(layer(ids).values, 1)[:, 1]
    assert positive[0] > positive[1]
    assert layer.features > words_only.features
    assert char_ngrams_of("ab", (3, 3)) == [" ab", "ab "]


def test_padding_and_the_batch_do_not_change_a_texts_output() -> None:
    layer = _fitted()
    ids, lengths = _ids()
    together = layer(ids, lengths).values
    for row, length in enumerate(lengths.tolist()):
        alone = layer(ids[row:row + 1, :length]).values
        torch.testing.assert_close(alone[0], together[row], rtol=1e-5, atol=1e-6)


def test_weights_are_not_trained_by_default() -> None:
    assert not any(p.requires_grad for p in _fitted().parameters())
    assert all(p.requires_grad for p in _fitted(trainable=True).parameters())


def test_config_round_trip_and_save_load(tmp_path: Path) -> None:
    layer = _fitted()
    again = sk.TfidfLinear.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    model = sk.Sequential([layer])
    ids, _ = _ids()
    path = sk.save_model(model, tmp_path / "tfidf")
    loaded = sk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(ids.numpy(), verbose=0),
                                  model.predict(ids.numpy(), verbose=0))


@pytest.mark.parametrize("settings", [{"char_ngrams": (3, 2)}, {"char_ngrams": (0, 3)},
                                      {"char_ngrams": "ab"}, {"ngrams": 0}])
def test_bad_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        sk.TfidfLinear(2, vocab_size=5, **settings)  # type: ignore[arg-type]


def test_a_vocabulary_of_another_size_is_refused() -> None:
    with pytest.raises(ConfigError, match="9 tokens"):
        sk.TfidfLinear(2, vocab_size=9).set_vocabulary(["", "[UNK]", "a"])
