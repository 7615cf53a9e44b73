"""WindowNormalization: exact under changes of units, seasonal naive at zero output, config,
saving and ONNX; its refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError, InputTypeError


def _layer(**kwargs: object) -> sk.WindowNormalization:
    torch.manual_seed(0)
    return sk.WindowNormalization([sk.LSTM(5), sk.Dense(3)], **kwargs)


@pytest.mark.parametrize("kwargs", [{"season_length": 4}, {"season_length": None},
                                    {"season_length": 4, "base": "seasonal_drift"},
                                    {"season_length": 3, "base": "level"}])
def test_shifted_and_scaled_series_gives_shifted_and_scaled_forecast(kwargs: dict) -> None:
    layer = _layer(**kwargs).eval()
    x = torch.randn(6, 8, 1, generator=torch.Generator().manual_seed(1))
    base = layer(x).values
    for scale, shift in ((1000.0, -3.0), (0.01, 250.0), (7.0, 0.0)):
        moved = layer(scale * x + shift).values
        torch.testing.assert_close(moved, scale * base + shift, rtol=1e-4,
                                   atol=1e-4 * scale)


def _zero_stack(horizon: int, **kwargs: object) -> sk.WindowNormalization:
    return sk.WindowNormalization([sk.LSTM(3), sk.Dense(horizon, kernel_initializer="zeros")],
                                  **kwargs)


def test_zero_stack_output_is_the_base_forecast() -> None:
    x = torch.arange(1.0, 17.0).reshape(2, 8, 1) ** 2
    seasonal = _zero_stack(6, season_length=4)  # the default base
    expected = x[:, [4, 5, 6, 7, 4, 5], 0]  # one season back, tiled past the season
    torch.testing.assert_close(seasonal(x).values, expected)
    drift = x[:, 4:, 0].mean(dim=1, keepdim=True) - x[:, :4, 0].mean(dim=1, keepdim=True)
    with_drift = _zero_stack(6, season_length=4, base="seasonal_drift")(x).values
    torch.testing.assert_close(with_drift, expected + drift * torch.tensor([1.0] * 4 + [2.0] * 2))
    short = _zero_stack(2, season_length=5, base="seasonal_drift")(x).values  # no drift
    torch.testing.assert_close(short, x[:, [3, 4], 0])
    level = _zero_stack(2, season_length=4, base="level")(x).values
    torch.testing.assert_close(level, x[:, 4:, 0].mean(dim=1, keepdim=True).expand(-1, 2))
    naive = sk.WindowNormalization([sk.LSTM(3), sk.Dense(2, kernel_initializer="zeros")])
    torch.testing.assert_close(naive(x).values, x[:, -1:, 0].expand(-1, 2))


def test_covariates_pass_through_and_only_the_target_is_normalized() -> None:
    seen = []
    layer = sk.WindowNormalization([sk.LSTM(2), sk.Dense(1)], season_length=2, target=1)
    layer.stack[0].register_forward_hook(lambda _m, args, _o: seen.append(args[0].clone()))
    x = torch.randn(3, 6, 2)
    layer(x)
    torch.testing.assert_close(seen[0][..., 0], x[..., 0])
    target = seen[0][..., 1]
    torch.testing.assert_close(target.std(dim=1), torch.ones(3))
    torch.testing.assert_close(target[:, -2:].mean(dim=1), torch.zeros(3), atol=1e-6,
                               rtol=0)


def test_constant_window_gives_finite_forecast() -> None:
    out = _layer(season_length=4)(torch.full((2, 8, 1), 5.0)).values
    assert torch.isfinite(out).all()


def test_config_round_trip_and_saved_file(tmp_path: Path) -> None:
    model = sk.Sequential([_layer(season_length=4, base="level")])
    x = np.random.default_rng(3).normal(size=(4, 8, 1)).astype(np.float32) * 50 + 100
    expected = model.predict(x, verbose=0)
    config = model.layers[0].get_config()
    assert config["season_length"] == 4 and config["base"] == "level"
    assert sk.WindowNormalization.from_config(config).get_config() == config
    model.save(tmp_path / "wn.seqkit")
    loaded = sk.load_model(tmp_path / "wn.seqkit")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
    assert loaded.layers[0].get_config() == config


def test_ensemble_of_window_normalizations_saves(tmp_path: Path) -> None:
    model = sk.Sequential([sk.Ensemble([_layer(season_length=4)], members=2)])
    x = np.random.default_rng(5).normal(size=(3, 8, 1)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "ensemble.seqkit")
    np.testing.assert_allclose(sk.load_model(tmp_path / "ensemble.seqkit").predict(
        x, verbose=0), expected, rtol=1e-6)


@pytest.mark.filterwarnings("ignore::UserWarning")  # the exporter's RNN notes
def test_onnx_export_answers_like_predict(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    model = sk.Sequential([_layer(season_length=4)])
    x = (np.random.default_rng(4).normal(size=(2, 8, 1)) * 10 + 40).astype(np.float32)
    model.build((None, 8, 1))
    session = ort.InferenceSession(str(model.to_onnx(tmp_path / "wn.onnx")))
    np.testing.assert_allclose(session.run(None, {"x": x})[0], model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("make", "error", "match"), [
    (lambda: sk.WindowNormalization([]), ConfigError, "at least one layer"),
    (lambda: sk.WindowNormalization([sk.Dense(1)], season_length=0), ConfigError,
     "season_length"),
    (lambda: sk.WindowNormalization([sk.Dense(1)], season_length=2.5), ConfigError,
     "season_length"),
    (lambda: sk.WindowNormalization([sk.Dense(1)], epsilon=-1.0), ConfigError, "epsilon"),
    (lambda: sk.WindowNormalization([sk.Dense(1)], target=-1), ConfigError, "target"),
    (lambda: sk.WindowNormalization([sk.Dense(1)], base="mean"), ConfigError, "base"),
    (lambda: sk.WindowNormalization(["LSTM"]), InputTypeError, "seqkit layers"),
])
def test_refused_arguments(make: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()  # type: ignore[operator]


def test_refused_inputs_and_stacks() -> None:
    with pytest.raises(InputError, match="at least season_length=12"):
        _layer(season_length=12)(torch.randn(2, 8, 1))
    with pytest.raises(InputError, match="column 2"):
        _layer(target=2)(torch.randn(2, 8, 1))
    with pytest.raises(InputError, match=r"sk\.data\.windows"):
        _layer()(torch.randn(2, 8))
    with pytest.raises(ConfigError, match="no time axis"):
        sk.WindowNormalization([sk.LSTM(3, return_sequences=True)])(torch.randn(2, 8, 1))
    layer = _layer(season_length=4)
    layer(torch.randn(2, 8, 1))
    with pytest.raises(ConfigError, match="before the layer is built"):
        layer.set_season_length(2)
