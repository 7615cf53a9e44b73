"""ONNX and TorchScript exports answer like predict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputTypeError, ModelSaveError

ort = pytest.importorskip(
    "onnxruntime", reason="onnxruntime is in the export extra: pip install -e '.[export]'")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # the exporter's LSTM notes


def _trained_regressor() -> tuple[sk.Sequential, np.ndarray]:
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 9, 3)) * 10 + 4).astype(np.float32)
    model = sk.presets.regressor(units=8, num_layers=2, bidirectional=True)
    model.fit(x, x.sum(axis=(1, 2)), epochs=1, verbose=0, seed=0)
    return model, x


def test_onnx_export_matches_predict_with_scaling_included(tmp_path: Path) -> None:
    model, x = _trained_regressor()
    path = model.to_onnx(tmp_path / "model.onnx")
    session = ort.InferenceSession(str(path))
    other_length = np.ascontiguousarray(x[:5, :6])  # batch and time axes are dynamic
    for batch in (x, other_length):
        (onnx_out,) = session.run(None, {"x": batch})
        np.testing.assert_allclose(onnx_out, model.predict(batch), rtol=1e-4, atol=1e-4)


def test_per_step_gru_and_embedding_models_export(tmp_path: Path) -> None:
    ids = np.random.default_rng(1).integers(0, 30, size=(4, 7))
    model = sk.Sequential([sk.Embedding(30, 5), sk.GRU(4, return_sequences=True),
                           sk.Dense(2)])
    model.build((None, 7))
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "ids.onnx")))
    np.testing.assert_allclose(session.run(None, {"x": ids})[0], model.predict(ids),
                               rtol=1e-4, atol=1e-5)


def test_torchscript_matches_predict(tmp_path: Path) -> None:
    model, x = _trained_regressor()
    scripted = model.to_torchscript(tmp_path / "model.pt")
    loaded = torch.jit.load(str(tmp_path / "model.pt"))
    expected = model.predict(x)
    with torch.no_grad():
        for module in (loaded, scripted):
            np.testing.assert_allclose(module(torch.from_numpy(x)).numpy(), expected,
                                       rtol=1e-5, atol=1e-5)


def test_torchscript_path_is_checked_first_and_written_atomically(tmp_path: Path) -> None:
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
    model.build((None, 4, 2))
    with pytest.raises(InputTypeError, match="to_torchscript file_path"):
        model.to_torchscript(file_path=123)
    target = tmp_path / "model.pt"
    target.write_bytes(b"the old export")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.MonkeyPatch.context() as patch:  # a disk that fills during the write
        patch.setattr(torch.jit, "save", fail)
        with pytest.raises(ModelSaveError):
            model.to_torchscript(target)
    assert target.read_bytes() == b"the old export" and list(tmp_path.iterdir()) == [target]


def test_variable_length_and_text_models_are_refused_clearly(tmp_path: Path) -> None:
    masked = sk.Sequential([sk.Embedding(10, 3, mask_zero=True), sk.LSTM(2)])
    masked.build((None, 4))
    with pytest.raises(ConfigError, match="mask_zero=True"):
        masked.to_onnx(tmp_path / "m.onnx")
    text = sk.presets.text_classifier(num_classes=3, units=4, embed_dim=4, max_tokens=20)
    with pytest.raises(ConfigError, match="TextVectorizer"):
        text.to_onnx(tmp_path / "t.onnx")
