"""``load_word_vectors``: GloVe / word2vec / fastText text files, bounded by a vocabulary,
bad files named by line; ``Embedding(weights=, trainable=)``; the preset's option."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import InputError
from seqkit.preprocessing import load_word_vectors

VECTORS = {"good": [0.5, 0.1, 0.0], "bad": [-0.5, 0.2, 0.1], "film": [0.0, 0.3, 0.3],
           "plot": [0.1, -0.2, 0.4], "the": [0.0, 0.0, 0.1]}


def _write(path: Path, header: bool, vectors: dict[str, list[float]] = VECTORS) -> Path:
    lines = [f"{len(vectors)} 3"] if header else []
    lines += [f"{word} " + " ".join(f"{v:g}" for v in values)
              for word, values in vectors.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("header", [False, True], ids=["glove", "word2vec_fasttext"])
def test_reads_every_format_with_or_without_its_header(tmp_path: Path, header: bool) -> None:
    vectors = load_word_vectors(_write(tmp_path / "v.txt", header))
    assert vectors.words == list(VECTORS) and vectors.dim == 3
    assert vectors.vectors.dtype == np.float32
    np.testing.assert_allclose(vectors.vectors[vectors.index["bad"]], VECTORS["bad"])


def test_a_vocabulary_keeps_only_its_words_also_through_lower_case(tmp_path: Path) -> None:
    path = _write(tmp_path / "v.vec", True, {**VECTORS, "Paris": [1.0, 1.0, 1.0]})
    vectors = load_word_vectors(path, vocabulary=["film", "paris", "unknown"])
    assert sorted(vectors.words) == ["film", "paris"]
    assert len(load_word_vectors(path, max_words=2)) == 2


def test_the_matrix_fills_found_tokens_and_leaves_padding_zero(tmp_path: Path) -> None:
    vectors = load_word_vectors(_write(tmp_path / "v.txt", False))
    matrix, found = vectors.matrix(["", "[UNK]", "good", "zebra", "film"])
    assert found == 2 and matrix.shape == (5, 3)
    assert not matrix[0].any()
    np.testing.assert_allclose(matrix[2], VECTORS["good"])
    assert np.abs(matrix[3]).max() <= 0.05  # not found: Keras's uniform start


@pytest.mark.parametrize(("text", "line", "words"), [
    ("a 1 2 3\nb 1 2\n", 2, "3 numbers"),
    ("2 3\na 1 2 3\nb 1 2 3 4\n", 3, "3 numbers"),
    ("a 1 2 3\nb 1 x 3\n", 2, "'x'"),
    ("a 1 2 3\nb 1 nan 3\n", 2, "finite"),
])
def test_a_bad_file_names_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=rf"line {line}.*{words}") as raised:
        load_word_vectors(path)
    assert "intact GloVe" in str(raised.value)  # the fix


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        load_word_vectors(path)


def test_embedding_weights_start_the_vectors_and_trainable_false_keeps_them() -> None:
    matrix = np.arange(12, dtype=np.float32).reshape(4, 3)
    frozen = sk.Embedding(4, 3, mask_zero=True, weights=[matrix], trainable=False)
    out = frozen(torch.tensor([[1, 3, 0]])).values.detach()
    np.testing.assert_allclose(out[0, :2].numpy(), matrix[[1, 3]])
    assert not frozen.embedding.weight[0].any()  # padding row still zero  # type: ignore[union-attr]
    model = sk.Sequential([frozen, sk.GRU(2), sk.Dense(2)], loss="cross_entropy", lr=0.1)
    model.fit(np.array([[1, 2, 3], [3, 2, 0]] * 4), np.array([0, 1] * 4), epochs=2,
              verbose=0)
    np.testing.assert_allclose(frozen.embedding.weight.detach()[1:].numpy(),  # type: ignore[union-attr]
                               matrix[1:])
    assert frozen.get_config()["trainable"] is False and frozen.get_config()["weights"] is None


def test_embedding_refuses_weights_of_the_wrong_shape() -> None:
    with pytest.raises(InputError, match=r"\(4, 3\)"):
        sk.Embedding(4, 3, weights=np.zeros((5, 3)))


def test_text_classifier_starts_from_word_vectors_and_reports_the_tokens_found(
        tmp_path: Path) -> None:
    path = _write(tmp_path / "v.txt", False)
    model = sk.presets.text_classifier(word_vectors=path, units=4, early_stopping=None)
    texts = ["good film", "bad film", "good plot", "bad zebra"] * 3
    model.fit(texts, ["pos", "neg", "pos", "neg"] * 3, epochs=1, verbose=0, seed=0)
    report = model.word_vectors_report
    vocabulary = model.preprocessing[0].vocabulary
    assert report["tokens"] == len(vocabulary) - 2
    assert report["found"] == sum(token in VECTORS for token in vocabulary)
    assert report["missing_examples"] == ["zebra"]
    embedding = model.layers[0].deep[0]
    assert embedding.output_dim == 3
    assert embedding.embedding.weight.shape == (len(vocabulary), 3)
