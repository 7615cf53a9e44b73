"""Sequential as a container: names, add/pop, build, shapes, summary, layouts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rich.console import Console

import seqkit as sk
from seqkit.errors import ConfigError, InputTypeError, NotBuiltError
from seqkit.models.summary import parameter_counts, summary_table


def test_layers_get_unique_keras_style_names() -> None:
    model = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.LSTM(4), sk.Dense(1),
                           sk.GlobalAveragePooling1D()])
    assert [layer.name for layer in model.layers] == [
        "lstm", "lstm_1", "dense", "global_average_pooling1d"]


def test_duplicate_name_is_refused() -> None:
    model = sk.Sequential([sk.Dense(2, name="head")])
    with pytest.raises(ConfigError, match="name='head'"):
        model.add(sk.Dense(2, name="head"))


def test_add_rejects_non_layers() -> None:
    with pytest.raises(InputTypeError, match="seqkit layer"):
        sk.Sequential([torch.nn.Linear(2, 2)])  # type: ignore[list-item]


def test_pop_removes_last_layer_and_add_builds_new_one() -> None:
    model = sk.Sequential([sk.LSTM(5), sk.Dense(1)])
    model.build((None, 7, 3))
    popped = model.pop()
    assert isinstance(popped, sk.Dense)
    assert model.output_shape == (None, 5)
    model.add(sk.Dense(2))
    assert model.layers[-1].built
    assert model.output_shape == (None, 2)
    assert tuple(model(torch.randn(3, 7, 3)).shape) == (3, 2)


def test_build_infers_shapes_without_data() -> None:
    model = sk.Sequential([sk.LSTM(6, return_sequences=True, bidirectional=True),
                           sk.Dense(3)])
    assert not model.built
    model.build((None, None, 4))
    assert model.built
    assert model.input_shape == (None, None, 4)
    assert model.output_shape == (None, None, 3)


def test_shape_queries_before_build_explain_the_fix() -> None:
    with pytest.raises(NotBuiltError, match=r"model.build\(\(None, time, features\)\)"):
        _ = sk.Sequential([sk.Dense(1)]).output_shape


def test_forward_builds_lazily_from_first_batch() -> None:
    model = sk.Sequential([sk.GRU(4), sk.Dense(2)])
    out = model(torch.randn(5, 9, 3))
    assert tuple(out.shape) == (5, 2)
    assert model.input_shape == (None, 9, 3)


def test_summary_totals_equal_parameter_numel() -> None:
    model = sk.Sequential([sk.Embedding(50, 8), sk.LSTM(16, num_layers=2),
                           sk.Dense(3, activation="relu")])
    model.build((None, 10))
    model.layers[0].embedding.weight.requires_grad_(False)
    trainable, frozen = parameter_counts(model)
    assert trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert frozen == 50 * 8  # the LSTM's structural zero bias_hh is not a Keras weight
    assert trainable + frozen == model.count_params()
    text = _render(model)
    assert "lstm (LSTM)" in text and "(None, 16)" in text
    per_layer = [layer.count_params() for layer in model.layers]
    for count in per_layer:
        assert f"{count:,}" in text


def test_summary_prints_totals(capsys: pytest.CaptureFixture[str]) -> None:
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)])
    model.build((None, 3, 2))
    model.summary(width=120)
    out = capsys.readouterr().out
    total = model.count_params()  # Keras's count: one LSTM bias
    assert f"Total params: {total:,}" in out
    assert f"Trainable params: {total:,}" in out
    assert "Non-trainable params: 0" in out


def test_summary_of_unbuilt_model_shows_unknowns() -> None:
    text = _render(sk.Sequential([sk.LSTM(4), sk.Dense(1)]))
    assert "?" in text


def test_get_config_lists_layer_configs() -> None:
    model = sk.Sequential([sk.LSTM(4, name="enc"), sk.Dense(1)], name="net")
    config = model.get_config()
    assert config["name"] == "net"
    assert config["layers"][0] == {"class_name": "LSTM", "config": sk.LSTM(4, name="enc")
                                   .get_config()}


def test_time_major_layout_is_converted_at_the_boundary() -> None:
    torch.manual_seed(0)
    batch_major = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.Dense(2)])
    time_major = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.Dense(2)],
                               batch_first=False)
    x = torch.randn(3, 6, 2)  # (batch, time, features)
    batch_major.build((None, 6, 2))
    time_major.build((6, None, 2))
    time_major.load_state_dict(batch_major.state_dict())
    expected = batch_major(x)
    got = time_major(x.transpose(0, 1))
    torch.testing.assert_close(got.transpose(0, 1), expected)
    np.testing.assert_allclose(time_major.predict(x.transpose(0, 1).numpy()).swapaxes(0, 1),
                               expected.detach().numpy(), rtol=1e-5, atol=1e-6)


def _render(model: sk.Sequential) -> str:
    console = Console(record=True, width=120)
    console.print(summary_table(model))
    return console.export_text()
