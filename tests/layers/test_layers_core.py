"""Dense, Dropout, Activation, RepeatVector, Embedding, pooling, LayerNormalization."""

from __future__ import annotations

import math
import pickle

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from seqkit.layers import (
    ACTIVATIONS,
    GRU,
    LSTM,
    Activation,
    Dense,
    Dropout,
    Embedding,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    LastStep,
    LayerNormalization,
    RecurrentState,
    RepeatVector,
)
from seqkit.layers.pooling import zero_padding

NAN, INF = float("nan"), float("inf")


def _state(batch: int) -> RecurrentState:
    return RecurrentState(torch.randn(batch, 1, 2), torch.randn(batch, 1, 2))


# -- Dense ---------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", [None, "tanh", "relu"])
def test_dense_on_a_sequence_is_a_linear_on_each_step(activation: str | None) -> None:
    torch.manual_seed(0)
    x = torch.randn(3, 5, 4)
    layer = Dense(2, activation=activation)
    lengths, state = torch.tensor([5, 1, 3]), _state(3)
    out = layer(x, lengths, state)

    linear = nn.Linear(4, 2)
    linear.load_state_dict(layer.linear.state_dict())
    function = {None: lambda v: v, "tanh": torch.tanh, "relu": torch.relu}[activation]
    with torch.no_grad():
        expected = torch.stack([function(linear(x[:, t])) for t in range(5)], dim=1)
    torch.testing.assert_close(out.values, expected)
    assert out.lengths is lengths and out.state is state


def test_dense_on_vectors_and_without_bias() -> None:
    torch.manual_seed(1)
    x = torch.randn(4, 3)
    layer = Dense(2, use_bias=False)
    out = layer(x).values
    assert layer.linear.bias is None
    torch.testing.assert_close(out, x @ layer.linear.weight.T)
    assert layer.count_params() == 6


# -- Dropout --------------------------------------------------------------------------------
def test_dropout_is_identity_in_eval_and_inverted_in_training() -> None:
    torch.manual_seed(2)
    x = torch.rand(200, 50) + 0.5  # never zero
    layer = Dropout(0.25)
    lengths, state = torch.tensor([1] * 200), _state(200)
    assert torch.equal(layer.eval()(x, lengths, state).values, x)

    out = layer.train()(x, lengths, state)
    dropped = out.values == 0
    assert 0.2 < dropped.float().mean().item() < 0.3
    torch.testing.assert_close(out.values[~dropped], x[~dropped] / 0.75)
    assert out.lengths is lengths and out.state is state


def test_dropout_of_zero_keeps_values_in_training() -> None:
    x = torch.randn(3, 4, 2)
    assert torch.equal(Dropout(0.0).train()(x).values, x)


# -- Activation -----------------------------------------------------------------------------
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805

REFERENCES = {  # written out from the definitions, not the functions seqkit calls
    "linear": lambda x: x,
    "relu": lambda x: torch.where(x > 0, x, 0.0),
    "tanh": lambda x: (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x)),
    "sigmoid": lambda x: 1 / (1 + torch.exp(-x)),
    "softmax": lambda x: torch.exp(x) / torch.exp(x).sum(dim=-1, keepdim=True),
    "log_softmax": lambda x: x - torch.log(torch.exp(x).sum(dim=-1, keepdim=True)),
    "gelu": lambda x: x * 0.5 * (1 + torch.erf(x / math.sqrt(2))),
    "elu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1),
    "selu": lambda x: _SELU_SCALE * torch.where(x > 0, x, _SELU_ALPHA * (torch.exp(x) - 1)),
    "leaky_relu": lambda x: torch.where(x > 0, x, 0.2 * x),  # Keras's slope, not torch's
    "softplus": lambda x: torch.log(1 + torch.exp(x)),
    "silu": lambda x: x / (1 + torch.exp(-x)),
    "swish": lambda x: x / (1 + torch.exp(-x)),
}


def test_activation_references_cover_every_name() -> None:
    assert set(REFERENCES) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (2, 2, 3, 3)])
def test_activation_by_name(name: str, shape: tuple[int, ...]) -> None:
    torch.manual_seed(3)
    x = torch.randn(shape, dtype=torch.float64) * 3
    lengths, state = torch.tensor([1, 1]) if len(shape) > 2 else None, _state(shape[0])
    out = Activation(name)(x, lengths, state)
    torch.testing.assert_close(out.values, REFERENCES[name](x))
    assert out.lengths is lengths and out.state is state
    if len(shape) <= 3:  # Dense(activation=name) applies the same function
        dense = Dense(3, activation=name)
        dense.build((None, *shape[1:]))
        dense.double()
        torch.testing.assert_close(dense(x).values, REFERENCES[name](dense.linear(x)))


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_layers_with_every_activation_pickle(name: str) -> None:
    # Lightning's spawn strategies and torch.save(model) pickle the layers.
    x = torch.randn(2, 5, 3)
    dense = Dense(4, activation=name)
    dense.build((None, 5, 3))
    for layer in (Activation(name), dense):
        copy = pickle.loads(pickle.dumps(layer))
        torch.testing.assert_close(copy(x).values, layer(x).values)


def test_activation_none_is_linear() -> None:
    x = torch.randn(2, 3)
    assert torch.equal(Activation(None)(x).values, x)


# -- RepeatVector ---------------------------------------------------------------------------
def test_repeat_vector_repeats_each_vector() -> None:
    x = torch.randn(3, 4)
    state = _state(3)
    out = RepeatVector(5)(x, None, state)
    assert out.values.shape == (3, 5, 4)
    for step in range(5):
        assert torch.equal(out.values[:, step], x)
    assert out.lengths is None and out.state is state


# -- Embedding ------------------------------------------------------------------------------
IDS = torch.tensor([[3, 4, 0, 0], [5, 0, 0, 0], [1, 2, 3, 4], [0, 0, 0, 0], [2, 0, 7, 0]])
RIGHT_PADDED = IDS[:4]
RIGHT_LENGTHS = [2, 1, 4, 0]


def test_embedding_mask_zero_gives_lengths_for_right_padding() -> None:
    torch.manual_seed(4)
    layer = Embedding(8, 3, mask_zero=True)
    out = layer(RIGHT_PADDED)
    assert out.lengths.tolist() == RIGHT_LENGTHS
    assert out.lengths.dtype == torch.int64
    torch.testing.assert_close(out.values, layer.embedding.weight[RIGHT_PADDED])
    assert torch.equal(layer.embedding.weight[0], torch.zeros(3))  # id 0 stays zero
    assert torch.equal(out.values[3], torch.zeros(4, 3))


def test_embedding_mask_zero_masks_every_zero_id() -> None:
    # Keras's mask: a 0 inside a row (and left padding) is masked too.
    out = Embedding(8, 3, mask_zero=True)(IDS)
    assert out.lengths.tolist() == (IDS != 0).tolist()
    left = Embedding(8, 3, mask_zero=True)(torch.tensor([[0, 0, 3], [0, 4, 5]]))
    assert left.lengths.tolist() == [[False, False, True], [False, True, True]]


def test_embedding_combines_given_lengths_and_without_mask_gives_none() -> None:
    given = torch.tensor([1, 4, 2, 4])
    assert Embedding(8, 3, mask_zero=True)(RIGHT_PADDED, given).lengths.tolist() == [1, 1, 2, 0]
    unmasked = Embedding(8, 3)
    out = unmasked(IDS, given := torch.tensor([4, 3, 4, 4, 4]))
    assert out.lengths is given
    assert unmasked(IDS).lengths is None
    torch.testing.assert_close(out.values, unmasked.embedding.weight[IDS])


def test_embedding_initializers_match_torch_and_keras() -> None:
    torch.manual_seed(7)
    normal = Embedding(2000, 8, embeddings_initializer="torch")
    normal(IDS)
    assert 0.9 < float(normal.embedding.weight.detach().std()) < 1.1  # torch's N(0, 1)
    keras_normal = Embedding(2000, 8, embeddings_initializer="normal")
    keras_normal(IDS)
    assert 0.045 < float(keras_normal.embedding.weight.detach().std()) < 0.055  # Keras's
    uniform = Embedding(2000, 8, mask_zero=True)  # Keras's default
    uniform(IDS)
    weight = uniform.embedding.weight.detach()
    assert 0.045 < float(weight.abs().max()) <= 0.05  # Keras' U(-0.05, 0.05)
    assert torch.equal(weight[0], torch.zeros(8))  # the padding vector stays zero
    assert uniform.get_config()["embeddings_initializer"] == "uniform"


@pytest.mark.parametrize("kind", [LSTM, GRU])
def test_embedding_lengths_reach_the_recurrent_layer(kind: type) -> None:
    """Embedding(mask_zero) -> LSTM equals each row's non-zero ids run alone (a 0 inside a
    row is skipped, as in Keras)."""
    torch.manual_seed(5)
    embedding = Embedding(8, 3, mask_zero=True)
    recurrent = kind(4, bidirectional=True)
    out = recurrent(*embedding(IDS))
    for i, row in enumerate(IDS):
        if not row.any():
            assert torch.equal(out.values[i], torch.zeros(8))
            continue
        alone = recurrent(*embedding(row[row != 0][None]))
        torch.testing.assert_close(out.values[i], alone.values[0], rtol=0, atol=1e-6)
        torch.testing.assert_close(out.state.h[i], alone.state.h[0], rtol=0, atol=1e-6)


# -- pooling --------------------------------------------------------------------------------
def _ragged_batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(6)
    x = torch.randn(4, 5, 3, dtype=torch.float64)
    lengths = torch.tensor([5, 2, 0, 1])
    x[1, 2:] = NAN
    x[2] = INF
    x[3, 1:] = -INF
    return x, lengths


@pytest.mark.parametrize(("layer_class", "reduce"), [
    (GlobalAveragePooling1D, lambda steps: steps.mean(dim=0)),
    (GlobalMaxPooling1D, lambda steps: steps.max(dim=0).values),
    (LastStep, lambda steps: steps[-1]),
])
def test_pooling_ignores_padding(layer_class: type, reduce: object) -> None:
    x, lengths = _ragged_batch()
    state = _state(4)
    out = layer_class()(x, lengths, state)
    expected = torch.stack([
        reduce(x[i, :length]) if length else torch.zeros(3, dtype=torch.float64)
        for i, length in enumerate(lengths.tolist())
    ])
    torch.testing.assert_close(out.values, expected, rtol=0, atol=1e-12)
    assert out.lengths is None and out.state is state
    full = torch.nan_to_num(x)
    torch.testing.assert_close(layer_class()(full).values,
                               torch.stack([reduce(sequence) for sequence in full]))


@pytest.mark.parametrize("layer_class", [GlobalAveragePooling1D, GlobalMaxPooling1D])
def test_pooling_passes_non_finite_valid_values_through(layer_class: type) -> None:
    x = torch.tensor([[[NAN, 1.0], [0.0, 2.0], [5.0, 9.0]],
                      [[INF, 1.0], [0.0, 2.0], [5.0, 9.0]]])
    out = layer_class()(x, torch.tensor([2, 2])).values
    assert torch.isnan(out[0, 0]) and out[1, 0].item() == INF
    assert out[0, 1].item() == out[1, 1].item() == (2.0 if layer_class is GlobalMaxPooling1D
                                                     else 1.5)


def test_zero_padding_zeroes_every_padded_value() -> None:
    x, lengths = _ragged_batch()
    got = zero_padding(x, lengths)
    for i, length in enumerate(lengths.tolist()):
        assert torch.equal(got[i, :length], x[i, :length])
        assert torch.equal(got[i, length:], torch.zeros_like(got[i, length:]))
    assert zero_padding(x, None) is x


# -- LayerNormalization ---------------------------------------------------------------------
@pytest.mark.parametrize("epsilon", [1e-3, 1e-5, 0.5])
@pytest.mark.parametrize("shape", [(4, 6), (3, 5, 6)])
def test_layer_normalization_equals_torch(epsilon: float, shape: tuple[int, ...]) -> None:
    torch.manual_seed(7)
    x = torch.randn(shape, dtype=torch.float64) * 2 + 1
    layer = LayerNormalization(epsilon)
    layer.build((None, *shape[1:]))
    layer.double()
    with torch.no_grad():
        layer.norm.weight.normal_()
        layer.norm.bias.normal_()
    lengths = torch.tensor([1] * shape[0]) if len(shape) == 3 else None
    out = layer(x, lengths)

    weight, bias = layer.norm.weight, layer.norm.bias
    torch.testing.assert_close(out.values, F.layer_norm(x, (6,), weight, bias, eps=epsilon))
    mean = x.mean(dim=-1, keepdim=True)
    variance = x.var(dim=-1, unbiased=False, keepdim=True)
    torch.testing.assert_close(out.values, (x - mean) / torch.sqrt(variance + epsilon)
                               * weight + bias)
    assert out.lengths is lengths


# -- lazy build -----------------------------------------------------------------------------
def test_eval_before_build_reaches_the_weights_built_later() -> None:
    """``.eval()`` on an unbuilt layer still switches off dropout between stacked layers."""
    torch.manual_seed(8)
    layer = LSTM(8, num_layers=3, dropout=0.5, return_sequences=True).eval()
    x = torch.randn(2, 6, 3)
    first = layer(x).values
    assert not layer.rnn.training
    assert torch.equal(layer(x).values, first)
    layer.train()
    assert layer.rnn.training
