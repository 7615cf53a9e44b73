"""Every registered layer: config round trip, JSON configs, reloaded weights, output shapes."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch

from seqkit.layers import (
    GRU,
    LAYER_REGISTRY,
    LSTM,
    Activation,
    Attention,
    AttentionPooling1D,
    AveragePooling1D,
    BatchNormalization,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    Ensemble,
    Flatten,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    LastStep,
    Layer,
    LayerNormalization,
    Masking,
    MaxPooling1D,
    MultiHeadAttention,
    NGramBag,
    RecurrentState,
    RepeatVector,
    Reshape,
    SimpleRNN,
    SpatialDropout1D,
    TfidfLinear,
    TimeDistributed,
    WideAndDeep,
    WindowNormalization,
)


@dataclass(frozen=True)
class Example:
    """A layer factory and the input shapes (batch axis first) it accepts."""

    make: Callable[[], Layer]
    shapes: tuple[tuple[int, ...], ...]
    ids: bool = False  # integer token ids instead of floats

    @property
    def id(self) -> str:
        layer = self.make()
        return f"{type(layer).__name__}({layer.extra_repr()})"


SEQUENCES = ((2, 5, 3), (1, 1, 1), (4, 7, 2))
VECTORS = ((2, 3), (1, 1), (5, 6))
LONG_SEQUENCES = ((2, 5, 3), (1, 3, 1), (4, 7, 2))  # long enough for "valid" windows

EXAMPLES = [
    Example(lambda: LSTM(4), SEQUENCES),
    Example(lambda: LSTM(3, num_layers=2, return_sequences=True, return_state=True,
                         bidirectional=True, stack_dropout=0.25, name="encoder"), SEQUENCES),
    Example(lambda: LSTM(3, dropout=0.2, kernel_initializer="he_normal",
                         recurrent_initializer="glorot_uniform", bias_initializer="ones",
                         unit_forget_bias=False), SEQUENCES),
    Example(lambda: GRU(3, dropout=0.1, kernel_initializer="torch",
                        recurrent_initializer="torch", bias_initializer="torch"), SEQUENCES),
    Example(lambda: LSTM(2, bidirectional=True, initial_state="previous"), SEQUENCES),
    Example(lambda: GRU(5, return_sequences=True), SEQUENCES),
    Example(lambda: GRU(3, go_backwards=True, use_bias=False, return_sequences=True),
            SEQUENCES),
    Example(lambda: LSTM(2, go_backwards=True, use_bias=False, activation="tanh",
                         recurrent_activation="sigmoid"), SEQUENCES),
    Example(lambda: GRU(2, num_layers=3, bidirectional=True), SEQUENCES),
    Example(lambda: SimpleRNN(3), SEQUENCES),
    Example(lambda: SimpleRNN(2, num_layers=2, return_sequences=True, bidirectional=True,
                              activation="relu", dropout=0.1, name="rnn"), SEQUENCES),
    Example(lambda: Bidirectional(SimpleRNN(2, return_sequences=True), merge_mode="sum"),
            SEQUENCES),
    Example(lambda: Bidirectional(LSTM(3)), SEQUENCES),
    Example(lambda: Bidirectional(GRU(2, num_layers=2, return_sequences=True),
                                  merge_mode="mul", name="both_ways"), SEQUENCES),
    Example(lambda: Bidirectional(LSTM(2, return_sequences=True), merge_mode="ave"),
            SEQUENCES),
    Example(lambda: Dense(3), VECTORS + SEQUENCES),
    Example(lambda: Dense(2, activation="tanh", use_bias=False, name="head"),
            VECTORS + SEQUENCES),
    Example(lambda: Dense(2, kernel_initializer="lecun_uniform", bias_initializer="normal"),
            VECTORS + SEQUENCES),
    Example(lambda: Dropout(0.3), VECTORS + SEQUENCES + ((2, 3, 4, 5),)),
    Example(lambda: Activation("softmax"), VECTORS + SEQUENCES + ((2, 3, 4, 5),)),
    Example(lambda: RepeatVector(4), VECTORS),
    Example(lambda: Embedding(10, 3, mask_zero=True), VECTORS, ids=True),
    Example(lambda: Embedding(5, 2, name="tokens"), VECTORS, ids=True),
    Example(lambda: Embedding(6, 3, mask_zero=True, embeddings_initializer="torch"), VECTORS,
            ids=True),
    Example(lambda: LayerNormalization(), VECTORS + SEQUENCES),
    Example(lambda: LayerNormalization(1e-5, name="norm"), VECTORS + SEQUENCES),
    Example(lambda: GlobalAveragePooling1D(), SEQUENCES),
    Example(lambda: GlobalMaxPooling1D(name="pool"), SEQUENCES),
    Example(lambda: LastStep(name="last"), SEQUENCES),
    Example(lambda: Masking(), SEQUENCES),
    Example(lambda: Masking(-1, name="mask"), SEQUENCES),
    Example(lambda: Conv1D(4, 3), LONG_SEQUENCES),
    Example(lambda: Conv1D(2, 2, 2, "same", activation="relu", use_bias=False,
                           kernel_initializer="he_uniform", name="conv"), SEQUENCES),
    Example(lambda: Conv1D(4, (2,), padding="causal", dilation_rate=2, groups=2,
                           bias_initializer="ones"), ((2, 5, 4), (1, 1, 2), (3, 6, 6))),
    Example(lambda: MaxPooling1D(), LONG_SEQUENCES),
    Example(lambda: MaxPooling1D(3, 1, "same", name="max"), SEQUENCES),
    Example(lambda: AveragePooling1D(2, padding="same"), SEQUENCES),
    Example(lambda: AveragePooling1D(3, 2), LONG_SEQUENCES),
    Example(lambda: BatchNormalization(), VECTORS + SEQUENCES + ((2, 3, 4, 5),)),
    Example(lambda: BatchNormalization(-1, 0.9, 1e-5, False, True, gamma_initializer="zeros",
                                       moving_mean_initializer="uniform", name="bn"),
            VECTORS + SEQUENCES),
    Example(lambda: SpatialDropout1D(0.3, name="channels"), SEQUENCES),
    Example(lambda: Flatten(), VECTORS + SEQUENCES + ((2, 3, 4, 5),)),
    Example(lambda: Reshape((-1, 1)), SEQUENCES),
    Example(lambda: Reshape([2, -1], name="pairs"), ((2, 4, 3), (1, 2, 1), (3, 6, 1))),
    Example(lambda: TimeDistributed(Dense(2)), SEQUENCES),
    Example(lambda: TimeDistributed(Conv1D(3, 2, padding="same"), name="conv_steps"),
            ((2, 3, 4, 2), (1, 1, 1, 1))),
    Example(lambda: TimeDistributed(BatchNormalization()), SEQUENCES),
    Example(lambda: MultiHeadAttention(2, 3), SEQUENCES),
    Example(lambda: MultiHeadAttention(1, 2, 4, 0.1, False, 5, causal=True,
                                       kernel_initializer="he_normal", name="mha"),
            SEQUENCES),
    Example(lambda: AttentionPooling1D(), SEQUENCES),
    Example(lambda: AttentionPooling1D(4, bias_initializer="ones", name="attend"), SEQUENCES),
    Example(lambda: Attention(), SEQUENCES),
    Example(lambda: Attention(True, "concat", 0.1, causal=True, name="luong"), SEQUENCES),
    Example(lambda: Ensemble([GRU(3), Dense(2)], members=2, combine="softmax"), SEQUENCES),
    Example(lambda: Ensemble([Embedding(6, 3, mask_zero=True), LSTM(2), Dense(1)],
                             combine="sigmoid", name="trio"), VECTORS, ids=True),
    Example(lambda: Embedding(6, 3, trainable=False), VECTORS, ids=True),
    Example(lambda: NGramBag(3, vocab_size=10), VECTORS, ids=True),
    Example(lambda: NGramBag(2, vocab_size=6, ngrams=3, buckets=7), VECTORS,
            ids=True),
    Example(lambda: TfidfLinear(3, vocab_size=10), VECTORS, ids=True),
    Example(lambda: TfidfLinear(2, vocab_size=10, ngrams=1, char_ngrams=None, trainable=True),
            VECTORS, ids=True),
    Example(lambda: WideAndDeep([Embedding(10, 3, mask_zero=True), GRU(2), Dense(2)],
                                NGramBag(2, vocab_size=10), activation="softmax"), VECTORS,
            ids=True),
    Example(lambda: WindowNormalization([LSTM(3), Dense(2)], season_length=1), SEQUENCES),
]


def _inputs(example: Example, layer: Layer, shape: tuple[int, ...]) -> tuple:
    """``(values, lengths, state)`` for ``shape``; a state when the layer needs one."""
    generator = torch.Generator().manual_seed(sum(shape))
    if example.ids:
        values = torch.randint(0, 5, shape, generator=generator)
    else:
        values = torch.randn(shape, generator=generator)
    state = None
    recurrent = layer.layer if isinstance(layer, Bidirectional) else layer
    if getattr(recurrent, "initial_state", None) == "previous":
        full = (shape[0], *recurrent.state_shape)
        state = RecurrentState(torch.randn(full, generator=generator),
                               torch.randn(full, generator=generator))
    return values, None, state


def test_examples_cover_the_registry() -> None:
    covered = {type(example.make()) for example in EXAMPLES}
    assert covered == set(LAYER_REGISTRY.values())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_config_round_trip_through_json(example: Example) -> None:
    layer = example.make()
    config = layer.get_config()
    text = json.dumps(config)  # JSON-serialisable as is
    loaded = json.loads(text)
    assert loaded == config
    rebuilt = type(layer).from_config(loaded)
    assert type(rebuilt) is type(layer)
    assert rebuilt.get_config() == config
    assert LAYER_REGISTRY[type(layer).__name__] is type(layer)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_config_holds_exactly_the_constructor_arguments(example: Example) -> None:
    layer = example.make()
    parameters = set(inspect.signature(type(layer).__init__).parameters) - {"self"}
    assert set(layer.get_config()) == parameters


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_config_is_the_same_after_build(example: Example) -> None:
    layer = example.make()
    before = layer.get_config()
    layer(*_inputs(example, layer, example.shapes[0]))
    assert layer.get_config() == before


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_rebuilt_layer_with_loaded_weights_gives_identical_outputs(example: Example) -> None:
    torch.manual_seed(0)
    layer = example.make().eval()
    inputs = _inputs(example, layer, example.shapes[0])
    expected = layer(*inputs)

    torch.manual_seed(1)  # different initial weights: only loading can make them equal
    rebuilt = type(layer).from_config(json.loads(json.dumps(layer.get_config()))).eval()
    rebuilt.build((None, *example.shapes[0][1:]))
    rebuilt.load_state_dict(layer.state_dict())
    got = rebuilt(*inputs)

    torch.testing.assert_close(got.values, expected.values, rtol=0, atol=0)
    if expected.lengths is None:
        assert got.lengths is None
    else:
        assert torch.equal(got.lengths, expected.lengths)
    if expected.state is not None:
        torch.testing.assert_close(got.state.h, expected.state.h, rtol=0, atol=0)


SHAPE_CASES = [(example, shape) for example in EXAMPLES for shape in example.shapes]


@pytest.mark.parametrize(("example", "shape"), SHAPE_CASES,
                         ids=[f"{e.id}-{s}" for e, s in SHAPE_CASES])
def test_compute_output_shape_matches_output(example: Example, shape: tuple[int, ...]) -> None:
    layer = example.make().eval()
    # before build (how Sequential.build uses it), with the batch unknown or known
    predicted = layer.compute_output_shape((None, *shape[1:]))
    predicted_with_batch = layer.compute_output_shape(shape)
    unknown_time = (None, None, *shape[2:]) if len(shape) >= 3 else None
    predicted_unknown_time = (
        layer.compute_output_shape(unknown_time) if unknown_time else None)

    out = layer(*_inputs(example, layer, shape)).values

    actual = tuple(out.shape)
    assert predicted == (None, *actual[1:])
    assert predicted_with_batch == actual
    assert layer.compute_output_shape((None, *shape[1:])) == predicted  # same after build
    if predicted_unknown_time is not None:
        assert len(predicted_unknown_time) == len(actual)
        for predicted_size, actual_size in zip(predicted_unknown_time[1:], actual[1:],
                                               strict=True):
            assert predicted_size in (None, actual_size)
