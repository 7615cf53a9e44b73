"""fit's and compile's arguments are checked before any data is read or a Trainer built
(seqkit.models.fit_checks): each refusal is a seqkit error naming the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import seqkit as sk
from seqkit.errors import ConfigError, InputTypeError, SeqkitError

N = 8
X = np.random.default_rng(0).normal(size=(N, 5, 2)).astype(np.float32)
Y = X.sum(axis=(1, 2))


def _model() -> sk.Sequential:
    return sk.Sequential([sk.GRU(3), sk.Dense(1)], loss="mse")


@pytest.mark.parametrize("shuffle", ["no", 0, 1, None, np.bool_(True)])
def test_shuffle_must_be_a_bool(shuffle: object) -> None:
    with pytest.raises(InputTypeError, match=r"fit shuffle: expected True or False"):
        _model().fit(X, Y, verbose=0, shuffle=shuffle)


@pytest.mark.parametrize("seed", ["abc", 1.5, -1, 2**32, True, [0]])
def test_seed_must_be_an_unsigned_32_bit_integer(seed: object) -> None:
    with pytest.raises(ConfigError, match=r"fit seed: expected an integer in \[0, 4294967295\]"):
        _model().fit(X, Y, verbose=0, seed=seed)


def test_an_unknown_keyword_lists_the_valid_ones_and_the_closest() -> None:
    with pytest.raises(ConfigError, match=r"fit keyword: .*accelerator.*but received foo=") \
            as error:
        _model().fit(X, Y, verbose=0, foo=1)
    assert "did you mean" not in str(error.value)
    with pytest.raises(ConfigError, match=r"did you mean 'gradient_clip_val'\?"):
        _model().fit(X, Y, verbose=0, gradient_clip_vals=1.0)
    with pytest.raises(ConfigError, match=r"did you mean 'validation_split'\?"):
        _model().fit(X, Y, verbose=0, validaton_split=0.2)


def test_trainer_arguments_are_refused_next_to_a_trainer() -> None:
    import pytorch_lightning as pl
    trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False)
    with pytest.raises(ConfigError, match=r"fit trainer: .*gradient_clip_val="):
        _model().fit(X, Y, verbose=0, trainer=trainer, gradient_clip_val=1.0)


@pytest.mark.parametrize(("callbacks", "match"), [
    ([object()], r"fit callbacks\[0\]: expected a pytorch_lightning.Callback"),
    ([sk.callbacks.EarlyStopping(monitor="loss"), "early"], r"fit callbacks\[1\]"),
    (sk.callbacks.EarlyStopping(monitor="loss"), r"fit callbacks: .*wrap it in a list"),
    ("EarlyStopping", r"fit callbacks: expected a list"),
])
def test_callbacks_must_be_a_list_of_lightning_callbacks(callbacks: object, match: str) -> None:
    with pytest.raises(InputTypeError, match=match):
        _model().fit(X, Y, verbose=0, callbacks=callbacks)


def test_a_generator_is_refused_with_a_fix() -> None:
    batches = ((X[i:i + 2], Y[i:i + 2]) for i in range(0, N, 2))
    with pytest.raises(InputTypeError, match=r"fit x: .*a generator \(an iterator\); collect"):
        _model().fit(batches, verbose=0)
    with pytest.raises(InputTypeError, match=r"fit x: .*list_iterator"):
        _model().fit(iter([(X, Y)]), verbose=0, validation_split=0.2)


def test_a_loader_with_validation_split_is_refused_with_a_fix() -> None:
    loader = torch.utils.data.DataLoader(
        list(zip(torch.as_tensor(X), torch.as_tensor(Y), strict=True)), batch_size=4)
    with pytest.raises(ConfigError, match=r"fit validation_split: .*validation_data="):
        _model().fit(loader, verbose=0, validation_split=0.25)
    _model().fit(loader, verbose=0, validation_split=0.0)  # no split asked: trains


@pytest.mark.parametrize("epochs", [0, -1, 1.5, "2", None, True])
def test_epochs_must_be_a_positive_int(epochs: object) -> None:
    with pytest.raises(ConfigError, match=r"fit epochs: expected a positive integer"):
        _model().fit(X, Y, verbose=0, epochs=epochs)


@pytest.mark.parametrize("name", ["lr", "weight_decay"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0, "0.1"])
def test_compile_refuses_non_finite_or_negative_rates(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"compile {name}: expected a"):
        _model().compile(loss="mse", **{name: value})


def test_compile_refuses_a_zero_learning_rate_but_not_zero_weight_decay() -> None:
    with pytest.raises(ConfigError, match="compile lr"):
        _model().compile(loss="mse", lr=0)
    _model().compile(loss="mse", weight_decay=0)


@pytest.mark.parametrize("preset", [
    lambda: sk.presets.regressor(units=2, lr=math.nan),
    lambda: sk.presets.sequence_classifier(num_classes=2, units=2, lr=math.nan),
])
def test_presets_refuse_a_nan_learning_rate(preset: object) -> None:
    with pytest.raises(ConfigError, match="lr"):
        preset()  # type: ignore[operator]


def test_predict_classes_on_a_regressor_is_refused() -> None:
    model = _model()
    model.fit(X, Y, verbose=0)
    with pytest.raises(ConfigError, match=r"predict_classes: expected a classifier.*'mse'"):
        model.predict_classes(X)


def test_predict_classes_on_a_classifier_still_works() -> None:
    model = sk.Sequential([sk.GRU(3), sk.Dense(3)], loss="cross_entropy")
    model.fit(X, np.arange(N) % 3, verbose=0)
    assert set(model.predict_classes(X).tolist()) <= {0, 1, 2}


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.integers(max_value=0), st.floats(allow_nan=True),
                 st.text(max_size=3), st.none().map(lambda _: [1])))
def test_random_bad_batch_sizes_are_seqkit_errors(batch_size: object) -> None:
    with pytest.raises(SeqkitError, match="batch_size"):
        _model().fit(X, Y, verbose=0, batch_size=batch_size)


def test_compile_takes_keras_learning_rate_for_lr() -> None:
    model = _model().compile(loss="mse", learning_rate=0.05)
    assert model.compile_settings.lr == 0.05
    with pytest.raises(ConfigError, match="compile learning_rate: expected lr or "
                                          "learning_rate"):
        _model().compile(loss="mse", lr=0.1, learning_rate=0.1)


@pytest.mark.parametrize("value", [math.nan, 0, -1.0, "0.1", math.inf])
def test_compile_refuses_a_bad_learning_rate(value: object) -> None:
    with pytest.raises(ConfigError, match="compile learning_rate: expected a positive"):
        _model().compile(loss="mse", learning_rate=value)


@pytest.mark.parametrize(("keywords", "match"), [
    ({"loss_weights": [1.0]}, r"compile loss_weights: .*sample_weight"),
    ({"run_eagerly": True}, r"compile run_eagerly: .*eagerly"),
    ({"learnin_rate": 0.1}, r"compile keyword: .*learnin_rate=; did you mean 'learning_rate'"),
    ({"foo": 1}, r"compile keyword: expected one of optimizer, loss"),
])
def test_compile_refuses_other_keywords_naming_them(keywords: dict[str, object],
                                                    match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        _model().compile(loss="mse", **keywords)


@pytest.mark.parametrize(("optimizer", "scheduler"), [(5, None), ("adam", 5)])
def test_compile_refuses_optimizers_and_schedulers_of_other_types(optimizer: object,
                                                                  scheduler: object) -> None:
    with pytest.raises(InputTypeError, match=r"compile (optimizer|scheduler)"):
        _model().compile(loss="mse", optimizer=optimizer, scheduler=scheduler)


def test_compile_refuses_metrics_that_are_not_a_list() -> None:
    with pytest.raises(InputTypeError, match="compile metrics"):
        _model().compile(loss="mse", metrics=5)


def test_fit_refuses_a_trainer_that_is_not_one() -> None:
    with pytest.raises(InputTypeError, match=r"fit trainer: expected a pytorch_lightning"):
        _model().fit(X, Y, verbose=0, trainer=object())


def test_evaluate_without_targets_and_predict_return_state_type() -> None:
    model = _model()
    model.build((None, 5, 2))
    with pytest.raises(SeqkitError, match=r"evaluate y: expected targets"):
        model.evaluate(X, None, verbose=0)
    with pytest.raises(InputTypeError, match=r"predict return_state: expected True or False"):
        model.predict(X, return_state="yes", verbose=0)
