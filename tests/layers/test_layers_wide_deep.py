"""``NGramBag`` (the wide path) and ``WideAndDeep``: outputs, padding, configs, saving."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputTypeError
from seqkit.layers.ngram_bag import _MODULUS, _PRIME


def _bag(units: int = 3, vocab_size: int = 12, ngrams: int = 2) -> sk.NGramBag:
    torch.manual_seed(0)
    bag = sk.NGramBag(units, vocab_size=vocab_size, ngrams=ngrams)
    bag.build((None, None))
    assert bag.table is not None
    with torch.no_grad():
        bag.table.weight.normal_()
    return bag


def test_ngram_bag_sums_token_and_bigram_rows_over_the_square_root_of_their_count() -> None:
    bag = _bag()
    ids = [4, 7, 2]
    weight = bag.table.weight.detach()  # type: ignore[union-attr]
    rows = [weight[i] for i in ids]
    for a, b in itertools.pairwise(ids):
        key = ((a % _MODULUS) * _PRIME + b) % _MODULUS
        rows.append(weight[bag.vocab_size + key % bag.buckets])
    expected = torch.stack(rows).sum(0) / math.sqrt(len(rows))
    got = bag(torch.tensor([ids])).values[0]
    torch.testing.assert_close(got, expected)


def test_ngram_bag_ignores_padding_and_steps_past_the_lengths() -> None:
    bag = _bag(ngrams=3)
    alone = bag(torch.tensor([[5, 3, 9]])).values
    padded = bag(torch.tensor([[5, 3, 9, 0, 0]])).values
    cut = bag(torch.tensor([[5, 3, 9, 8, 8]]), torch.tensor([3])).values
    torch.testing.assert_close(padded, alone)
    torch.testing.assert_close(cut, alone)
    assert bag(torch.tensor([[0, 0]])).values.abs().sum() == 0  # an empty text: zeros


def test_ngram_bag_word_order_reaches_the_output_through_bigrams_only() -> None:
    unigrams, bigrams = _bag(ngrams=1), _bag(ngrams=2)
    forward, backward = torch.tensor([[2, 5, 7]]), torch.tensor([[7, 5, 2]])
    torch.testing.assert_close(unigrams(forward).values, unigrams(backward).values)
    assert not torch.allclose(bigrams(forward).values, bigrams(backward).values)


def test_ngram_bag_starts_at_zero_and_is_sized_by_its_vocabulary() -> None:
    bag = sk.NGramBag(2, vocab_size=10)
    assert bag(torch.tensor([[1, 2, 3]])).values.abs().sum() == 0
    assert bag.buckets == 20 and sum(p.numel() for p in bag.parameters()) == 2 * 30
    assert sk.NGramBag.from_config(bag.get_config()).get_config() == bag.get_config()


def test_ngram_bag_refuses_float_ids_and_resizing_once_built() -> None:
    bag = sk.NGramBag(2, vocab_size=10)
    with pytest.raises(InputTypeError, match="integer token ids"):
        bag(torch.rand(2, 3))
    with pytest.raises(ConfigError, match="unbuilt"):
        bag.resize(vocab_size=5)


def _wide_and_deep(activation: str | None = "softmax") -> sk.WideAndDeep:
    torch.manual_seed(0)
    return sk.WideAndDeep([sk.Embedding(10, 4, mask_zero=True), sk.GRU(3),
                           sk.Dense(2)], sk.NGramBag(2, vocab_size=10),
                          activation=activation)


def test_wide_and_deep_adds_the_two_paths_then_applies_the_activation() -> None:
    layer = _wide_and_deep(activation=None).eval()
    ids = torch.tensor([[3, 4, 0], [5, 0, 0]])
    layer(ids)  # builds
    with torch.no_grad():
        layer.wide.table.weight.normal_()  # type: ignore[union-attr]
    deep = ids
    lengths = None
    for block in layer.deep:
        deep, lengths, _ = block(deep, lengths, None)
    expected = deep + layer.wide(ids).values
    torch.testing.assert_close(layer(ids).values, expected)
    layer.activation = "softmax"
    torch.testing.assert_close(layer(ids).values, expected.softmax(-1))


def test_wide_and_deep_head_and_vocabulary_are_set_before_building() -> None:
    layer = sk.WideAndDeep([sk.Embedding(100, 4, mask_zero=True), sk.GRU(3)],
                           sk.NGramBag(1, vocab_size=100))
    layer.resize_vocabulary(7)
    layer.add_head(3, "softmax")
    out = layer(torch.tensor([[1, 6]])).values
    assert out.shape == (1, 3)
    assert layer.deep[0].vocab_size == 7 and layer.wide.vocab_size == 7
    rebuilt = sk.WideAndDeep.from_config(layer.get_config())
    assert rebuilt.get_config() == layer.get_config()
    with pytest.raises(ConfigError, match="unbuilt"):
        layer.add_head(2, "softmax")


def test_wide_and_deep_refuses_mismatched_paths_and_unknown_activations() -> None:
    with pytest.raises(ConfigError, match="one shape"):
        sk.WideAndDeep([sk.Embedding(10, 4), sk.GRU(3), sk.Dense(2)],
                       sk.NGramBag(3, vocab_size=10))(torch.tensor([[1, 2]]))
    with pytest.raises(ConfigError, match="activation"):
        sk.WideAndDeep([sk.Embedding(10, 4)], sk.NGramBag(3, vocab_size=10),
                       activation="relu")
    with pytest.raises(ConfigError, match="at least one layer"):
        sk.WideAndDeep([], sk.NGramBag(3, vocab_size=10))


def test_a_wide_and_deep_model_trains_saves_and_loads(tmp_path: Path) -> None:
    model = sk.Sequential([_wide_and_deep()], loss="cross_entropy")
    x = np.array([[1, 2, 3], [4, 5, 0], [6, 0, 0], [7, 8, 9]] * 4)
    y = np.array([0, 1, 0, 1] * 4)
    model.fit(x, y, epochs=2, verbose=0, seed=0)
    path = tmp_path / "wd.seqkit"
    sk.save_model(model, path)
    loaded = sk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert type(model.input_layer).__name__ == "Embedding"
