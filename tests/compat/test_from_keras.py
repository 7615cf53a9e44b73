"""``sk.from_keras`` against Keras 3 (torch backend): Keras models with perturbed weights,
imported as objects, from ``.keras`` files and from legacy ``.h5`` files, predict as
Keras does within 1e-5 on masked batches; what cannot convert is refused by name."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import ConfigError, ModelFileError

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
pytest.importorskip("h5py", reason="needs the keras extra: pip install -e '.[keras]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning",
                                        "ignore::UserWarning")

L = keras.layers
VOCAB, STEPS = 12, 7
ATOL = 1e-5


def _ids(seed: int = 0) -> np.ndarray:
    """Token ids with right and left padding and a masked step inside a row."""
    ids = np.random.default_rng(seed).integers(1, VOCAB, size=(4, STEPS)).astype(np.int32)
    ids[1, 4:], ids[2, :3], ids[3, 2] = 0, 0, 0
    return ids


def _numbers(seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(4, STEPS, 3)).astype(np.float32)
    x[1, 4:], x[2, :2] = 0.0, 0.0  # masked by Masking()
    return x


def _perturbed(model: object, seed: int = 1) -> object:
    rng = np.random.default_rng(seed)
    model.set_weights([w + rng.normal(0, 0.3, w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    return model


def _token_model() -> object:
    return keras.Sequential([
        keras.Input((STEPS,), dtype="int32"), L.Embedding(VOCAB, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(5, return_sequences=True)),
        L.GRU(4, return_sequences=True), L.SimpleRNN(3, return_sequences=True),
        L.LayerNormalization(), L.Dropout(0.3), L.GlobalAveragePooling1D(),
        L.Dense(6, activation="relu"), L.Dense(3, activation="softmax")])


def _numeric_model() -> object:
    return keras.Sequential([
        keras.Input((None, 3)), L.Masking(),
        L.LSTM(4, return_sequences=True, use_bias=False),
        L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="ave"),
        L.SimpleRNN(4, activation="relu", return_sequences=True),
        L.Dense(2), L.Activation("tanh")])


def _encoder_decoder() -> object:
    model = keras.Sequential([
        L.LSTM(6, go_backwards=True), L.RepeatVector(3),
        L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="sum"),
        L.Dense(1)])
    model.build((None, STEPS, 3))  # no Input: the shape comes from the build
    return model


def _attention_model(causal: bool) -> object:
    inputs = keras.Input((STEPS,), dtype="int32")
    x = L.Embedding(VOCAB, 8, mask_zero=True)(inputs)
    x = L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3)(x, x,
                                                                  use_causal_mask=causal)
    x = L.Attention(use_scale=True)([x, x], use_causal_mask=causal)
    x = L.LayerNormalization()(x)
    x = L.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, L.Dense(2, activation="sigmoid")(x))


def _cnn_lstm() -> object:
    return keras.Sequential([
        keras.Input((None, 3)),
        L.Conv1D(8, 3, padding="causal", dilation_rate=2, activation="relu"),
        L.MaxPooling1D(2, padding="same"), L.Conv1D(6, 2, strides=2, padding="same"),
        L.AveragePooling1D(2, strides=1), L.LSTM(5), L.Dense(1)])


def _windows_model() -> object:
    """A wrapper holding a wrapper: the sublayer order applies at every depth."""
    return keras.Sequential([keras.Input((4, 5, 2)),
                             L.TimeDistributed(L.Bidirectional(L.GRU(3))), L.LSTM(4),
                             L.Dense(1)])


def _windows(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(3, 4, 5, 2)).astype(np.float32)


def _full(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(4, 12, 3)).astype(np.float32)


MODELS: dict[str, tuple[Callable[[], object], Callable[[], np.ndarray]]] = {
    "tokens": (_token_model, _ids),
    "numbers": (_numeric_model, _numbers),
    "encoder_decoder": (_encoder_decoder, _numbers),
    "attention": (lambda: _attention_model(False), _ids),
    "causal_attention": (lambda: _attention_model(True), _ids),
    "cnn_lstm": (_cnn_lstm, _full),
    "windows": (_windows_model, _windows),
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_object_and_files_predict_as_keras(kind: str, tmp_path: Path) -> None:
    build, sample = MODELS[kind]
    theirs = _perturbed(build())
    x = sample()
    expected = keras.ops.convert_to_numpy(theirs(x, training=False))
    theirs.save(tmp_path / "model.keras")
    theirs.save(tmp_path / "model.h5")
    for source in (theirs, tmp_path / "model.keras", str(tmp_path / "model.h5")):
        ours = sk.from_keras(source)
        got = ours.predict(x, verbose=0)
        if kind == "numbers":  # per-step output: seqkit gives zeros at masked steps
            kept = (x != 0).any(axis=-1)
            got, expected_kept = got[kept], expected[kept]
        else:
            expected_kept = expected
        np.testing.assert_allclose(got, expected_kept, atol=ATOL, rtol=0)
        assert ours.count_params() == theirs.count_params()
        assert [layer.name for layer in ours.layers] == [
            layer.name for layer in theirs.layers if not isinstance(layer, L.InputLayer)]


def test_imported_model_keeps_keras_weights_and_saves(tmp_path: Path) -> None:
    theirs = _perturbed(_token_model())
    theirs.layers[0].trainable = False
    ours = sk.from_keras(theirs)
    for got, want in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert not any(p.requires_grad for p in ours.layers[0].parameters())  # trainable=False
    ours.save(tmp_path / "imported.seqkit")
    again = sk.load_model(tmp_path / "imported.seqkit")
    np.testing.assert_allclose(again.predict(_ids(), verbose=0), ours.predict(_ids(), verbose=0),
                               atol=1e-6)


def test_reading_a_file_needs_neither_keras_nor_tensorflow(tmp_path: Path) -> None:
    theirs = _perturbed(_token_model())
    theirs.save(tmp_path / "model.keras")
    np.save(tmp_path / "x.npy", _ids())
    script = (
        "import sys\n"
        "sys.modules['keras'] = sys.modules['tensorflow'] = None  # importing them fails\n"
        "import numpy as np, seqkit as sk\n"
        f"model = sk.from_keras({str(tmp_path / 'model.keras')!r})\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, model.predict(np.load("
        f"{str(tmp_path / 'x.npy')!r}), verbose=0))\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120,
                   env={**os.environ, "OMP_NUM_THREADS": "1"})
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"),
                               keras.ops.convert_to_numpy(theirs(_ids(), training=False)),
                               atol=ATOL, rtol=0)


@keras.saving.register_keras_serializable(package="tests")
class Doubling(L.Layer):
    def call(self, x: object) -> object:
        return x * 2


@pytest.mark.parametrize(("layer", "match"), [
    (L.Lambda(lambda x: x * 2), "Lambda layer"),
    (Doubling(), r"custom object \(tests>Doubling\)"),
    (L.GaussianNoise(0.1), "GaussianNoise 'gaussian_noise.*seqkit has no equivalent"),
    (L.LSTM(3, recurrent_dropout=0.2, return_sequences=True), "LSTM 'lstm.*recurrent_dropout"),
    (L.GRU(3, reset_after=False, return_sequences=True), "GRU 'gru.*reset_after"),
    (L.LayerNormalization(center=False), "argument center: expected True"),
    (L.Dense(3, kernel_initializer="zeros", activation="hard_sigmoid"), "hard_sigmoid"),
    (L.Dropout(0.2, noise_shape=(None, 1, 3)), "noise_shape"),
], ids=lambda value: type(value).__name__ if not isinstance(value, str) else "")
def test_what_cannot_convert_is_refused_by_name(layer: object, match: str,
                                                tmp_path: Path) -> None:
    theirs = keras.Sequential([keras.Input((STEPS, 3)), layer, L.Dense(1)])
    with pytest.raises(ConfigError, match=match):
        sk.from_keras(theirs)
    if not isinstance(layer, L.Lambda | Doubling):  # Keras itself needs code for these
        theirs.save(tmp_path / "model.keras")
        with pytest.raises(ConfigError, match=match):
            sk.from_keras(tmp_path / "model.keras")


def test_a_functional_model_that_is_not_a_chain_is_refused() -> None:
    inputs = keras.Input((STEPS, 3))
    branch = L.Dense(3)(inputs)
    model = keras.Model(inputs, L.Add()([inputs, branch]))
    with pytest.raises(ConfigError, match="one chain of layers"):
        sk.from_keras(model)


def test_weights_only_and_foreign_files_are_refused(tmp_path: Path) -> None:
    theirs = _token_model()
    theirs.save_weights(tmp_path / "only.weights.h5")
    with pytest.raises(ModelFileError, match="without a model_config"):
        sk.from_keras(tmp_path / "only.weights.h5")
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelFileError, match="neither a zip"):
        sk.from_keras(tmp_path / "notes.txt")
    theirs.save(tmp_path / "model.keras")
    (tmp_path / "cut.keras").write_bytes((tmp_path / "model.keras").read_bytes()[:300])
    with pytest.raises(ModelFileError, match="from_keras"):
        sk.from_keras(tmp_path / "cut.keras")
    config = json.dumps({"class_name": "Sequential", "config": {"layers": "nope"}})
    _rewrite_config(tmp_path / "model.keras", tmp_path / "bad.keras", config)
    with pytest.raises(ModelFileError, match="a list of layers"):
        sk.from_keras(tmp_path / "bad.keras")


def _rewrite_config(source: Path, target: Path, config: str) -> None:
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = config.encode() if info.filename == "config.json" else old.read(info)
            new.writestr(info.filename, data)


def test_compile_settings_come_along_where_seqkit_has_them(tmp_path: Path) -> None:
    theirs = _token_model()
    theirs.compile(optimizer=keras.optimizers.RMSprop(0.005),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    theirs.save(tmp_path / "model.keras")
    theirs.save(tmp_path / "model.h5")
    for source in (theirs, tmp_path / "model.keras", tmp_path / "model.h5"):
        settings = sk.from_keras(source).compile_settings
        assert (settings.optimizer, settings.loss, settings.metrics) == (
            "rmsprop", "sparse_categorical_crossentropy", ["accuracy"])
        assert settings.lr == pytest.approx(0.005)
    theirs.compile(optimizer="lion", loss="kl_divergence")
    with pytest.warns(UserWarning, match="not compiled: seqkit has no equivalent of "
                      "Keras's loss 'kl_divergence', optimizer"):
        sk.from_keras(theirs)


def test_a_keras_model_never_built_is_refused() -> None:
    with pytest.raises(ConfigError, match="a built Keras model"):
        sk.from_keras(keras.Sequential([L.LSTM(3), L.Dense(1)]))
