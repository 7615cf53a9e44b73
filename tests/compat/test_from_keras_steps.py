"""``sk.from_keras`` with ``BatchNormalization``, ``SpatialDropout1D``, ``Flatten``,
``Reshape`` and ``TimeDistributed``: Keras 3 models (torch backend) with perturbed weights,
as objects and from ``.keras`` / ``.h5`` files, predict as Keras within 1e-5."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import ConfigError

keras = pytest.importorskip("keras", reason="needs the dev extra: pip install -e '.[dev]'")
pytest.importorskip("h5py", reason="needs the keras extra: pip install -e '.[keras]'")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported it first
    pytest.skip("Keras runs on another backend", allow_module_level=True)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning",
                                        "ignore::UserWarning")

L = keras.layers
ATOL = 1e-5


def _perturbed(model: object) -> object:
    rng = np.random.default_rng(1)
    model.set_weights([w + rng.uniform(0.1, 0.4, w.shape).astype(w.dtype)
                       for w in model.get_weights()])  # + keeps moving variances positive
    return model


def _windows_model() -> object:
    """Brownlee's CNN-LSTM: sub-sequences through a TimeDistributed CNN, then an LSTM."""
    return keras.Sequential([
        keras.Input((3, 8, 2)),
        L.TimeDistributed(L.Conv1D(4, 3, activation="relu")),
        L.TimeDistributed(L.MaxPooling1D(2)), L.TimeDistributed(L.Flatten()),
        L.BatchNormalization(momentum=0.9, epsilon=1e-4), L.LSTM(5),
        L.Dense(1)])


def _flat_model() -> object:
    return keras.Sequential([
        keras.Input((12, 3)), L.Conv1D(6, 3, padding="same"),
        L.BatchNormalization(center=False), L.SpatialDropout1D(0.3),
        L.Reshape((6, 12)), L.TimeDistributed(L.Dense(4, activation="tanh")),
        L.Flatten(), L.Dense(2)])


MODELS: dict[str, tuple[Callable[[], object], tuple[int, ...]]] = {
    "windows": (_windows_model, (4, 3, 8, 2)),
    "flat": (_flat_model, (4, 12, 3)),
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_object_and_files_predict_as_keras(kind: str, tmp_path: Path) -> None:
    build, shape = MODELS[kind]
    theirs = _perturbed(build())
    x = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    expected = keras.ops.convert_to_numpy(theirs(x, training=False))
    theirs.save(tmp_path / "model.keras")
    theirs.save(tmp_path / "model.h5")
    for source in (theirs, tmp_path / "model.keras", str(tmp_path / "model.h5")):
        ours = sk.from_keras(source)
        np.testing.assert_allclose(ours.predict(x, verbose=0), expected, atol=ATOL, rtol=0)
        assert ours.count_params() == theirs.count_params()


def test_batch_normalization_arguments_come_across() -> None:
    theirs = keras.Sequential([keras.Input((5, 2)),
                               L.BatchNormalization(momentum=0.8, epsilon=0.01, scale=False)])
    (norm,) = sk.from_keras(theirs).layers
    assert (norm.momentum, norm.epsilon, norm.scale, norm.center) == (0.8, 0.01, False, True)


def test_batch_renormalisation_is_refused_by_name() -> None:
    theirs = keras.Sequential([keras.Input((5, 2)), L.BatchNormalization(renorm=True)])
    with pytest.raises(ConfigError, match="renorm"):
        sk.from_keras(theirs)
