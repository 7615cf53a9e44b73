"""Reading Keras files without Keras: a Keras 2 style ``.h5`` written here with h5py,
and crafted ``.keras`` / ``.h5`` files, each refused with its reason before any large
read (bounded entries, bounded declared array bytes, no links out of the file)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import (
    ConfigError,
    InputTypeError,
    ModelFileError,
    ModelFileNotFoundError,
)
from seqkit.saving import keras_file

h5py = pytest.importorskip("h5py", reason="needs the keras extra: pip install -e '.[keras]'")

UNITS, FEATURES, STEPS = 3, 2, 5


def _keras2_config() -> dict:
    """A Keras 2 (tf.keras 2.x) Sequential: shapes on the first layer, no InputLayer."""
    lstm = {"name": "lstm", "trainable": True, "batch_input_shape": [None, STEPS, FEATURES],
            "dtype": "float32", "return_sequences": False, "units": UNITS,
            "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "recurrent_initializer": {"class_name": "Orthogonal",
                                      "config": {"gain": 1.0, "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "unit_forget_bias": True, "kernel_regularizer": None, "dropout": 0.0,
            "recurrent_dropout": 0.0, "implementation": 2, "time_major": False,
            "go_backwards": False, "stateful": False, "unroll": False,
            "return_state": False}
    dense = {"name": "dense", "trainable": True, "units": 1, "activation": "linear",
             "use_bias": True}
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "LSTM", "config": lstm}, {"class_name": "Dense", "config": dense}]},
        "keras_version": "2.13.1", "backend": "tensorflow"}


def _keras2_weights(seed: int = 0) -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return {"lstm": [rng.normal(size=(FEATURES, 4 * UNITS)).astype(np.float32),
                     rng.normal(size=(UNITS, 4 * UNITS)).astype(np.float32),
                     rng.normal(size=(4 * UNITS,)).astype(np.float32)],
            "dense": [rng.normal(size=(UNITS, 1)).astype(np.float32),
                      rng.normal(size=(1,)).astype(np.float32)]}


def _write_keras2(path: Path, config: dict | None = None) -> dict[str, list[np.ndarray]]:
    weights = _keras2_weights()
    names = {"lstm": ["lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0",
                      "lstm/lstm_cell/bias:0"], "dense": ["dense/kernel:0", "dense/bias:0"]}
    with h5py.File(path, "w") as h5:
        h5.attrs["model_config"] = json.dumps(config or _keras2_config())
        h5.attrs["keras_version"] = "2.13.1"
        root = h5.create_group("model_weights")
        root.attrs["layer_names"] = [n.encode() for n in names]
        for layer, weight_names in names.items():
            group = root.create_group(layer)
            group.attrs["weight_names"] = [n.encode() for n in weight_names]
            for name, array in zip(weight_names, weights[layer], strict=True):
                group.create_dataset(name, data=array)
    return weights


def _lstm_reference(x: np.ndarray, weights: dict[str, list[np.ndarray]]) -> np.ndarray:
    """Keras's LSTM equations in numpy (gates i, f, c, o), then the Dense."""
    kernel, recurrent, bias = weights["lstm"]
    h = c = np.zeros((x.shape[0], UNITS))
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
    return h @ weights["dense"][0] + weights["dense"][1]


def test_a_keras2_h5_model_imports_and_predicts_as_its_equations(tmp_path: Path) -> None:
    weights = _write_keras2(tmp_path / "keras2.h5")
    model = sk.from_keras(tmp_path / "keras2.h5")
    assert model.input_shape == (None, STEPS, FEATURES)
    x = np.random.default_rng(1).normal(size=(4, STEPS, FEATURES)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), _lstm_reference(x, weights),
                               atol=1e-5)


def test_an_unsupported_keras2_argument_is_named(tmp_path: Path) -> None:
    config = _keras2_config()
    config["config"]["layers"][0]["config"]["time_major"] = True
    _write_keras2(tmp_path / "time_major.h5", config)
    with pytest.raises(ConfigError, match="LSTM 'lstm' argument time_major"):
        sk.from_keras(tmp_path / "time_major.h5")


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _weights_h5(build: object) -> bytes:
    import io

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        build(h5)
    return buffer.getvalue()


_CONFIG = json.dumps({"class_name": "Sequential", "config": {"layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 4, 2]}},
    {"class_name": "Dense", "config": {"name": "dense", "units": 1}}]}}).encode()


def test_a_crafted_keras_file_without_h5_groups_still_checks_weights(tmp_path: Path) -> None:
    path = _zip(tmp_path / "empty.keras", {"config.json": _CONFIG,
                                           "model.weights.h5": _weights_h5(lambda h5: None)})
    with pytest.raises(ConfigError, match="expected 2 arrays"):
        sk.from_keras(path)


@pytest.mark.parametrize("case", ["bomb", "deep", "not_json", "duplicate", "no_weights"])
def test_crafted_zips_are_refused(case: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    weights = _weights_h5(lambda h5: None)
    entries = {"config.json": _CONFIG, "model.weights.h5": weights}
    match = {"bomb": "config.json inflating past 1000 bytes", "deep": "nested deeper",
             "not_json": "unreadable JSON", "duplicate": "entries named twice",
             "no_weights": "without config.json and model.weights.h5"}[case]
    if case == "bomb":
        monkeypatch.setattr(keras_file, "MAX_CONFIG_BYTES", 1000)
        entries["config.json"] = b" " * 10_000_000 + _CONFIG  # compresses to little
    elif case == "deep":
        entries["config.json"] = b"[" * 50 + b"]" * 50
    elif case == "not_json":
        entries["config.json"] = b"\xff{"
    elif case == "no_weights":
        del entries["model.weights.h5"]
    path = _zip(tmp_path / "crafted.keras", entries)
    if case == "duplicate":
        with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning):
            archive.writestr("config.json", _CONFIG)
    with pytest.raises(ModelFileError, match=match):
        sk.from_keras(path)


def _layer_vars(h5: object) -> object:
    return h5.create_group("layers/dense/vars")


@pytest.mark.parametrize("case", ["strings", "too_many", "declared_bytes", "soft_link",
                                  "external_link"])
def test_crafted_weights_are_refused_before_reading(case: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def build(h5: object) -> None:
        group = _layer_vars(h5)
        if case == "strings":
            group.create_dataset("0", data=np.array([b"x"], dtype=object),
                                 dtype=h5py.string_dtype())
        elif case == "too_many":
            for index in range(6):
                group.create_dataset(str(index), data=np.zeros(1, np.float32))
        elif case == "declared_bytes":  # 400 MB of zeros, a few KB compressed
            group.create_dataset("0", shape=(100_000_000,), dtype=np.float32,
                                 compression="gzip", fillvalue=0.0)
        elif case == "soft_link":
            group.create_dataset("1", data=np.zeros(1, np.float32))
            group["0"] = h5py.SoftLink("/layers/dense/vars/1")
        else:
            group["0"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/secret")

    monkeypatch.setattr(keras_file, "MAX_TENSORS", 4)
    match = {"strings": "dtype", "too_many": "more than 4 weight arrays",
             "declared_bytes": "arrays declaring more than", "soft_link": "SoftLink",
             "external_link": "ExternalLink"}[case]
    path = _zip(tmp_path / "crafted.keras", {"config.json": _CONFIG,
                                             "model.weights.h5": _weights_h5(build)})
    with pytest.raises(ModelFileError, match=match):
        sk.from_keras(path)


def test_bad_paths_and_a_missing_h5py(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelFileNotFoundError):
        sk.from_keras(tmp_path / "missing.keras")
    with pytest.raises(ModelFileError, match="a folder"):
        sk.from_keras(tmp_path)
    path = _zip(tmp_path / "m.keras", {"config.json": _CONFIG,
                                       "model.weights.h5": _weights_h5(lambda h5: None)})
    monkeypatch.setitem(__import__("sys").modules, "h5py", None)
    with pytest.raises(ModelFileError, match=r"pip install 'seqkit\[keras\]'"):
        sk.from_keras(path)


def _config(*layers: dict) -> bytes:
    return json.dumps({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 4, 2]}},
        *layers]}}).encode()


@pytest.mark.parametrize(("layers", "error", "match"), [
    ([{"class_name": "Dense", "config": {"name": "d", "units": "abc"}}], ConfigError,
     "Keras Dense 'd': Dense units"),
    ([{"class_name": "Dense", "config": {"name": "d", "units": 10**12}}], ConfigError,
     "Dense"),
    ([{"class_name": "Bidirectional", "config": {"name": "b", "layer": [1, 2]}}],
     ConfigError, "from_keras layer: expected a Keras layer config"),
    ([{"class_name": "Bidirectional", "config": {"name": "b", "layer": {
        "class_name": "Dense", "config": {"units": 2}}}}], InputTypeError,
     "Bidirectional layer: expected an LSTM, GRU or SimpleRNN"),
    ([{"class_name": "Dense", "module": "evil.module", "config": {"units": 2}}],
     ConfigError, r"custom object \(evil.module\)"),
    ([{"class_name": "os.system", "config": {}}], ConfigError, "seqkit has no equivalent"),
    (["not a layer"], ModelFileError, "a list of layers"),
])
def test_hostile_configs_are_refused_by_name(layers: list, error: type, match: str,
                                             tmp_path: Path) -> None:
    path = _zip(tmp_path / "hostile.keras", {"config.json": _config(*layers),
                                             "model.weights.h5": _weights_h5(lambda h5: None)})
    with pytest.raises(error, match=match):
        sk.from_keras(path)
