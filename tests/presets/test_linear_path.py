"""The forecaster's linear path: ridge regression in closed form, the blend chosen on the
validation windows, the layer's buffers saved and exported, exact under changes of units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError
from seqkit.presets.linear_path import BLENDS, fit_linear_path, normalized_rows, ridge


def _linear_layer(steps: int = 8, horizon: int = 2, seed: int = 0) -> sk.WindowNormalization:
    torch.manual_seed(seed)
    layer = sk.WindowNormalization([sk.LSTM(3), sk.Dense(horizon)], season_length=4,
                                   linear=True)
    layer.build((None, steps, 1))
    generator = torch.Generator().manual_seed(seed)
    layer.set_linear(torch.randn(steps, horizon, generator=generator),
                     torch.randn(horizon, generator=generator), deep_weight=0.5)
    return layer.eval()


def test_ridge_recovers_the_coefficients_and_weights_rows() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(200, 3))
    kernel = np.array([[1.0, -2.0], [0.5, 0.0], [0.0, 3.0]])
    r = z @ kernel + np.array([0.25, -1.0])
    found, bias = ridge(z, r, penalty=0.0)
    np.testing.assert_allclose(found, kernel, atol=1e-10)
    np.testing.assert_allclose(bias, [0.25, -1.0], atol=1e-10)
    shrunk, _ = ridge(z, r, penalty=10.0)
    assert np.abs(shrunk).sum() < 0.5 * np.abs(kernel).sum()  # the penalty shrinks
    # Rows of weight 0 do not count: a corrupted half changes nothing.
    bad = r.copy()
    bad[100:] += 50 * rng.normal(size=(100, 2))
    weights = np.r_[np.ones(100), np.zeros(100)]
    np.testing.assert_allclose(ridge(z, bad, 0.0, weights)[0], kernel, atol=1e-8)


def test_layer_answers_base_plus_scale_times_linear_and_stack() -> None:
    layer = _linear_layer()
    x = torch.randn(5, 8, 1, generator=torch.Generator().manual_seed(2)) * 3 + 10
    z, _, scale, base = normalized_rows(layer, x.double().numpy(), np.zeros((5, 2)))
    normalized = x.clone()
    normalized[..., 0] = torch.as_tensor(z, dtype=torch.float32)
    stack = layer.stack[1](layer.stack[0](normalized, None, None, None, False)[0], None,
                           None)[0]
    expected = base + scale * (z @ layer.linear_kernel.double().numpy()
                               + layer.linear_bias.double().numpy()
                               + 0.5 * stack.detach().double().numpy())
    np.testing.assert_allclose(layer(x).values.detach().numpy(), expected, rtol=1e-4,
                               atol=1e-4)


def test_linear_path_is_exact_under_changes_of_units() -> None:
    layer = _linear_layer(seed=3)
    x = torch.randn(6, 8, 1, generator=torch.Generator().manual_seed(1))
    base = layer(x).values
    for scale, shift in ((1000.0, -3.0), (0.01, 250.0)):
        torch.testing.assert_close(layer(scale * x + shift).values, scale * base + shift,
                                   rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.filterwarnings("ignore::UserWarning")  # the exporter's RNN notes
def test_linear_path_saves_loads_and_exports(tmp_path: Path) -> None:
    model = sk.Sequential([sk.Ensemble([sk.WindowNormalization(
        [sk.LSTM(3), sk.Dense(2)], season_length=4, linear=True)], members=2)])
    model.build((None, 8, 1))
    for index, layer in enumerate(model.layers[0].members):
        layer[0].set_linear(torch.full((8, 2), 0.1 * (index + 1)), torch.ones(2), 0.25)
    x = (np.random.default_rng(4).normal(size=(3, 8, 1)) * 10 + 40).astype(np.float32)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "linear.seqkit")
    loaded = sk.load_model(tmp_path / "linear.seqkit")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
    assert float(loaded.layers[0].members[1][0].deep_weight) == 0.25
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "linear.onnx")))
    np.testing.assert_allclose(session.run(None, {"x": x})[0], expected, rtol=1e-4, atol=1e-4)


def test_fit_linear_path_picks_the_linear_forecast_for_a_linear_recursion() -> None:
    series = (np.sin(np.arange(120) / 3) * 5 + 20).astype(np.float32)
    x, y = sk.data.windows(series, lookback=8)
    layer = sk.WindowNormalization([sk.LSTM(2), sk.Dense(1)], linear=True)
    layer.build((None, 8, 1))
    network = np.full((20, 1), float(series.mean()))  # a poor network: the mean
    choice = fit_linear_path([layer], x[:-20], y[:-20], (x[-20:], y[-20:]), network)
    assert choice.weight == 1.0 and choice.linear_mse < 1e-4 < choice.network_mse
    assert float(layer.deep_weight) == 0.0
    answer = layer.eval()(torch.tensor(x[-20:])).values.detach().numpy()
    np.testing.assert_allclose(answer, y[-20:], atol=0.02)
    # A network that is exact gets all the weight.
    exact = fit_linear_path([layer], x[:-20], y[:-20], (x[-20:], y[-20:]), y[-20:])
    assert exact.weight == 0.0 and exact.validation_mse == 0.0 and exact.weight in BLENDS


def test_forecaster_blends_on_the_validation_tail_and_refits_on_every_window() -> None:
    t = np.arange(150)
    noise = np.random.default_rng(0).normal(scale=0.2, size=150)
    series = (50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 6) + noise).astype(np.float32)
    x, y = sk.data.windows(series, lookback=12)
    model = sk.presets.forecaster(lookback=12, units=4, members=2, linear=True)
    history = model.fit(x, y, epochs=5, verbose=0, seed=0)
    choice = model.linear_fit
    assert choice is not None and choice.weight in BLENDS
    assert history.history["linear_weight"] == [choice.weight]
    assert choice.validation_mse <= min(choice.linear_mse, choice.network_mse)
    layers = model.linear_layers()
    assert len(layers) == 2 and all(float(layer.deep_weight) == 1 - choice.weight
                                    for layer in layers)
    assert all(torch.equal(layers[0].linear_kernel, layer.linear_kernel) for layer in layers)
    # Without the linear path the preset is the network alone (its buffers do not exist).
    plain = sk.presets.forecaster(lookback=12, units=4, members=1)  # linear=False
    plain.fit(x, y, epochs=2, verbose=0, seed=0)
    assert plain.linear_layers() == [] and plain.linear_fit is None


def test_refusals() -> None:
    layer = sk.WindowNormalization([sk.LSTM(2), sk.Dense(1)], linear=True)
    with pytest.raises(ConfigError, match="linear=True"):
        layer.set_linear(np.zeros((4, 1)), np.zeros(1))  # not built yet
    with pytest.raises(ConfigError, match="fixed length"):
        layer.build((None, None, 1))
    layer = sk.WindowNormalization([sk.LSTM(2), sk.Dense(1)], linear=True)
    layer.build((None, 4, 1))
    with pytest.raises(InputError, match=r"kernel \(4, 1\)"):
        layer.set_linear(np.zeros((5, 1)), np.zeros(1))
    with pytest.raises(Exception, match="True or False"):
        sk.WindowNormalization([sk.Dense(1)], linear=1)  # type: ignore[arg-type]
