"""``TextVectorizer``'s signal-keeping ``split="words"``, ``min_count`` and the adapt
listeners (a preset sizes its embedding from them)."""

from __future__ import annotations

import json

import pytest

from seqkit.errors import ConfigError
from seqkit.preprocessing import TextVectorizer
from seqkit.preprocessing._text_ops import split_words


@pytest.mark.parametrize(("text", "tokens"), [
    ("Great!!! Would buy again?", ["Great", "!", "!", "!", "Would", "buy", "again", "?"]),
    ("$4.99 for 2 bags, 10:30 delivery", ["4.99", "for", "2", "bags", "10:30", "delivery"]),
    ("see https://a.example/x?y=1. or www.b.org!", ["see", "https://a.example/x?y=1", "or",
                                                    "www.b.org", "!"]),
    ("@amazon #fail :(", ["@amazon", "#fail"]),
    ("don't… can\u2019t", ["don't", "can\u2019t"]),
    ("love it 😀👍 ☕", ["love", "it", "😀", "👍", "☕"]),
    ("3rd x2 snake_case", ["3rd", "x2", "snake", "case"]),
    ("«Ça va?» — très bien.", ["Ça", "va", "?", "très", "bien"]),
    ("", []),
])
def test_split_words_keeps_the_tokens_that_carry_signal(text: str, tokens: list[str]) -> None:
    assert split_words(text) == tokens


def test_words_split_in_a_vectorizer_with_lower_case() -> None:
    vectorizer = TextVectorizer(standardize="lower", split="words")
    assert vectorizer.tokenize(["Loved it! #Yum"]) == [["loved", "it", "!", "#yum"]]


def test_keras_default_standardization_still_strips_punctuation() -> None:
    assert TextVectorizer().tokenize(["Loved it! #Yum"]) == [["loved", "it", "yum"]]


def test_min_count_leaves_rare_tokens_out_of_the_vocabulary() -> None:
    texts = ["a b c", "a b", "a d"]
    vectorizer = TextVectorizer(min_count=2)
    vectorizer.adapt(texts)
    assert vectorizer.vocabulary == ["", "[UNK]", "a", "b"]
    assert vectorizer(["c a"]).ids.tolist() == [[1, 2]]
    keep_all = TextVectorizer()
    keep_all.adapt(texts)
    assert keep_all.vocabulary == ["", "[UNK]", "a", "b", "c", "d"]


def test_min_count_is_config_and_checked() -> None:
    config = json.loads(json.dumps(TextVectorizer(min_count=3).get_config()))
    assert config["min_count"] == 3
    assert TextVectorizer.from_config(config).min_count == 3
    with pytest.raises(ConfigError, match="min_count"):
        TextVectorizer(min_count=0)


def test_adapt_tells_its_listeners_the_vocabulary_size() -> None:
    sizes: list[int] = []
    vectorizer = TextVectorizer()
    vectorizer.adapt_listeners.append(sizes.append)
    vectorizer.adapt(["a b", "b c"])
    vectorizer.adapt(["a"])
    assert sizes == [5, 3]
    assert "adapt_listeners" not in vectorizer.get_config()
