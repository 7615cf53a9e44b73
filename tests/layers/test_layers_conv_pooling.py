"""``Conv1D``, ``MaxPooling1D``, ``AveragePooling1D``: a padded batch gives each sequence
its own result, masks, bad input, saving and ONNX export."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError

LENGTHS = torch.tensor([12, 10, 8, 7, 0])


def _padded(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch whose padding holds NaN (it must never reach an output) and its clean copy."""
    clean = torch.randn(len(LENGTHS), int(LENGTHS.max()), 3,
                        generator=torch.Generator().manual_seed(seed))
    dirty = clean.clone()
    for row, length in enumerate(LENGTHS.tolist()):
        dirty[row, length:] = float("nan")
    return dirty, clean


def _assert_each_alone(layer: sk.layers.Layer) -> None:
    dirty, clean = _padded()
    layer.eval()
    with torch.no_grad():
        out = layer(dirty, LENGTHS)
        for row, length in enumerate(LENGTHS.tolist()):
            if length == 0:
                assert int(out.lengths[row]) == 0 and not out.values[row].any()
                continue
            alone = layer(clean[row:row + 1, :length]).values[0]
            assert int(out.lengths[row]) == len(alone)
            torch.testing.assert_close(out.values[row, :len(alone)], alone, rtol=0,
                                       atol=1e-6)
            assert not out.values[row, len(alone):].any()


CONVS = [dict(zip(("kernel_size", "strides", "padding", "dilation_rate"), case, strict=True))
         for case in itertools.product((1, 2, 3, 4), (1, 2, 3), ("valid", "same", "causal"),
                                       (1, 2)) if not (case[1] > 1 and case[3] > 1)]


@pytest.mark.parametrize("arguments", CONVS, ids=str)
def test_conv1d_padded_batch_equals_each_sequence_alone(arguments: dict) -> None:
    torch.manual_seed(0)
    _assert_each_alone(sk.Conv1D(2, activation="tanh", **arguments))


POOLS = list(itertools.product((1, 2, 3, 4), (None, 1, 2, 3), ("valid", "same")))


@pytest.mark.parametrize(("pool_size", "strides", "padding"), POOLS, ids=str)
@pytest.mark.parametrize("kind", [sk.MaxPooling1D, sk.AveragePooling1D])
def test_pooling_padded_batch_equals_each_sequence_alone(kind: type, pool_size: int,
                                                         strides: int | None,
                                                         padding: str) -> None:
    _assert_each_alone(kind(pool_size, strides, padding))


def test_max_pooling_ignores_padding_even_when_it_is_larger() -> None:
    x = torch.tensor([[[-5.0], [-3.0], [100.0], [100.0]]])
    out = sk.MaxPooling1D(4, padding="same")(x, torch.tensor([2]))
    assert out.values[0, 0, 0] == -3.0


@pytest.mark.parametrize("layer", [sk.Conv1D(2, 3, padding="causal"),
                                   sk.Conv1D(2, 3, padding="same"), sk.Conv1D(2, 2),
                                   sk.MaxPooling1D(2, 1), sk.AveragePooling1D(3, 1, "same")],
                         ids=lambda layer: repr(layer))
def test_left_padded_step_mask_gives_each_sequence_alone(layer: sk.layers.Layer) -> None:
    torch.manual_seed(1)
    clean = torch.randn(2, 6, 3)
    dirty = clean.clone()
    dirty[1, :2] = float("nan")
    mask = torch.tensor([[True] * 6, [False, False, True, True, True, True]])
    with torch.no_grad():
        out = layer.eval()(dirty, mask)
        alone = layer(clean[1:, 2:]).values[0]
    kept = out.lengths[1]
    assert int(kept.sum()) == len(alone) and bool(kept[-len(alone):].all())
    torch.testing.assert_close(out.values[1, -len(alone):], alone, rtol=0, atol=1e-6)
    assert not out.values[1, :-len(alone)].any()


def test_right_padded_step_mask_is_read_as_lengths_with_strides() -> None:
    torch.manual_seed(2)
    x = torch.randn(2, 7, 3)
    mask = torch.arange(7)[None] < torch.tensor([[7], [4]])
    conv = sk.Conv1D(2, 3, strides=2, padding="same")
    torch.testing.assert_close(conv(x, mask).values, conv(x, torch.tensor([7, 4])).values)


def test_strided_windows_refuse_inner_masks_with_the_fix() -> None:
    mask = torch.tensor([[True, False, True, True]])
    for layer in (sk.Conv1D(2, 2, strides=2), sk.MaxPooling1D(2)):
        with pytest.raises(InputError, match="pad sequences on the right"):
            layer(torch.randn(1, 4, 3), mask)


def test_kernel_longer_than_the_sequence_is_refused_with_the_fix() -> None:
    with pytest.raises(InputError, match=r"at least 5 time steps.*padding='same'"):
        sk.Conv1D(2, 5)(torch.randn(2, 4, 3))
    with pytest.raises(InputError, match="at least 7 time steps"):
        sk.Conv1D(2, 4, dilation_rate=2).build((None, 6, 3))
    with pytest.raises(InputError, match="row 1: 3 steps"):
        sk.Conv1D(2, 5)(torch.randn(2, 8, 3), torch.tensor([8, 3]))
    with pytest.raises(InputError, match="pool_size=4"):
        sk.MaxPooling1D(4)(torch.randn(2, 3, 3))
    assert sk.Conv1D(2, 5, padding="same")(torch.randn(2, 4, 3)).values.shape == (2, 4, 2)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"kernel_size": 3, "strides": 2, "dilation_rate": 2}, "strides=1 with dilation_rate"),
    ({"kernel_size": 3, "padding": "full"}, "one of"),
    ({"kernel_size": 0}, "positive integer"),
    ({"kernel_size": (3, 3)}, "one-element tuple"),
    ({"kernel_size": 3, "groups": 3}, "multiple of groups"),
])
def test_conv1d_bad_arguments(arguments: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        sk.Conv1D(4, **arguments)


def test_conv1d_groups_must_divide_the_features() -> None:
    with pytest.raises(ConfigError, match="input features a multiple of groups"):
        sk.Conv1D(4, 2, groups=2).build((None, 5, 3))


def test_pooling_refuses_causal_padding() -> None:
    with pytest.raises(ConfigError, match="'valid', 'same'"):
        sk.AveragePooling1D(2, padding="causal")


def test_cnn_lstm_model_saves_loads_and_exports(tmp_path: Path) -> None:
    torch.manual_seed(3)
    model = sk.Sequential([sk.Input((16, 2)),
                           sk.Conv1D(8, 3, padding="causal", activation="relu"),
                           sk.MaxPooling1D(2), sk.AveragePooling1D(2, padding="same"),
                           sk.Conv1D(4, 2, strides=2), sk.LSTM(5), sk.Dense(1)])
    x = np.random.default_rng(4).normal(size=(6, 16, 2)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    sk.save_model(model, tmp_path / "cnn.seqkit")
    loaded = sk.load_model(tmp_path / "cnn.seqkit")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "cnn.onnx")))
    (onnx_out,) = session.run(None, {"x": x})
    np.testing.assert_allclose(onnx_out, expected, rtol=1e-4, atol=1e-5)
    (longer,) = session.run(None, {"x": np.tile(x, (1, 2, 1))})  # the time axis is dynamic
    np.testing.assert_allclose(longer, model.predict(np.tile(x, (1, 2, 1)), verbose=0),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layer", [sk.Conv1D(2, 3, padding="causal"), sk.Conv1D(2, 1, 2),
                                   sk.MaxPooling1D(2), sk.AveragePooling1D(2, 1, "same"),
                                   sk.Flatten()], ids=repr)
def test_streams_refuse_windows_over_time(layer: sk.layers.Layer) -> None:
    model = sk.Sequential([sk.LSTM(3, return_sequences=True), layer])
    with pytest.raises(ConfigError, match="needs the whole sequence"):
        model.stream()


def test_streams_take_one_step_windows() -> None:
    model = sk.Sequential([sk.Input((6, 2)), sk.Conv1D(3, 1), sk.TimeDistributed(sk.Dense(2)),
                           sk.LSTM(2, return_sequences=True)])
    x = np.random.default_rng(5).normal(size=(2, 6, 2)).astype(np.float32)
    stream = model.stream()
    parts = [stream.step(x[:, :4]), stream.step(x[:, 4:])]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), model.predict(x, verbose=0),
                               atol=1e-6)


def test_exported_same_strided_windows_pad_every_length_as_keras(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(6)
    model = sk.Sequential([sk.Input((None, 2)), sk.Conv1D(4, 3, strides=2, padding="same"),
                           sk.AveragePooling1D(2, padding="same"),
                           sk.MaxPooling1D(3, 2, "same"), sk.LSTM(3), sk.Dense(1)])
    path = model.to_onnx(tmp_path / "same.onnx", input_sample=torch.zeros(2, 16, 2))
    session = ort.InferenceSession(str(path))
    for time in (16, 15, 17, 13):  # traced at 16: the others pad differently
        x = np.random.default_rng(time).normal(size=(3, time, 2)).astype(np.float32)
        (got,) = session.run(None, {"x": x})
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
