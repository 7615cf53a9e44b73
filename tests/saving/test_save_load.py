"""Safe files: round trips, atomic writes, and every hostile or broken file refused."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ModelFileError, ModelFileNotFoundError
from seqkit.saving import load_model, save_model
from seqkit.saving.format import CONFIG_ENTRY, WEIGHTS_ENTRY

SEQUENCES = np.random.default_rng(0).normal(size=(6, 7, 3)).astype(np.float32)
IDS = np.random.default_rng(1).integers(0, 20, size=(6, 7))
IDS[:, 5:] = 0


def _every_layer_models() -> list[tuple[str, sk.Sequential, np.ndarray]]:
    return [
        ("lstm_stack", sk.Sequential([
            sk.LSTM(5, return_sequences=True, num_layers=2, stack_dropout=0.1, dropout=0.1),
            sk.Dropout(0.2), sk.LayerNormalization(), sk.LSTM(4), sk.Dense(2, "tanh"),
            sk.Activation("softmax")]), SEQUENCES),
        ("bi_gru_pooling", sk.Sequential([
            sk.Bidirectional(sk.GRU(3, return_sequences=True), merge_mode="ave"),
            sk.GlobalMaxPooling1D(), sk.Dense(1)]), SEQUENCES),
        ("text", sk.Sequential([
            sk.Embedding(20, 4, mask_zero=True), sk.LSTM(3, bidirectional=True,
                                                         return_sequences=True),
            sk.GlobalAveragePooling1D(), sk.Dense(3)], loss="cross_entropy",
            metrics=["accuracy"]), IDS),
        ("encoder_decoder", sk.Sequential([
            sk.LSTM(4), sk.RepeatVector(3),
            sk.LSTM(4, return_sequences=True, initial_state="previous"),
            sk.LastStep(), sk.Dense(1)], batch_first=True), SEQUENCES),
        ("time_major", sk.Sequential([sk.GRU(3, return_sequences=True), sk.Dense(1)],
                                     batch_first=False), SEQUENCES.swapaxes(0, 1).copy()),
    ]


@pytest.mark.parametrize(("name", "model", "x"), _every_layer_models(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_round_trip_predictions_are_bit_identical(tmp_path: Path, name: str,
                                                  model: sk.Sequential, x: np.ndarray) -> None:
    torch.manual_seed(0)
    expected = model.predict(x)
    path = model.save(tmp_path / name)
    assert path.suffix == ".seqkit"
    loaded = load_model(path)
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded.predict(x), expected)
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)


def test_compile_settings_come_back(tmp_path: Path, classification_data) -> None:
    x, y = classification_data
    model = sk.Sequential([sk.GRU(4), sk.Dense(3)], loss="cross_entropy",
                          metrics=["accuracy", "f1"], optimizer="adamw", lr=3e-3,
                          weight_decay=0.01, scheduler="cosine")
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    loaded = load_model(model.save(tmp_path / "clf.seqkit"))
    assert loaded.compile_settings == model.compile_settings
    assert loaded.evaluate(x, y) == pytest.approx(model.evaluate(x, y), rel=1e-6)
    loaded.fit(x, y, epochs=1, verbose=0)  # trains on without compile()


def test_failed_save_leaves_the_previous_file_intact(tmp_path: Path, monkeypatch) -> None:
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
    model.build((None, 4, 2))
    path = model.save(tmp_path / "model.seqkit")
    before = path.read_bytes()
    with torch.no_grad():
        model.layers[1].linear.weight.fill_(7.0)

    def broken_writestr(self, name, data, *args, **kwargs):
        if name == WEIGHTS_ENTRY:
            raise OSError("disk full")
        return original(self, name, data, *args, **kwargs)

    original = zipfile.ZipFile.writestr
    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken_writestr)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.seqkit"]  # no temporary file left
    assert load_model(path).layers[1].linear.weight.abs().max() < 7.0


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    model = sk.Sequential([sk.LSTM(3, name="enc"), sk.Dense(1)], loss="mse")
    model.build((None, 4, 2))
    return model.save(tmp_path / "good.seqkit")


def _rewrite(source: Path, target: Path, **entries: bytes) -> Path:
    with zipfile.ZipFile(source) as archive:
        content = {name: archive.read(name) for name in archive.namelist()}
    content.update(entries)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in content.items():
            if data is not None:
                archive.writestr(name, data)
    return target


def _config(saved: Path) -> dict:
    with zipfile.ZipFile(saved) as archive:
        return json.loads(archive.read(CONFIG_ENTRY))


class _Marker:
    """Unpickling this creates a marker file: proof that a pickle was executed."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileNotFoundError, match="does not exist") as info:
        load_model(tmp_path / "nope.seqkit")
    assert isinstance(info.value, FileNotFoundError)


def test_hostile_and_broken_files_are_refused(tmp_path: Path, saved: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Marker(str(marker)))
    config = _config(saved)
    weights = zipfile.ZipFile(saved).read(WEIGHTS_ENTRY)
    future = {**config, "format_version": 99}
    unknown = json.loads(json.dumps(config))
    unknown["model"]["layers"][0]["class_name"] = "os.system"
    resized = json.loads(json.dumps(config))
    resized["model"]["layers"][0]["config"]["units"] = 5
    full = saved.read_bytes()
    cases = {
        "not_a_zip": (tmp_path / "a.seqkit", b"hello, not a zip", "not a zip archive"),
        "truncated": (tmp_path / "b.seqkit", full[: len(full) // 2], "zip archive"),
        "pickle_weights": (_rewrite(saved, tmp_path / "c.seqkit",
                                    **{WEIGHTS_ENTRY: payload}), None, "safetensors"),
        "pickle_entry": (_rewrite(saved, tmp_path / "d.seqkit", **{"data.pkl": payload}),
                         None, "only"),
        "torch_save_weights": (_rewrite(saved, tmp_path / "e.seqkit", **{
            WEIGHTS_ENTRY: _torch_save({"x": _Marker(str(marker))})}), None, "safetensors"),
        "bad_json": (_rewrite(saved, tmp_path / "f.seqkit", **{CONFIG_ENTRY: b"{nope"}),
                     None, "not valid JSON"),
        "future_version": (_rewrite(saved, tmp_path / "g.seqkit", **{
            CONFIG_ENTRY: json.dumps(future).encode()}), None, "newer than this seqkit"),
        "unknown_layer": (_rewrite(saved, tmp_path / "h.seqkit", **{
            CONFIG_ENTRY: json.dumps(unknown).encode()}), None, "unknown layer class"),
        "shape_mismatch": (_rewrite(saved, tmp_path / "i.seqkit", **{
            CONFIG_ENTRY: json.dumps(resized).encode()}), None, "where the architecture"),
        "weights_missing": (_rewrite(saved, tmp_path / "j.seqkit",
                                     **{WEIGHTS_ENTRY: None}), None, "only"),
        "corrupted_weights": (_rewrite(saved, tmp_path / "k.seqkit", **{
            WEIGHTS_ENTRY: weights[:40] + b"\xff" * 16 + weights[56:]}), None, "safetensors"),
    }
    for case, (path, data, pattern) in cases.items():
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(ModelFileError, match=pattern):
            load_model(path)
        assert not marker.exists(), case


def _torch_save(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def test_save_needs_a_built_model(tmp_path: Path) -> None:
    with pytest.raises(sk.errors.NotBuiltError):
        save_model(sk.Sequential([sk.Dense(1)]), tmp_path / "m")
