"""``MultiHeadAttention`` and ``AttentionPooling1D`` as seqkit blocks: a padded batch
equals each sequence alone, causal attention, masks flowing on, config, saving, ONNX,
the refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError


def _classifier(causal: bool = False, units: int | None = 6) -> sk.Sequential:
    torch.manual_seed(0)
    model = sk.Sequential([sk.Dense(8), sk.MultiHeadAttention(2, 4, causal=causal),
                           sk.LayerNormalization(), sk.AttentionPooling1D(units),
                           sk.Dense(3)])
    model.build((None, None, 3))
    return model.eval()


def _padded() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).normal(size=(3, 9, 3)).astype(np.float32)
    lengths = np.array([9, 4, 1])
    x[1, 4:], x[2, 1:] = 1e6, -1e6  # padding must never reach a valid step
    return x, lengths


@pytest.mark.parametrize("units", [None, 6])
@pytest.mark.parametrize("causal", [False, True])
def test_padded_batch_equals_each_sequence_alone(causal: bool, units: int | None) -> None:
    model = _classifier(causal, units)
    x, lengths = _padded()
    batch = model.predict(x, lengths=lengths, verbose=0)
    for row, length in enumerate(lengths):
        alone = model.predict(x[row:row + 1, :length], verbose=0)
        np.testing.assert_allclose(batch[row], alone[0], atol=1e-5)


def test_causal_steps_never_see_the_future() -> None:
    torch.manual_seed(0)
    layer = sk.MultiHeadAttention(2, 3, causal=True).eval()
    x = torch.randn(2, 6, 4)
    changed = x.clone()
    changed[:, 4:] += 5.0
    with torch.no_grad():
        before, after = layer(x).values, layer(changed).values
    torch.testing.assert_close(before[:, :4], after[:, :4])
    assert not torch.allclose(before[:, 4:], after[:, 4:])
    with torch.no_grad():  # without causal, every step sees the change
        free = sk.MultiHeadAttention(2, 3).eval()
        assert not torch.allclose(free(x).values[:, :4], free(changed).values[:, :4])


def test_mask_flows_on_and_masked_steps_are_zeros() -> None:
    layer = sk.MultiHeadAttention(2, 3)
    mask = torch.tensor([[True, False, True, True], [False, False, False, False]])
    out = layer(torch.randn(2, 4, 5).masked_fill(~mask[..., None], float("inf")), mask)
    assert out.lengths is mask and torch.isfinite(out.values).all()
    assert not out.values[~mask].any()
    pooled = sk.AttentionPooling1D()(out.values, out.lengths).values
    assert torch.isfinite(pooled).all() and not pooled[1].any()  # no kept step: zeros


def test_attention_dropout_only_in_training() -> None:
    layer = sk.MultiHeadAttention(2, 3, dropout=0.5)
    x = torch.randn(4, 6, 5)
    torch.manual_seed(1)
    first = layer(x).values
    assert not torch.allclose(first, layer(x).values)
    layer.eval()
    torch.testing.assert_close(layer(x).values, layer(x).values)


def test_config_round_trip_and_saved_file(tmp_path: Path) -> None:
    model = _classifier()
    x, lengths = _padded()
    expected = model.predict(x, lengths=lengths, verbose=0)
    for layer in model.layers[1], model.layers[3]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    model.save(tmp_path / "attention.seqkit")
    loaded = sk.load_model(tmp_path / "attention.seqkit")
    np.testing.assert_allclose(loaded.predict(x, lengths=lengths, verbose=0), expected,
                               atol=1e-6)
    assert [tuple(s) for s in (model.layers[1].compute_output_shape((None, 9, 8)),
                               model.layers[3].compute_output_shape((None, 9, 8)))] == [
        (None, 9, 8), (None, 8)]
    assert sk.MultiHeadAttention(2, 3, output_shape=5).compute_output_shape(
        (None, 4, 8)) == (None, 4, 5)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_onnx_export_answers_like_predict(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    model = _classifier(causal=True)
    x = np.random.default_rng(4).normal(size=(2, 6, 3)).astype(np.float32)
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "attention.onnx",
                                                     torch.from_numpy(x))))
    for batch in (x, np.ascontiguousarray(x[:1, :4])):
        np.testing.assert_allclose(session.run(None, {"x": batch})[0],
                                   model.predict(batch, verbose=0), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("arguments", "match"), [
    ({"num_heads": 0, "key_dim": 4}, "num_heads"),
    ({"num_heads": 2, "key_dim": 0}, "key_dim"),
    ({"num_heads": 2, "key_dim": 2.5}, "key_dim"),
    ({"num_heads": 2, "key_dim": 4, "value_dim": -1}, "value_dim"),
    ({"num_heads": 2, "key_dim": 4, "output_shape": (3, 2)}, "output_shape"),
    ({"num_heads": 2, "key_dim": 4, "dropout": 1.0}, "dropout"),
])
def test_bad_arguments_are_refused(arguments: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        sk.MultiHeadAttention(**arguments)


def test_input_without_time_axis_is_refused() -> None:
    with pytest.raises(InputError, match="give \\(batch, time, features\\)"):
        sk.MultiHeadAttention(2, 3)(torch.randn(4, 5))
    with pytest.raises(ConfigError, match="units"):
        sk.AttentionPooling1D(units=0)


@pytest.mark.parametrize("layer", [sk.MultiHeadAttention(2, 3, causal=True),
                                   sk.AttentionPooling1D()], ids=lambda layer: layer.label)
def test_stream_refuses_attention(layer: sk.layers.Layer) -> None:
    model = sk.Sequential([sk.LSTM(3, return_sequences=True), layer])
    with pytest.raises(ConfigError, match="needs the whole sequence at once"):
        model.stream()


@pytest.mark.parametrize("arguments", [{}, {"use_scale": True, "causal": True},
                                       {"score_mode": "concat", "use_scale": True}])
def test_dot_product_attention_padded_batch_equals_each_sequence_alone(
        arguments: dict, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = sk.Sequential([sk.Dense(8), sk.Attention(**arguments), sk.GlobalAveragePooling1D(),
                           sk.Dense(2)])
    model.build((None, None, 3))
    x, lengths = _padded()
    batch = model.predict(x, lengths=lengths, verbose=0)
    for row, length in enumerate(lengths):
        alone = model.predict(x[row:row + 1, :length], verbose=0)
        np.testing.assert_allclose(batch[row], alone[0], atol=1e-5)
    config = model.layers[1].get_config()
    assert sk.Attention.from_config(config).get_config() == config
    model.save(tmp_path / "dot.seqkit")
    np.testing.assert_allclose(sk.load_model(tmp_path / "dot.seqkit").predict(
        x, lengths=lengths, verbose=0), batch, atol=1e-6)
    scalars = arguments.get("use_scale", False) + (arguments.get("score_mode") == "concat")
    assert model.layers[1].count_params() == scalars  # Keras's scalar weights


def test_dot_product_attention_refuses_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="score_mode"):
        sk.Attention(score_mode="additive")
    with pytest.raises(ConfigError, match="dropout"):
        sk.Attention(dropout=-0.1)
    with pytest.raises(ConfigError, match="needs the whole sequence at once"):
        sk.Sequential([sk.LSTM(3, return_sequences=True), sk.Attention()]).stream()
