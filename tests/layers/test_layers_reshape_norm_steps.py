"""``BatchNormalization``, ``SpatialDropout1D``, ``Flatten``, ``Reshape``,
``TimeDistributed``: padded batches, bad input with the fix, saving and ONNX export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError, InputTypeError

LENGTHS = torch.tensor([6, 4, 1])


def _padded(features: int = 3, *extra: int) -> tuple[torch.Tensor, torch.Tensor]:
    clean = torch.randn(3, 6, *extra, features, generator=torch.Generator().manual_seed(0))
    dirty = clean.clone()
    for row, length in enumerate(LENGTHS.tolist()):
        dirty[row, length:] = 1e4
    return dirty, clean


def test_batch_normalization_training_statistics_are_over_valid_steps_only() -> None:
    dirty, clean = _padded()
    padded_norm, alone_norm = sk.BatchNormalization(momentum=0.5), sk.BatchNormalization(
        momentum=0.5)
    out = padded_norm(dirty, LENGTHS)
    valid = torch.cat([clean[row, :length] for row, length in enumerate(LENGTHS.tolist())])
    expected = alone_norm(valid[None]).values[0]
    kept = torch.arange(6)[None] < LENGTHS[:, None]
    torch.testing.assert_close(out.values[kept], expected)
    assert not out.values[~kept].any() and torch.equal(out.lengths, LENGTHS)
    torch.testing.assert_close(padded_norm.moving_mean, alone_norm.moving_mean)
    torch.testing.assert_close(padded_norm.moving_variance, alone_norm.moving_variance)


def test_batch_normalization_at_inference_gives_each_sequence_alone() -> None:
    dirty, clean = _padded()
    norm = sk.BatchNormalization()
    norm(clean)  # moves the statistics
    norm.eval()
    out = norm(dirty, LENGTHS).values
    for row, length in enumerate(LENGTHS.tolist()):
        torch.testing.assert_close(out[row, :length], norm(clean[row:row + 1, :length])
                                   .values[0])


def test_batch_normalization_moves_keras_momentum_with_the_biased_variance() -> None:
    x = torch.tensor([[1.0], [3.0]])
    norm = sk.BatchNormalization(momentum=0.75)
    norm(x)
    torch.testing.assert_close(norm.moving_mean, torch.tensor([0.5]))  # 0.75 * 0 + 0.25 * 2
    torch.testing.assert_close(norm.moving_variance, torch.tensor([1.0]))  # biased var = 1


@pytest.mark.parametrize(("arguments", "message"), [
    ({"axis": 1}, "features on the last axis"),
    ({"momentum": 1.0}, r"in \(0, 1\)"),
    ({"epsilon": 0}, "above 0"),
    ({"center": 1}, "True or False"),
    ({"gamma_initializer": "orthogonal"}, "vector"),
])
def test_batch_normalization_bad_arguments(arguments: dict, message: str) -> None:
    with pytest.raises((ConfigError, InputTypeError), match=message):
        sk.BatchNormalization(**arguments)


def test_spatial_dropout_drops_whole_channels_and_keeps_padding_zero() -> None:
    torch.manual_seed(0)
    x = torch.ones(8, 5, 16)
    x[1, 3:] = 0.0
    out = sk.SpatialDropout1D(0.5)(x, torch.tensor([5, 3, 5, 5, 5, 5, 5, 5]))
    values = out.values
    assert torch.equal(values[0], values[0, :1].expand(5, -1))  # whole channels
    assert set(values.unique().tolist()) == {0.0, 2.0}
    assert not values[1, 3:].any()
    assert 0 < (values[:, 0] == 0).float().mean() < 1


def test_flatten_refuses_padded_batches_with_the_fix() -> None:
    dirty, _ = _padded()
    with pytest.raises(InputError, match="pool over time instead"):
        sk.Flatten()(dirty, LENGTHS)
    full = sk.Flatten()(dirty, torch.tensor([6, 6, 6]))
    assert full.values.shape == (3, 18) and full.lengths is None


def test_flatten_refuses_another_time_length_than_built_for() -> None:
    model = sk.Sequential([sk.Input((6, 3)), sk.Flatten(), sk.Dense(1)])
    with pytest.raises(InputError, match=r"samples of shape \(6, 3\)"):
        model.predict(np.zeros((2, 5, 3), dtype=np.float32), verbose=0)


@pytest.mark.parametrize("target", [(0, 3), (-1, -1), (), "3", (2.5,)], ids=str)
def test_reshape_refuses_bad_targets(target: object) -> None:
    with pytest.raises(ConfigError, match="target_shape"):
        sk.Reshape(target)


def test_incompatible_reshape_names_the_sizes_and_the_fix() -> None:
    with pytest.raises(InputError, match=r"15 values per sample.*multiply to 18"):
        sk.Reshape((3, 5))(torch.randn(2, 6, 3))
    with pytest.raises(InputError, match="a multiple of 4"):
        sk.Reshape((-1, 4)).build((None, 5, 3))


def test_reshape_keeps_lengths_per_step_and_refuses_mixing_padding() -> None:
    dirty, _ = _padded(4)
    out = sk.Reshape((-1, 2, 2))(dirty, LENGTHS)
    assert out.values.shape == (3, 6, 2, 2) and torch.equal(out.lengths, LENGTHS)
    with pytest.raises(InputError, match="pool over time"):
        sk.Reshape((3, -1))(dirty, LENGTHS)


def test_time_distributed_padded_batch_equals_each_sequence_alone() -> None:
    torch.manual_seed(1)
    for layer, extra in ((sk.Dense(2, activation="tanh"), ()),
                         (sk.Conv1D(3, 2, padding="causal"), (5,)),
                         (sk.GRU(2), (5,))):
        wrapped = sk.TimeDistributed(layer).eval()
        dirty, clean = _padded(3, *extra)
        out = wrapped(dirty, LENGTHS)
        assert torch.equal(out.lengths, LENGTHS)
        for row, length in enumerate(LENGTHS.tolist()):
            alone = wrapped(clean[row:row + 1, :length]).values[0]
            torch.testing.assert_close(out.values[row, :length], alone)
            assert not out.values[row, length:].any()


def test_time_distributed_refuses_what_has_no_meaning_per_step() -> None:
    with pytest.raises(ConfigError, match="Masking on its own"):
        sk.TimeDistributed(sk.Masking())
    with pytest.raises(ConfigError, match="stateful=False"):
        sk.TimeDistributed(sk.LSTM(2, stateful=True))
    with pytest.raises(InputTypeError, match="a seqkit layer"):
        sk.TimeDistributed(torch.nn.Linear(2, 2))
    with pytest.raises(InputError, match=r"steps of shape \(None, 3\).*\(batch, time, steps"):
        sk.TimeDistributed(sk.LSTM(2))(torch.randn(2, 5, 3))


def test_cnn_models_with_these_layers_save_load_and_export(tmp_path: Path) -> None:
    torch.manual_seed(2)
    model = sk.Sequential([
        sk.Input((4, 6, 2)), sk.TimeDistributed(sk.Conv1D(4, 3, activation="relu")),
        sk.TimeDistributed(sk.MaxPooling1D(2)), sk.TimeDistributed(sk.Flatten()),
        sk.BatchNormalization(), sk.SpatialDropout1D(0.1), sk.Reshape((4, 4, 2)),
        sk.TimeDistributed(sk.Flatten()), sk.LSTM(3), sk.Dense(1)])
    x = np.random.default_rng(3).normal(size=(5, 4, 6, 2)).astype(np.float32)
    model.compile(loss="mse")
    model.fit(x, np.zeros((5, 1), np.float32), epochs=1, verbose=0)  # moves the statistics
    expected = model.predict(x, verbose=0)
    sk.save_model(model, tmp_path / "steps.seqkit")
    loaded = sk.load_model(tmp_path / "steps.seqkit")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "steps.onnx")))
    (onnx_out,) = session.run(None, {"x": x})
    np.testing.assert_allclose(onnx_out, expected, rtol=1e-4, atol=1e-5)


def test_summary_counts_moving_statistics_as_non_trainable_weights() -> None:
    model = sk.Sequential([sk.Input((6, 2)), sk.BatchNormalization(), sk.Dense(1)])
    totals = sk.models.summary.parameter_counts(model)
    assert totals == (2 * 2 + 3, 2 * 2)  # gamma, beta, Dense; moving mean and variance
    assert sum(totals) == model.count_params()
