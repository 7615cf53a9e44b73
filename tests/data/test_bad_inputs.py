"""Bad data is refused by the pipeline before training, with a seqkit error naming the
argument: label kinds that do not fit the loss, missing labels, weights, lengths, empty
axes, dtypes; and legitimate input (float16, empty ragged rows) works."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputError, InputTypeError, SeqkitError

N = 8


def _x(n: int = N, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 5, 2)).astype(np.float32)


def _regressor() -> sk.Sequential:
    return sk.Sequential([sk.GRU(3), sk.Dense(1)], loss="mse")


def _classifier(classes: int = 3) -> sk.Sequential:
    return sk.Sequential([sk.GRU(3), sk.Dense(classes)], loss="cross_entropy")


IDS = np.arange(N) % 3


# -- label kind vs loss -------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["mse", "mae", "huber", torch.nn.MSELoss()])
@pytest.mark.parametrize("labels", [np.array(list("abababab")),
                                    np.array([1, "b"] * 4, dtype=object)])
def test_string_labels_with_a_regression_loss_are_refused(loss: object,
                                                          labels: np.ndarray) -> None:
    model = sk.Sequential([sk.GRU(3), sk.Dense(1)], loss=loss)
    with pytest.raises(InputTypeError, match=r"^y: expected numbers for a regression loss"):
        model.fit(_x(), labels, epochs=1, verbose=0)
    assert model.label_encoder is None  # nothing adapted


def test_string_labels_still_train_a_classifier() -> None:
    model = _classifier(2)
    model.fit(_x(), np.array(list("abababab")), epochs=1, verbose=0)
    assert set(model.predict_classes(_x())) <= {"a", "b"}


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
def test_missing_labels_are_refused_not_made_a_class(missing: object) -> None:
    labels = np.array(["a", "b", missing, "a", "b", "a", "b", "a"], dtype=object)
    with pytest.raises(InputError, match=r"y labels: expected a label for every sample.*"
                                         r"index 2"):
        _classifier(2).fit(_x(), labels, epochs=1, verbose=0)


def test_nan_class_ids_are_refused() -> None:
    labels = np.array([0, 1, np.nan, 1, 0, 1, 0, 1])
    with pytest.raises(InputError, match=r"^y: expected finite numbers"):
        _classifier(2).fit(_x(), labels, epochs=1, verbose=0)


# -- class_weight -------------------------------------------------------------------------
@pytest.mark.parametrize("class_weight", [{0: 1.0}, "balanced"])
def test_class_weight_with_a_regression_loss_is_refused(class_weight: object) -> None:
    y = np.linspace(-1, 1, N).astype(np.float32)
    with pytest.raises(ConfigError, match=r"fit class_weight: expected a classification loss"):
        _regressor().fit(_x(), y, epochs=1, verbose=0, class_weight=class_weight)


@pytest.mark.parametrize("key", [3, 10**10, -1, 2.0, "0", True])
def test_class_weight_keys_must_be_the_models_classes(key: object) -> None:
    with pytest.raises(InputError, match=r"fit class_weight: expected non-negative integer "
                                         r"class ids as keys in \[0, 2\]"):
        _classifier().fit(_x(), IDS, epochs=1, verbose=0, class_weight={0: 1.0, key: 2.0})


def test_a_huge_class_weight_key_allocates_nothing() -> None:
    # 10**10 as a table index tried to allocate 40 GB; now refused before any table.
    import tracemalloc
    tracemalloc.start()
    with pytest.raises(InputError, match="10000000000"):
        _classifier().fit(_x(), IDS, epochs=1, verbose=0, class_weight={10**10: 2.0})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20


def test_binary_class_weight_keys_are_zero_and_one() -> None:
    model = sk.Sequential([sk.GRU(3), sk.Dense(1)], loss="binary_cross_entropy")
    y = (np.arange(N) % 2).astype(np.float32)
    model.fit(_x(), y, epochs=1, verbose=0, class_weight={0: 1.0, 1: 3.0})
    with pytest.raises(InputError, match=r"keys in \[0, 1\]"):
        model.fit(_x(), y, epochs=1, verbose=0, class_weight={2: 3.0})


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), "2", None])
def test_class_weight_values_must_be_finite_and_not_negative(value: object) -> None:
    with pytest.raises(InputError, match=r"fit class_weight: expected finite numbers >= 0"):
        _classifier().fit(_x(), IDS, epochs=1, verbose=0, class_weight={0: value})


def test_class_weight_on_a_batch_is_checked_too() -> None:
    y = np.linspace(-1, 1, N).astype(np.float32)
    with pytest.raises(ConfigError, match="fit class_weight"):
        _regressor().train_on_batch(_x(), y, class_weight={0: 2.0})


def test_a_class_weight_for_a_class_without_samples_is_accepted() -> None:
    y = np.arange(N) % 2  # class 2 has no sample in this data
    weights = sk.data.weights.sample_weights(None, {2: 5.0, 1: 3.0}, torch.as_tensor(y), N,
                                             None)
    assert weights.tolist() == [1.0, 3.0] * (N // 2)


# -- sample_weight and lengths ------------------------------------------------------------
@pytest.mark.parametrize(("weight", "match"), [
    (-np.ones(N), r"sample_weight: expected weights >= 0 but received -1.0 \(at index 0\)"),
    (np.full(N, np.nan), r"sample_weight: expected finite numbers"),
    (np.full(N, np.inf), r"sample_weight: expected finite numbers"),
    (np.ones((N, 2)), r"sample_weight: expected one weight per sample, shape \(8,\)"),
    (np.ones(N - 1), r"sample_weight: expected 8 samples"),
    (np.array(["1"] * N), r"sample_weight: expected numbers"),
])
def test_bad_sample_weights_are_refused(weight: np.ndarray, match: str) -> None:
    y = np.zeros(N, np.float32)
    with pytest.raises(SeqkitError, match=match):
        _regressor().fit(_x(), y, epochs=1, verbose=0, sample_weight=weight)
    with pytest.raises(SeqkitError, match=match):
        _regressor().evaluate(_x(), y, verbose=0, sample_weight=weight)


def test_sample_weight_of_shape_n_by_one_is_taken() -> None:
    y = np.zeros(N, np.float32)
    _regressor().fit(_x(), y, epochs=1, verbose=0, sample_weight=np.ones((N, 1)))


@pytest.mark.parametrize(("lengths", "match"), [
    (np.full(N, 2.7), r"lengths: expected whole numbers of steps but received 2.7"),
    (np.ones((N, 2), np.int64), r"lengths: expected one length per sample, shape \(8,\)"),
    (np.full(N, np.nan), r"lengths: expected finite numbers"),
    (np.ones(N, bool), r"lengths: expected integer lengths"),
    (np.full(N, 6), r"lengths: expected integers between 0 and the time axis \(5\)"),
])
def test_bad_lengths_are_refused(lengths: np.ndarray, match: str) -> None:
    y = np.zeros(N, np.float32)
    with pytest.raises(SeqkitError, match=match):
        _regressor().fit(_x(), y, epochs=1, verbose=0, lengths=lengths)
    with pytest.raises(SeqkitError, match=match):
        _regressor().predict(_x(), verbose=0, lengths=lengths)


def test_integral_float_lengths_are_taken_as_ints() -> None:
    model = _regressor()
    as_floats = model.predict(_x(), verbose=0, lengths=np.full(N, 3.0))
    np.testing.assert_array_equal(as_floats,
                                  model.predict(_x(), verbose=0, lengths=np.full(N, 3)))


# -- empty axes, dtypes, ids --------------------------------------------------------------
@pytest.mark.parametrize(("shape", "match"), [
    ((N, 0, 2), r"x: expected at least one time step but received shape \(8, 0, 2\)"),
    ((N, 5, 0), r"x: expected at least one feature per step but received shape \(8, 5, 0\)"),
])
def test_zero_time_steps_or_features_are_refused(shape: tuple[int, ...], match: str) -> None:
    x = np.zeros(shape, np.float32)
    with pytest.raises(InputError, match=match):
        _regressor().fit(x, np.zeros(N), epochs=1, verbose=0)
    with pytest.raises(InputError, match=match):
        _regressor().predict(x, verbose=0)


def test_token_ids_without_steps_are_refused() -> None:
    model = sk.Sequential([sk.Embedding(5, 2), sk.GRU(3), sk.Dense(1)], loss="mse")
    with pytest.raises(InputError, match="at least one time step"):
        model.predict(np.zeros((N, 0), np.int64), verbose=0)


def test_ragged_rows_that_are_all_empty_are_refused() -> None:
    with pytest.raises(InputError, match="at least one time step"):
        _regressor().predict([np.zeros((0, 2)), np.zeros((0, 2))], verbose=0)


def test_bool_ids_into_an_embedding_are_refused() -> None:
    model = sk.Sequential([sk.Embedding(5, 2), sk.GRU(3), sk.Dense(1)], loss="mse")
    with pytest.raises(InputTypeError, match=r"x: expected integer token ids.*torch.bool"):
        model.fit(np.ones((N, 5), bool), np.zeros(N), epochs=1, verbose=0)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_other_float_inputs_are_cast_to_the_models_float32(dtype: torch.dtype) -> None:
    model = _regressor()
    x = torch.as_tensor(_x())
    model.fit(x.to(dtype), np.zeros(N), epochs=1, verbose=0)
    expected = model.predict(x.to(dtype).float(), verbose=0)
    got = model.predict(x.to(dtype), verbose=0)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, expected)
    assert np.asarray(model.predict(x.to(dtype).numpy() if dtype != torch.bfloat16
                                    else x.float().numpy(), verbose=0)).dtype == np.float32


# -- ragged lists with an empty sequence --------------------------------------------------
def _ragged() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 2)).astype(np.float32), np.zeros((0, 2), np.float32),
            rng.normal(size=(5, 2)).astype(np.float32), []]


@pytest.mark.parametrize("layers", [
    [sk.LSTM(3)], [sk.GRU(3)], [sk.Bidirectional(sk.LSTM(2))],
    [sk.LSTM(3, return_sequences=True), sk.GlobalAveragePooling1D()],
    [sk.LSTM(3, return_sequences=True), sk.GlobalMaxPooling1D()],
    [sk.LSTM(3, return_sequences=True)], [sk.Dense(2), sk.LastStep()],
], ids=lambda layers: "-".join(type(layer).__name__ for layer in layers))
def test_an_empty_sequence_gives_the_initial_state_zeros(layers: list[sk.Layer]) -> None:
    # As Keras gives for a row without kept steps: the initial state (zeros) as its last
    # output, zeros at every (padded) step, zeros pooled.
    model = sk.Sequential(layers, loss="mse")
    out = model.predict(_ragged(), verbose=0)
    assert np.all(out[[1, 3]] == 0.0)
    assert np.any(out[0] != 0.0)


def test_a_ragged_list_with_an_empty_sequence_trains() -> None:
    model = _regressor()
    history = model.fit(_ragged(), np.ones(4, np.float32), epochs=2, verbose=0, seed=0)
    assert np.isfinite(history.history["loss"]).all()
    assert np.isfinite(model.evaluate(_ragged(), np.ones(4, np.float32), verbose=0))


# -- numpy integers -----------------------------------------------------------------------
@pytest.mark.parametrize("integer", [np.int64(4), np.int32(4), np.uint8(4)])
def test_numpy_integers_are_accepted_where_an_int_is(integer: np.integer) -> None:
    model = sk.Sequential([sk.GRU(integer), sk.Dense(np.int64(1))], loss="mse")
    model.fit(_x(), np.zeros(N), batch_size=integer, epochs=integer, verbose=0,
              seed=integer, validation_batch_size=integer, steps_per_epoch=integer)
    assert model.predict(_x(), batch_size=integer, verbose=0).shape == (N, 1)
    assert model.evaluate(_x(), np.zeros(N), batch_size=integer, verbose=0) >= 0
    assert type(model.layers[0].units) is int  # configs stay JSON
    x, _ = sk.data.windows(np.arange(40.0), lookback=integer, horizon=np.int64(1))
    assert x.shape[1] == 4


# -- SequenceDataModule and ArrayLoader ---------------------------------------------------
@pytest.mark.parametrize(("arguments", "match"), [
    ({"shuffle": "no"}, r"SequenceDataModule shuffle: expected True or False"),
    ({"seed": "abc"}, r"SequenceDataModule seed: expected an integer"),
    ({"seed": -1}, r"SequenceDataModule seed: expected an integer"),
    ({"bucket_by_length": 1}, r"SequenceDataModule bucket_by_length: expected True or False"),
])
def test_a_datamodule_checks_its_arguments(arguments: dict[str, object], match: str) -> None:
    with pytest.raises(SeqkitError, match=match):
        sk.data.SequenceDataModule(_x(), np.zeros(N), **arguments)


@pytest.mark.parametrize(("arguments", "match"), [
    ({"shuffle": "no"}, r"ArrayLoader shuffle"), ({"seed": 1.5}, r"ArrayLoader seed"),
    ({"bucket_by_length": "yes"}, r"ArrayLoader bucket_by_length"),
])
def test_an_array_loader_checks_its_arguments(arguments: dict[str, object], match: str) -> None:
    with pytest.raises(SeqkitError, match=match):
        sk.data.ArrayLoader(sk.data.Batch(torch.zeros(N, 2)), 4, **arguments)


def test_fit_refuses_a_bucket_by_length_that_is_not_a_bool() -> None:
    with pytest.raises(InputTypeError, match="bucket_by_length: expected True or False"):
        _regressor().fit(_x(), np.zeros(N), epochs=1, verbose=0, bucket_by_length="yes")
