"""Keras's weight methods of Sequential: get/set_weights, count_params, get_layer,
save_weights/load_weights (Keras's layouts themselves: tests/compat/test_keras_api.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk


def _model(**kwargs: object) -> sk.Sequential:
    return sk.Sequential([sk.Input((6, 3)), sk.LSTM(4, name="enc"), sk.Dense(2)], **kwargs)


def test_get_weights_copies_in_keras_layout() -> None:
    model = _model()
    kernel, _, bias, dense_kernel, dense_bias = model.get_weights()
    rnn = model.layers[0].rnn
    np.testing.assert_array_equal(kernel, rnn.weight_ih_l0.detach().numpy().T)
    np.testing.assert_allclose(bias, (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy())
    assert dense_kernel.shape == (4, 2) and dense_bias.shape == (2,)
    kernel[:] = 9.0  # a copy: the model keeps its weights
    assert not torch.any(rnn.weight_ih_l0 == 9.0)


def test_set_weights_round_trips_and_keeps_outputs() -> None:
    source, target = _model(), _model()
    target.set_weights(source.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(target.predict(x, verbose=0), source.predict(x, verbose=0),
                               atol=1e-6)
    assert torch.equal(target.layers[0].rnn.bias_hh_l0, torch.zeros(16))  # one bias: ih


def test_gru_gates_swap_into_torch_order() -> None:
    model = sk.Sequential([sk.Input((2, 1)), sk.GRU(1)])
    z, r, h = 1.0, 2.0, 3.0  # Keras's gate blocks
    model.set_weights([np.array([[z, r, h]], np.float32), np.zeros((1, 3), np.float32),
                       np.zeros((2, 3), np.float32)])
    assert model.layers[0].rnn.weight_ih_l0[:, 0].tolist() == [r, z, h]  # torch's r, z, n


def test_set_weights_refuses_a_wrong_count_or_shape_and_changes_nothing() -> None:
    model = _model()
    before = model.get_weights()
    with pytest.raises(sk.errors.ConfigError, match=r"5 arrays \(enc: 3, dense: 2\)"):
        model.set_weights(before[:2])
    wrong = [w.copy() for w in before]
    wrong[0] = np.ones_like(before[0])  # would be written first
    wrong[3] = wrong[3].T
    with pytest.raises(sk.errors.InputError, match=r"weight 0 \(kernel\): expected shape "
                       r"\(4, 2\)"):
        model.set_weights(wrong)
    for now, then in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_unbuilt_models_say_how_to_build() -> None:
    model = sk.Sequential([sk.LSTM(4)])
    for method in (model.get_weights, model.count_params):
        with pytest.raises(sk.errors.NotBuiltError, match="Input"):
            method()


def test_count_params_counts_keras_weights() -> None:
    model = _model()
    assert model.count_params() == 3 * 16 + 4 * 16 + 16 + 4 * 2 + 2  # one LSTM bias
    assert model.count_params() == sum(w.size for w in model.get_weights())


def test_get_layer_by_name_or_index() -> None:
    model = _model()
    assert model.get_layer("enc") is model.layers[0]
    assert model.get_layer(index=-1) is model.layers[1]
    with pytest.raises(sk.errors.ConfigError, match="one of \\['enc', 'dense'\\]"):
        model.get_layer("decoder")
    with pytest.raises(sk.errors.ConfigError, match="a name or an index"):
        model.get_layer()
    with pytest.raises(sk.errors.ConfigError, match="index=2"):
        model.get_layer(index=2)


def test_save_and_load_weights(tmp_path: Path) -> None:
    source, target = _model(), _model()
    path = source.save_weights(tmp_path / "model")
    assert path.name == "model.safetensors"
    target.load_weights(path)
    for ours, theirs in zip(target.get_weights(), source.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(sk.errors.ConfigError, match="safetensors"):
        source.save_weights(tmp_path / "model.h5")
    with pytest.raises(sk.errors.ModelFileNotFoundError):
        target.load_weights(tmp_path / "missing.safetensors")
    (tmp_path / "bad.safetensors").write_bytes(b"not a file")
    with pytest.raises(sk.errors.ModelFileError):
        target.load_weights(tmp_path / "bad.safetensors")


def test_failed_save_weights_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    model = _model()
    path = model.save_weights(tmp_path / "w.safetensors")
    before = path.read_bytes()

    def broken_fsync(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with torch.no_grad():
        model.layers[1].linear.weight.fill_(7.0)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["w.safetensors"]  # no temporary file left
