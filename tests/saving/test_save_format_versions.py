"""Format 2 (Keras's ``dropout`` and initialisers) reads format-1 files as they were made;
layers holding callables are refused with a clear message."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError
from seqkit.saving import load_model
from seqkit.saving.format import CONFIG_ENTRY, FORMAT_VERSION, WEIGHTS_ENTRY

X = np.random.default_rng(0).normal(size=(4, 6, 3)).astype(np.float32)
IDS = np.array([[3, 1, 0], [2, 0, 0]])


def fill_with_ones(tensor: torch.Tensor) -> None:
    tensor.fill_(1.0)


def _as_format_1(path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """Rewrites a saved file's config as format 1 would have held it."""
    with zipfile.ZipFile(path) as archive:
        content = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(content[CONFIG_ENTRY])
    config["format_version"] = 1
    del config["weights_sha256"]  # format 1 had none
    for spec in config["model"]["layers"]:
        edit(spec)
    content[CONFIG_ENTRY] = json.dumps(config).encode()
    old = path.with_name("old.seqkit")
    with zipfile.ZipFile(old, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    return old


_NEW_KEYS = ("stack_dropout", "recurrent_dropout", "kernel_initializer",
             "recurrent_initializer", "bias_initializer", "unit_forget_bias")


def _strip_to_format_1(spec: dict) -> None:
    config = spec["config"]
    if spec["class_name"] in ("LSTM", "GRU"):
        config["dropout"] = config.pop("stack_dropout")
        for key in _NEW_KEYS:
            config.pop(key, None)
    elif spec["class_name"] == "Dense":
        config.pop("kernel_initializer")
        config.pop("bias_initializer")
    elif spec["class_name"] == "Embedding":
        config["embeddings_initializer"] = "normal"
    elif spec["class_name"] == "Bidirectional":
        _strip_to_format_1(config["layer"])


def test_this_seqkit_writes_format_3_with_the_weights_sha256(tmp_path: Path) -> None:
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
    model.build((None, 6, 3))
    with zipfile.ZipFile(model.save(tmp_path / "m")) as archive:
        config = json.loads(archive.read(CONFIG_ENTRY))
        weights = archive.read(WEIGHTS_ENTRY)
    assert config["format_version"] == FORMAT_VERSION == 3
    assert config["weights_sha256"] == hashlib.sha256(weights).hexdigest()


def test_a_format_2_file_without_a_sha256_loads(tmp_path: Path) -> None:
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
    model.build((None, 6, 3))
    path = model.save(tmp_path / "m")
    with zipfile.ZipFile(path) as archive:
        content = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(content[CONFIG_ENTRY])
    config["format_version"] = 2
    del config["weights_sha256"]
    content[CONFIG_ENTRY] = json.dumps(config).encode()
    old = tmp_path / "old.seqkit"
    with zipfile.ZipFile(old, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    np.testing.assert_array_equal(load_model(old).predict(X), model.predict(X))


def test_a_format_1_file_loads_with_its_old_meaning(tmp_path: Path) -> None:
    model = sk.Sequential([sk.LSTM(4, num_layers=2, stack_dropout=0.2, return_sequences=True),
                           sk.Bidirectional(sk.GRU(3)), sk.Dense(1)])
    torch.manual_seed(0)
    expected = model.predict(X)
    old = _as_format_1(model.save(tmp_path / "m"), _strip_to_format_1)
    loaded = load_model(old)
    np.testing.assert_array_equal(loaded.predict(X), expected)
    lstm, wrapper, dense = loaded.layers
    assert (lstm.stack_dropout, lstm.dropout) == (0.2, 0.0)  # between layers, as it was
    assert lstm.rnn.dropout == 0.2
    assert lstm.kernel_initializer == lstm.recurrent_initializer == "torch"
    assert (lstm.bias_initializer, lstm.unit_forget_bias) == ("torch", False)
    assert wrapper.layer.kernel_initializer == "torch"
    assert wrapper.layer.stack_dropout == 0.0
    assert dense.kernel_initializer == dense.bias_initializer == "torch"


def test_a_format_1_embedding_normal_is_torch_normal(tmp_path: Path) -> None:
    model = sk.Sequential([sk.Embedding(5, 2, mask_zero=True), sk.GRU(2), sk.Dense(1)])
    model.build((None, 3))
    loaded = load_model(_as_format_1(model.save(tmp_path / "m"), _strip_to_format_1))
    assert loaded.layers[0].embeddings_initializer == "torch"  # N(0, 1), not Keras's
    np.testing.assert_array_equal(loaded.predict(IDS), model.predict(IDS))


def test_format_2_files_keep_keras_meanings(tmp_path: Path) -> None:
    model = sk.Sequential([sk.LSTM(3, dropout=0.3), sk.Dense(1)])
    model.build((None, 6, 3))
    loaded = load_model(model.save(tmp_path / "m"))
    assert loaded.layers[0].dropout == 0.3
    assert loaded.layers[0].kernel_initializer == "glorot_uniform"
    assert loaded.get_config() == model.get_config()


def test_a_callable_initializer_cannot_be_saved(tmp_path: Path) -> None:
    model = sk.Sequential([sk.Bidirectional(sk.LSTM(3, kernel_initializer=fill_with_ones)),
                           sk.Dense(1)])
    model.build((None, 6, 3))
    with pytest.raises(ConfigError) as info:
        model.save(tmp_path / "m")
    message = str(info.value)
    for needle in ("save LSTM", "kernel_initializer=<callable fill_with_ones>", "JSON",
                   "INITIALIZERS", "state_dict"):
        assert needle in message
    assert not list(tmp_path.iterdir())  # nothing written
