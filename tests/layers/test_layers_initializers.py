"""Keras's initial weights on torch's parameters: names, fans, gates, stacks, directions."""

from __future__ import annotations

import math
import pickle

import pytest
import torch
from torch import Tensor, nn

import seqkit as sk
from seqkit.layers import GRU, INITIALIZERS, LSTM, Bidirectional, Dense, Embedding
from seqkit.layers.initializers import check_initializer, compute_fans, initialize

X = torch.randn(2, 3, 5)


def fill_with_sevens(tensor: Tensor) -> None:
    """A module-level callable initialiser (picklable), in torch's in-place style."""
    tensor.fill_(7.0)


def _directions(layer: LSTM | GRU) -> list[str]:
    return [f"_l{index}" + ("_reverse" if direction else "")
            for index in range(layer.num_layers) for direction in range(layer.directions)]


def _built(layer: nn.Module, x: Tensor = X) -> nn.Module:
    layer(x)
    return layer


@pytest.mark.parametrize(("kind", "gates"), [(LSTM, 4), (GRU, 3)])
def test_recurrent_defaults_are_keras_per_layer_and_direction(kind: type, gates: int) -> None:
    torch.manual_seed(0)
    layer = _built(kind(6, num_layers=2, bidirectional=True))
    rnn = layer.rnn
    for suffix in _directions(layer):
        kernel = getattr(rnn, f"weight_ih{suffix}").detach()  # (gates * units, in)
        fan_in, fan_out = kernel.shape[1], gates * 6
        limit = math.sqrt(6 / (fan_in + fan_out))  # glorot_uniform on Keras's (in, g*u)
        assert float(kernel.abs().max()) <= limit
        assert float(kernel.abs().max()) > 0.8 * limit
        recurrent = getattr(rnn, f"weight_hh{suffix}").detach()  # Keras's (u, g*u), .T
        torch.testing.assert_close(recurrent.T @ recurrent, torch.eye(6), atol=1e-5, rtol=0)
        bias = (getattr(rnn, f"bias_ih{suffix}") + getattr(rnn, f"bias_hh{suffix}")).detach()
        expected = torch.zeros(gates * 6)
        if kind is LSTM:
            expected[6:12] = 1.0  # unit_forget_bias: torch's i, f, g, o = Keras's i, f, c, o
            assert torch.equal(getattr(rnn, f"bias_hh{suffix}").detach(), torch.zeros(24))
        assert torch.equal(bias, expected)


def test_each_direction_and_layer_draws_its_own_weights() -> None:
    torch.manual_seed(0)
    rnn = _built(LSTM(4, num_layers=2, bidirectional=True)).rnn
    assert not torch.equal(rnn.weight_hh_l0, rnn.weight_hh_l0_reverse)
    assert not torch.equal(rnn.weight_hh_l0, rnn.weight_hh_l1)


def test_bidirectional_wrapper_initialises_like_the_layer() -> None:
    torch.manual_seed(1)
    wrapper = _built(Bidirectional(LSTM(4, kernel_initializer="ones")))
    rnn = wrapper.layer.rnn
    assert torch.equal(rnn.weight_ih_l0_reverse, torch.ones(16, 5))
    reverse = rnn.weight_hh_l0_reverse.detach()
    torch.testing.assert_close(reverse.T @ reverse, torch.eye(4), atol=1e-5, rtol=0)
    assert float((rnn.bias_ih_l0_reverse + rnn.bias_hh_l0_reverse)[4:8].detach().min()) == 1.0


def test_glorot_variance_matches_keras_fans() -> None:
    """Var(U(-l, l)) = l^2 / 3 with l from Keras's (in, 4 * units), not from (units, in)."""
    torch.manual_seed(2)
    kernel = _built(LSTM(64), torch.randn(1, 2, 200)).rnn.weight_ih_l0.detach()
    expected = 6 / (200 + 256) / 3
    assert float(kernel.var()) == pytest.approx(expected, rel=0.03)


def test_gru_bias_rows_are_keras_input_and_recurrent_rows() -> None:
    torch.manual_seed(3)
    rnn = _built(GRU(3, bias_initializer="ones")).rnn
    assert torch.equal(rnn.bias_ih_l0, torch.ones(9))
    assert torch.equal(rnn.bias_hh_l0, torch.ones(9))  # Keras's (2, 3u): both rows ones


@pytest.mark.parametrize(("bias", "forget", "others"), [
    ("ones", 1.0, 1.0), ("zeros", 1.0, 0.0)])
def test_lstm_bias_holds_keras_bias_in_bias_ih(bias: str, forget: float, others: float
                                                ) -> None:
    rnn = _built(LSTM(2, bias_initializer=bias)).rnn
    assert torch.equal(rnn.bias_ih_l0[2:4], torch.full((2,), forget))
    assert torch.equal(rnn.bias_ih_l0[[0, 1, 4, 5, 6, 7]], torch.full((6,), others))
    assert torch.equal(rnn.bias_hh_l0, torch.zeros(8))


def test_unit_forget_bias_false_keeps_the_initializer() -> None:
    rnn = _built(LSTM(2, unit_forget_bias=False)).rnn
    assert torch.equal(rnn.bias_ih_l0 + rnn.bias_hh_l0, torch.zeros(8))


def test_unit_forget_bias_draws_blocks_as_keras(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keras draws (units,) and (2 * units,) around the forget gate: their fans."""
    shapes = []
    original = initialize

    def spy(spec, tensor, keras_shape):  # type: ignore[no-untyped-def]
        shapes.append((spec, tuple(tensor.shape), keras_shape))
        original(spec, tensor, keras_shape)

    monkeypatch.setattr("seqkit.layers._recurrent_init.initialize", spy)
    _built(LSTM(3, bias_initializer="he_uniform"))
    assert ("he_uniform", (3,), (3,)) in shapes
    assert ("he_uniform", (6,), (6,)) in shapes
    assert ("glorot_uniform", (12, 5), (5, 12)) in shapes
    assert ("orthogonal", (12, 3), (3, 12)) in shapes


def test_torch_names_keep_torch_defaults() -> None:
    torch.manual_seed(4)
    layer = _built(LSTM(5, kernel_initializer="torch", recurrent_initializer="torch",
                        bias_initializer="torch", unit_forget_bias=False))
    torch.manual_seed(4)
    reference = nn.LSTM(5, 5, batch_first=True)
    for name, value in reference.state_dict().items():
        assert torch.equal(layer.rnn.state_dict()[name], value), name
    torch.manual_seed(4)
    dense = Dense(3, kernel_initializer="torch", bias_initializer="torch")
    dense.build((None, 4))
    torch.manual_seed(4)
    assert torch.equal(dense.linear.weight, nn.Linear(4, 3).weight)


def test_torch_bias_with_unit_forget_bias_sums_to_one_at_the_forget_gate() -> None:
    rnn = _built(LSTM(3, bias_initializer="torch")).rnn
    assert torch.equal((rnn.bias_ih_l0 + rnn.bias_hh_l0)[3:6], torch.ones(3))
    assert float(rnn.bias_hh_l0[[0, 1, 2]].abs().sum()) > 0  # the other gates stay torch's


def test_dense_defaults_are_glorot_and_zeros() -> None:
    torch.manual_seed(5)
    dense = Dense(300)
    dense.build((None, 100))
    limit = math.sqrt(6 / 400)
    weight = dense.linear.weight.detach()
    assert limit * 0.95 < float(weight.abs().max()) <= limit
    assert float(weight.var()) == pytest.approx(limit**2 / 3, rel=0.03)
    assert torch.equal(dense.linear.bias, torch.zeros(300))


def test_embedding_default_is_keras_uniform_and_keeps_the_padding_vector_zero() -> None:
    torch.manual_seed(6)
    embedding = Embedding(500, 8, mask_zero=True)
    _built(embedding, torch.tensor([[1, 2, 0]]))
    weight = embedding.embedding.weight.detach()
    assert 0.045 < float(weight.abs().max()) <= 0.05
    assert torch.equal(weight[0], torch.zeros(8))
    orthogonal = Embedding(16, 4, embeddings_initializer="orthogonal")  # Keras's layout
    _built(orthogonal, torch.tensor([[1]]))
    table = orthogonal.embedding.weight.detach()
    torch.testing.assert_close(table.T @ table, torch.eye(4), atol=1e-5, rtol=0)


# Keras's scale for each variance-scaling name, with fans (in=30, out=50) of a (30, 50)
# kernel; normal ones are truncated at 2 std and rescaled, so the std is sqrt(scale).
SCALES = {"glorot_uniform": 1 / 40, "glorot_normal": 1 / 40, "he_uniform": 2 / 30,
          "he_normal": 2 / 30, "lecun_uniform": 1 / 30, "lecun_normal": 1 / 30}


@pytest.mark.parametrize("name", sorted(SCALES))
def test_variance_scaling_names_match_keras(name: str) -> None:
    torch.manual_seed(7)
    tensor = torch.empty(200, 50, 30)  # many draws; fans given as Keras's (30, 50)
    initialize(name, tensor, (30, 50))
    variance = SCALES[name]
    assert float(tensor.var()) == pytest.approx(variance, rel=0.02)
    bound = math.sqrt(3 * variance) if name.endswith("uniform") else (
        2 * math.sqrt(variance) / 0.87962566103423978)
    assert float(tensor.abs().max()) <= bound + 1e-6


@pytest.mark.parametrize(("name", "std", "bound"), [
    ("uniform", 0.05 / math.sqrt(3), 0.05), ("random_uniform", 0.05 / math.sqrt(3), 0.05),
    ("normal", 0.05, None), ("random_normal", 0.05, None),
    ("truncated_normal", 0.05 * 0.87962566103423978, 0.1)])
def test_fixed_scale_names_use_keras_defaults(name: str, std: float, bound: float | None
                                              ) -> None:
    torch.manual_seed(8)
    tensor = torch.empty(100_000)
    initialize(name, tensor, (100_000,))
    assert float(tensor.std()) == pytest.approx(std, rel=0.02)
    if bound is not None:
        assert float(tensor.abs().max()) <= bound


def test_every_name_is_accepted_by_every_argument() -> None:
    for name in INITIALIZERS:
        bias = "zeros" if name == "orthogonal" else name
        layer = _built(LSTM(2, kernel_initializer=name, recurrent_initializer=name,
                            bias_initializer=bias))
        assert layer.get_config()["kernel_initializer"] == name
        _built(Dense(2, kernel_initializer=name, bias_initializer=bias))
        _built(Embedding(4, 2, embeddings_initializer=name), torch.tensor([[1]]))


def test_same_seed_same_weights_and_fit_seed_fixes_them() -> None:
    def weights() -> list[Tensor]:
        model = sk.Sequential([sk.Embedding(9, 3), sk.LSTM(4, return_sequences=True),
                               sk.GRU(3), sk.Dense(1)])
        model.build((None, 5))
        return [p.detach().clone() for p in model.parameters()]

    torch.manual_seed(9)
    first = weights()
    torch.manual_seed(9)
    second = weights()
    torch.manual_seed(10)
    third = weights()
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, third, strict=True))

    x = torch.randn(16, 5, 2).numpy()
    y = x.sum(axis=(1, 2))
    fitted = []
    for _ in range(2):
        model = sk.Sequential([sk.LSTM(3), sk.Dense(1)], loss="mse")
        model.fit(x, y, epochs=1, verbose=0, seed=3)
        fitted.append([p.detach().clone() for p in model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*fitted, strict=True))


def test_callable_initializers_fill_torch_layout_and_survive_pickle() -> None:
    layer = _built(LSTM(2, kernel_initializer=fill_with_sevens,
                        recurrent_initializer=nn.init.eye_, bias_initializer=fill_with_sevens))
    rnn = layer.rnn
    assert torch.equal(rnn.weight_ih_l0, torch.full((8, 5), 7.0))
    assert torch.equal(rnn.weight_hh_l0, torch.eye(8, 2))  # torch's (4 * units, units)
    assert torch.equal(rnn.bias_ih_l0[2:4], torch.ones(2))  # unit_forget_bias
    assert torch.equal(rnn.bias_ih_l0[[0, 1, 4, 5, 6, 7]], torch.full((6,), 7.0))
    assert layer.get_config()["kernel_initializer"] is fill_with_sevens
    rebuilt = LSTM.from_config(layer.get_config())
    assert rebuilt.kernel_initializer is fill_with_sevens

    model = sk.Sequential([LSTM(2, kernel_initializer=fill_with_sevens), Dense(1)])
    model.build((None, 3, 5))
    copy = pickle.loads(pickle.dumps(model))
    assert torch.equal(copy.layers[0].rnn.weight_ih_l0, torch.full((8, 5), 7.0))


def test_gru_has_no_unit_forget_bias_as_in_keras() -> None:
    with pytest.raises(TypeError, match="unit_forget_bias"):
        GRU(4, unit_forget_bias=True)  # type: ignore[call-arg]


def test_check_initializer_and_fans() -> None:
    assert check_initializer(nn.init.zeros_, "bias_initializer", "Dense") is nn.init.zeros_
    assert compute_fans((5, 16)) == (5, 16)
    assert compute_fans((3, 5, 16)) == (15, 48)  # Keras's convolution kernels
    assert compute_fans(()) == (1, 1)
