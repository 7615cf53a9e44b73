"""TextVectorizer: vocabulary, standardize/split/ngrams, padding and lengths, errors, saving.

Expectations are hand-computed on tiny corpora; one end-to-end test runs on the shared
quotes data set.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from itertools import chain

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqkit.datasets import quotes_by_topic
from seqkit.errors import ConfigError, InputError, InputTypeError, NotBuiltError, SeqkitError
from seqkit.preprocessing import OOV_TOKEN, PAD_TOKEN, TextVectorizer, VectorizedText
from seqkit.preprocessing import text as text_module


def adapted(texts: list[str], **kwargs: object) -> TextVectorizer:
    vectorizer = TextVectorizer(**kwargs)  # type: ignore[arg-type]
    vectorizer.adapt(texts)
    return vectorizer


# -- vocabulary ----------------------------------------------------------------------------
def test_vocabulary_by_descending_count_ties_by_first_appearance() -> None:
    # counts: b 1, a 2, c 2, d 1; a is seen before c, b before d
    vectorizer = adapted(["b a", "a c", "c d"])
    assert vectorizer.vocabulary == ["", "[UNK]", "a", "c", "b", "d"]
    assert vectorizer.vocab_size == 6
    assert vectorizer.is_adapted


def test_ties_follow_corpus_order_across_chunks_and_generators() -> None:
    count = text_module._CHUNK * 2 + 7  # ties spanning several adapt chunks
    texts = [f"w{index}" for index in range(count)]
    vectorizer = TextVectorizer()
    vectorizer.adapt(text for text in texts)
    assert vectorizer.vocabulary[2:] == texts


def test_ties_do_not_depend_on_string_order_or_hash() -> None:
    assert adapted(["zebra apple mango"]).vocabulary[2:] == ["zebra", "apple", "mango"]


def test_max_tokens_caps_the_size_including_padding_and_oov() -> None:
    vectorizer = adapted(["b a", "a c", "c d"], max_tokens=4)
    assert vectorizer.vocabulary == ["", "[UNK]", "a", "c"]
    ids, _ = vectorizer(["a b c d"])
    assert ids.tolist() == [[2, 1, 3, 1]]


def test_max_tokens_larger_than_the_corpus_keeps_everything() -> None:
    assert adapted(["x y"], max_tokens=1000).vocab_size == 4


def test_padding_is_zero_and_oov_is_one() -> None:
    vectorizer = adapted(["red green"])
    assert (PAD_TOKEN, OOV_TOKEN) == ("", "[UNK]")
    ids, lengths = vectorizer(["green blue", "red"])
    assert ids.tolist() == [[3, 1], [2, 0]]
    assert lengths.tolist() == [2, 1]


def test_reserved_tokens_in_the_corpus_are_not_counted_again() -> None:
    vectorizer = adapted(["[UNK] x [UNK] [UNK]"], standardize=None)
    assert vectorizer.vocabulary == ["", "[UNK]", "x"]
    assert vectorizer(["[UNK] x"]).ids.tolist() == [[1, 2]]


def test_adapt_replaces_the_previous_vocabulary() -> None:
    vectorizer = adapted(["one two"])
    vectorizer.adapt(["three"])
    assert vectorizer.vocabulary == ["", "[UNK]", "three"]


@pytest.mark.parametrize("texts", [[], ["", "  ", "?!"], iter([])])
def test_adapt_on_a_corpus_without_tokens_is_refused(texts: object) -> None:
    # Only the reserved tokens would be learnt: every text would become padding.
    with pytest.raises(InputError, match=r"TextVectorizer.adapt texts.*token"):
        adapted(texts)


def test_vocabulary_property_is_a_copy() -> None:
    vectorizer = adapted(["a"])
    vectorizer.vocabulary.append("b")
    assert vectorizer.vocabulary == ["", "[UNK]", "a"]


@pytest.mark.parametrize("given_tokens", [["x", "y"], ["", "[UNK]", "x", "y"], ("x", "y")])
def test_set_vocabulary_with_or_without_the_reserved_prefix(given_tokens: list[str]) -> None:
    vectorizer = TextVectorizer()
    vectorizer.set_vocabulary(given_tokens)
    assert vectorizer.vocabulary == ["", "[UNK]", "x", "y"]
    assert vectorizer(["y z x"]).ids.tolist() == [[3, 1, 2]]
    assert TextVectorizer(vocabulary=given_tokens).vocabulary == ["", "[UNK]", "x", "y"]


# -- standardize ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("standardize", "text", "tokens"),
    [
        ("lower_and_strip_punctuation", "Hello, World! It's 5$.", ["hello", "world", "its", "5"]),
        ("lower_and_strip_punctuation", "«Hola», ¿qué tal? — ¡Bien!",
         ["hola", "qué", "tal", "bien"]),
        ("lower_and_strip_punctuation", "Don\u2019t “quote” me…", ["dont", "quote", "me"]),
        ("lower_and_strip_punctuation", "日本語、です。", ["日本語です"]),
        ("lower_and_strip_punctuation", "ΟΔΟΣ ΣΟΦΟΣ", ["οδος", "σοφος"]),
        ("lower", "Hello, World!", ["hello,", "world!"]),
        ("strip_punctuation", "Hello, World!", ["Hello", "World"]),
        (None, "Hello, World!", ["Hello,", "World!"]),
        (lambda text: text.replace("l", "L"), "hello world", ["heLLo", "worLd"]),
    ],
)
def test_standardize_modes(
    standardize: str | Callable[[str], str] | None, text: str, tokens: list[str]
) -> None:
    assert TextVectorizer(standardize=standardize).tokenize([text]) == [tokens]


def test_default_strips_what_keras_default_regex_strips() -> None:
    keras_stripped = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'"
    assert TextVectorizer().tokenize([f"a{keras_stripped}b"]) == [["ab"]]


def test_default_keeps_letters_digits_and_non_punctuation_symbols() -> None:
    assert TextVectorizer().tokenize(["C3PO € © 😀 x²"]) == [["c3po", "€", "©", "😀", "x²"]]


def test_texts_holding_the_batch_separators_standardize_alone() -> None:
    texts = ["A\x00B.", "c\x01d!", "E\x02F?", "g\x03h,"]
    assert TextVectorizer(split=None).tokenize(texts) == [
        ["a\x00b"], ["c\x01d"], ["e\x02f"], ["g\x03h"],
    ]


# -- split and ngrams ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("split", "text", "tokens"),
    [
        ("whitespace", " a\tb\nc\u3000d\xa0e  ", ["a", "b", "c", "d", "e"]),
        ("character", "ab c", ["a", "b", " ", "c"]),
        (None, "ab c", ["ab c"]),
        (None, "", []),
        (lambda text: text.split("-"), "a-b--c", ["a", "b", "c"]),
        (lambda text: tuple(text), "ab", ["a", "b"]),
    ],
)
def test_split_modes(
    split: str | Callable[[str], list[str]] | None, text: str, tokens: list[str]
) -> None:
    assert TextVectorizer(standardize=None, split=split).tokenize([text]) == [tokens]


@pytest.mark.parametrize(
    ("ngrams", "tokens"),
    [
        (None, ["a", "b", "c"]),
        (1, ["a", "b", "c"]),
        (2, ["a", "b", "c", "a b", "b c"]),
        (3, ["a", "b", "c", "a b", "b c", "a b c"]),
        (4, ["a", "b", "c", "a b", "b c", "a b c"]),
    ],
)
def test_ngrams_follow_the_unigrams_width_by_width(ngrams: int | None, tokens: list[str]) -> None:
    assert TextVectorizer(ngrams=ngrams).tokenize(["A b, c."]) == [tokens]


def test_ngrams_enter_the_vocabulary_and_ids() -> None:
    vectorizer = adapted(["a b", "a b"], ngrams=2)
    assert vectorizer.vocabulary == ["", "[UNK]", "a", "b", "a b"]
    ids, lengths = vectorizer(["b a", "a b"])
    assert ids.tolist() == [[3, 2, 1], [2, 3, 4]]
    assert lengths.tolist() == [3, 3]


def test_ngrams_of_characters() -> None:
    assert TextVectorizer(split="character", ngrams=2).tokenize(["abc"]) == [
        ["a", "b", "c", "a b", "b c"],
    ]


def test_truncation_applies_after_ngrams() -> None:
    vectorizer = adapted(["a b c"], ngrams=2, output_sequence_length=4)
    ids, lengths = vectorizer(["a b c"])
    assert ids.tolist() == [[2, 3, 4, 5]]  # a, b, c, "a b"; "b c" is cut
    assert lengths.tolist() == [4]


# -- calling: padding, truncation, lengths -------------------------------------------------
def test_output_sequence_length_pads_and_truncates() -> None:
    vectorizer = adapted(["a b c d e"], output_sequence_length=3)
    ids, lengths = vectorizer(["a b", "a b c d e", "", "e"])
    assert ids.tolist() == [[2, 3, 0], [2, 3, 4], [0, 0, 0], [6, 0, 0]]
    assert lengths.tolist() == [2, 3, 0, 1]


def test_dynamic_length_pads_to_the_longest_text_of_the_batch() -> None:
    vectorizer = adapted(["a b c d e"])
    ids, lengths = vectorizer(["a", "c d e", ""])
    assert ids.shape == (3, 3)
    assert ids.tolist() == [[2, 0, 0], [4, 5, 6], [0, 0, 0]]
    assert lengths.tolist() == [1, 3, 0]
    assert vectorizer(["a b c d e"]).ids.shape == (1, 5)


def test_output_types_and_shapes() -> None:
    result = adapted(["a"])(["a", "b"])
    assert isinstance(result, VectorizedText)
    ids, lengths = result
    assert ids.dtype == lengths.dtype == torch.int64
    assert ids.device.type == lengths.device.type == "cpu"
    assert ids.is_contiguous()
    assert lengths.shape == (2,)


def test_empty_texts_and_empty_batches() -> None:
    vectorizer = adapted(["a"])
    ids, lengths = vectorizer(["", "   ", "!!"])
    assert ids.shape == (3, 0) and lengths.tolist() == [0, 0, 0]
    ids, lengths = vectorizer([])
    assert ids.shape == (0, 0) and lengths.shape == (0,)
    fixed = adapted(["a"], output_sequence_length=2)
    assert fixed([]).ids.shape == (0, 2)
    assert fixed([""]).ids.tolist() == [[0, 0]]


def test_accepts_generators_tuples_and_numpy_string_arrays() -> None:
    vectorizer = adapted(["a b"])
    expected = vectorizer(["a", "b a"]).ids.tolist()
    assert vectorizer(text for text in ["a", "b a"]).ids.tolist() == expected
    assert vectorizer(("a", "b a")).ids.tolist() == expected
    assert vectorizer(np.array(["a", "b a"])).ids.tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab c.,Á\x00\t—"), max_size=12), max_size=8))
def test_ids_decode_to_the_tokens(texts: list[str]) -> None:
    vectorizer = adapted(["a b ab á"])
    ids, lengths = vectorizer(texts)
    token_lists = vectorizer.tokenize(texts)
    vocabulary = vectorizer.vocabulary
    assert lengths.tolist() == [len(tokens) for tokens in token_lists]
    for row, tokens, length in zip(ids.tolist(), token_lists, lengths.tolist(), strict=True):
        assert [vocabulary[i] for i in row[:length]] == [
            token if token in vocabulary else "[UNK]" for token in tokens
        ]
        assert all(i == 0 for i in row[length:])


# -- errors --------------------------------------------------------------------------------
CONSTRUCTOR_ERRORS: list[tuple[str, Callable[[], object], type, tuple[str, ...]]] = [
    ("max-tokens-2", lambda: TextVectorizer(max_tokens=2), ConfigError,
     ("TextVectorizer max_tokens", "at least 3", "max_tokens=2")),
    ("max-tokens-0", lambda: TextVectorizer(max_tokens=0), ConfigError, ("max_tokens=0",)),
    ("max-tokens-float", lambda: TextVectorizer(max_tokens=10.0), ConfigError,
     ("max_tokens=10.0",)),
    ("standardize-typo", lambda: TextVectorizer(standardize="lower_and_strip"), ConfigError,
     ("TextVectorizer standardize", "standardize='lower_and_strip'", "None or a callable",
      "did you mean 'lower_and_strip_punctuation'?")),
    ("split-int", lambda: TextVectorizer(split=3), ConfigError, ("split=3", "'whitespace'")),
    ("ngrams-0", lambda: TextVectorizer(ngrams=0), ConfigError, ("TextVectorizer ngrams",)),
    ("ngrams-tuple", lambda: TextVectorizer(ngrams=(1, 2)), ConfigError, ("ngrams=(1, 2)",)),
    ("length-negative", lambda: TextVectorizer(output_sequence_length=-1), ConfigError,
     ("output_sequence_length=-1",)),
    ("name-space", lambda: TextVectorizer(name="my text"), ConfigError, ("name='my text'",)),
    ("vocabulary-duplicate", lambda: TextVectorizer(vocabulary=["a", "b", "a"]), ConfigError,
     ("distinct tokens", "'a' more than once")),
    ("vocabulary-oov-inside", lambda: TextVectorizer(vocabulary=["a", "[UNK]"]), ConfigError,
     ("'[UNK]' at index 1", "first two entries")),
    ("vocabulary-pad-inside", lambda: TextVectorizer(vocabulary=["", "a"]), ConfigError,
     ("'' at index 0",)),
    ("vocabulary-too-long", lambda: TextVectorizer(max_tokens=3, vocabulary=["a", "b"]),
     ConfigError, ("max_tokens=3", "4 entries")),
    ("vocabulary-str", lambda: TextVectorizer(vocabulary="abc"), InputTypeError,
     ("a list of str", "received str")),
    ("vocabulary-int-entry", lambda: TextVectorizer(vocabulary=["a", 2]), InputTypeError,
     ("int at index 1",)),
]


@pytest.mark.parametrize(("make", "error", "parts"), [c[1:] for c in CONSTRUCTOR_ERRORS],
                         ids=[c[0] for c in CONSTRUCTOR_ERRORS])
def test_constructor_errors(make: Callable[[], object], error: type,
                            parts: tuple[str, ...]) -> None:
    with pytest.raises(error) as caught:
        make()
    assert isinstance(caught.value, SeqkitError)
    for part in parts:
        assert part in str(caught.value)


@pytest.mark.parametrize(
    ("texts", "parts"),
    [
        (["ok", "fine", 3], ("TextVectorizer input", "int at index 2", "(3)")),
        (["ok", None], ("NoneType at index 1", "replace missing texts with ''")),
        ([b"bytes"], ("bytes at index 0", "decode")),
        ("just one text", ("a single str", "wrap one text in a list: [text]")),
        (42, ("a batch of strings", "received int")),
    ],
)
def test_input_type_errors_name_the_index_and_type(texts: object, parts: tuple[str, ...]) -> None:
    vectorizer = adapted(["ok"])
    for action in (vectorizer, vectorizer.adapt, vectorizer.tokenize):
        with pytest.raises(InputTypeError) as caught:
            action(texts)  # type: ignore[operator]
        assert isinstance(caught.value, TypeError)
        for part in parts:
            assert part in str(caught.value)


def test_non_string_index_counts_across_adapt_chunks() -> None:
    texts: list[object] = ["x"] * (text_module._CHUNK + 5)
    texts[text_module._CHUNK + 2] = 1.5
    vectorizer = adapted(["keep"])
    with pytest.raises(InputTypeError, match=f"float at index {text_module._CHUNK + 2}"):
        vectorizer.adapt(iter(texts))
    assert vectorizer.vocabulary == ["", "[UNK]", "keep"]  # a failed adapt changes nothing


def test_calling_before_adapt_says_to_adapt() -> None:
    vectorizer = TextVectorizer(name="words")
    assert not vectorizer.is_adapted
    assert vectorizer.vocabulary == []  # a property that never raises: hasattr stays safe
    assert hasattr(vectorizer, "vocabulary")
    for action in (lambda: vectorizer(["a"]), lambda: vectorizer.vocab_size):
        with pytest.raises(NotBuiltError) as caught:
            action()
        assert isinstance(caught.value, RuntimeError)
        assert "TextVectorizer 'words' vocabulary" in str(caught.value)
        assert "call vectorizer.adapt(texts)" in str(caught.value)


def test_callables_returning_the_wrong_type_are_named() -> None:
    with pytest.raises(InputTypeError, match="standardize: expected the callable to return a str"):
        TextVectorizer(standardize=lambda text: None).tokenize(["a"])
    with pytest.raises(InputTypeError, match=r"split: .* received str for the text 'ab'"):
        TextVectorizer(split=lambda text: text).tokenize(["ab"])
    with pytest.raises(InputTypeError, match="a list holding int"):
        TextVectorizer(split=lambda text: [1]).tokenize(["ab"])


# -- saving: config and state --------------------------------------------------------------
CONFIGS = [
    {},
    {"max_tokens": 50, "standardize": "lower", "split": "character", "ngrams": 2,
     "output_sequence_length": 7, "name": "chars"},
    {"standardize": None, "split": None, "vocabulary": ["x", "y"]},
    {"standardize": "strip_punctuation", "vocabulary": ["", "[UNK]", "x"]},
]


@pytest.mark.parametrize("config", CONFIGS)
def test_config_is_exactly_the_constructor_arguments(config: dict[str, object]) -> None:
    vectorizer = TextVectorizer(**config)  # type: ignore[arg-type]
    saved = json.loads(json.dumps(vectorizer.get_config()))
    assert set(saved) == {"max_tokens", "standardize", "split", "ngrams",
                          "output_sequence_length", "vocabulary", "name"}
    for key, value in config.items():
        assert saved[key] == value
    assert TextVectorizer.from_config(saved).get_config() == saved


@pytest.mark.parametrize("config", CONFIGS)
def test_config_and_state_round_trip_gives_the_same_ids(config: dict[str, object]) -> None:
    original = TextVectorizer(**config)  # type: ignore[arg-type]
    if not original.is_adapted:
        original.adapt(["The cat sat.", "A dog, a cat!", "x y x"])
    saved = json.loads(json.dumps({"config": original.get_config(),
                                   "state": original.get_state()}))
    restored = TextVectorizer.from_config(saved["config"])
    restored.set_state(saved["state"])
    texts = ["the cat", "x x y z", "", "A DOG"]
    assert restored.vocabulary == original.vocabulary
    for mine, theirs in zip(restored(texts), original(texts), strict=True):
        assert torch.equal(mine, theirs)


def test_state_of_an_unadapted_vectorizer_round_trips() -> None:
    state = TextVectorizer().get_state()
    assert state == {"vocabulary": None}
    vectorizer = adapted(["a"])
    vectorizer.set_state(state)
    assert not vectorizer.is_adapted


def test_state_overrides_a_constructor_vocabulary() -> None:
    vectorizer = TextVectorizer(vocabulary=["a"])
    vectorizer.adapt(["b c"])
    restored = TextVectorizer.from_config(vectorizer.get_config())
    assert restored.vocabulary == ["", "[UNK]", "a"]
    restored.set_state(vectorizer.get_state())
    assert restored.vocabulary == ["", "[UNK]", "b", "c"]


@pytest.mark.parametrize("arg", ["standardize", "split"])
def test_callables_cannot_be_saved(arg: str) -> None:
    def custom(text: str) -> str:
        return text

    def custom_split(text: str) -> list[str]:
        return text.split()

    function = custom if arg == "standardize" else custom_split
    vectorizer = TextVectorizer(**{arg: function})  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as caught:
        vectorizer.get_config()
    message = str(caught.value)
    assert f"TextVectorizer {arg}" in message
    assert "a callable cannot be saved" in message
    assert function.__name__ in message
    vectorizer.adapt(["a"])
    assert vectorizer.get_state() == {"vocabulary": ["", "[UNK]", "a"]}  # state still saves


@pytest.mark.parametrize(
    ("state", "part"),
    [({"vocab": ["a"]}, "['vocab']"), ({"vocabulary": ["a"], "extra": 1}, "'extra'"),
     (["a"], "list")],
)
def test_bad_state_is_refused(state: object, part: str) -> None:
    with pytest.raises(ConfigError, match="single key 'vocabulary'") as caught:
        TextVectorizer().set_state(state)  # type: ignore[arg-type]
    assert part in str(caught.value)


def test_from_config_refuses_unknown_keys() -> None:
    with pytest.raises(ConfigError, match=r"unknown keys \['output_mode'\]"):
        TextVectorizer.from_config({"output_mode": "int"})


# -- real data -----------------------------------------------------------------------------
def test_end_to_end_on_the_quotes_data_set() -> None:
    texts, _ = quotes_by_topic()
    assert len(texts) > 3000
    vectorizer = TextVectorizer(max_tokens=2000)
    vectorizer.adapt(iter(texts))
    assert vectorizer.vocab_size == 2000
    token_lists = vectorizer.tokenize(texts)
    counts = Counter(chain.from_iterable(token_lists))
    kept = [counts[token] for token in vectorizer.vocabulary[2:]]
    assert kept == sorted(kept, reverse=True)  # by descending count
    assert kept[0] == counts.most_common(1)[0][1] and vectorizer.vocabulary[2] == "the"
    assert min(kept) >= max(n for token, n in counts.items() if token not in vectorizer.vocabulary)
    ids, lengths = vectorizer(texts)
    token_counts = [len(tokens) for tokens in token_lists]
    assert lengths.tolist() == token_counts
    assert ids.shape == (len(texts), max(token_counts))
    assert int(ids.max()) < vectorizer.vocab_size and int(ids.min()) >= 0
    positions = torch.arange(ids.shape[1])
    valid = positions < lengths[:, None]
    assert bool((ids[~valid] == 0).all()) and bool((ids[valid] > 0).all())
    known = set(vectorizer.vocabulary)
    out_of_vocabulary = sum(n for token, n in counts.items() if token not in known)
    assert int((ids == 1).sum()) == out_of_vocabulary > 0
    fixed = TextVectorizer.from_config({**vectorizer.get_config(), "output_sequence_length": 16})
    fixed.set_state(vectorizer.get_state())
    fixed_ids, fixed_lengths = fixed(texts)
    assert fixed_ids.shape == (len(texts), 16)
    assert fixed_lengths.tolist() == [min(count, 16) for count in token_counts]
    assert ids.shape[1] > 16
    assert torch.equal(fixed_ids, ids[:, :16])
