"""The bad-input matrix: calls a careless or hostile user makes through the public API.

Each [`Case`][] is a call that must raise a seqkit error (``seqkit.errors.SeqkitError``)
whose message names ``names`` (the argument at fault). Layer constructors, presets and
``TextVectorizer`` cases are generated from their signatures (and the layer registry), so
a layer or argument added later is covered without editing this file: its bad values come
from its annotation (ints: negative, fractional, text; floats: NaN, negative, text; bools:
text, ``None``; names: unknown names, numbers; anything else: ``object()``).

Run this module to print the cases by group::

    python tests/fuzz/_bad_input_cases.py
"""

from __future__ import annotations

import inspect
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

import seqkit as sk
from seqkit.layers.base import LAYER_REGISTRY

N = 8
X = np.random.default_rng(0).normal(size=(N, 5, 2)).astype(np.float32)
Y = X.sum(axis=(1, 2))
IDS = np.arange(N) % 3
TOKENS = np.random.default_rng(1).integers(1, 10, size=(N, 5))
TEXTS = ["a b c", "b c d", "c d e", "a a b", "d e f", "f e d", "a c e", "b d f"]

# Findings in other helpers' work in progress when this matrix was written: expected to
# fail (not strictly) until fixed there, so the matrix stays green and shows them (XFAIL,
# then XPASS once fixed: drop the entry then).
KNOWN: dict[str, str] = {
    **{f"{where}(residual={value!r})": "H5: bool(residual) takes any value (base= replaces it)"
       for where in ("layers:WindowNormalization", "presets:forecaster")
       for value in ("yes", 2)},
}


@dataclass(frozen=True)
class Case:
    """One bad call.

    Attributes:
        group: Where it goes in (``fit``, ``layers``, ``presets``...), for the totals.
        id: A unique, readable test id.
        call: Makes the call (builds its own model, so cases are independent).
        names: Text the error message must contain: the argument at fault.
        xfail: Why the case is expected to fail for now (another helper's work), or
            ``None``.
    """

    group: str
    id: str
    call: Callable[[], Any]
    names: str
    xfail: str | None = None


# -- small models ---------------------------------------------------------------------------
def regressor() -> sk.Sequential:
    return sk.Sequential([sk.GRU(3), sk.Dense(1)], loss="mse")


def classifier() -> sk.Sequential:
    return sk.Sequential([sk.GRU(3), sk.Dense(3)], loss="cross_entropy")


def embedder() -> sk.Sequential:
    return sk.Sequential([sk.Embedding(10, 4), sk.GRU(3), sk.Dense(1)], loss="mse")


def _built_embedder() -> sk.Sequential:
    model = embedder()
    model.build((None, 5))
    return model


def trained() -> sk.Sequential:
    model = regressor()
    model.build((None, 5, 2))
    return model


def _fit(model: Callable[[], sk.Sequential] = regressor, x: Any = X, y: Any = Y,
         **kwargs: Any) -> Callable[[], Any]:
    kwargs.setdefault("verbose", 0)
    return lambda: model().fit(x, y, **kwargs)


def _loader() -> torch.utils.data.DataLoader:
    pairs = list(zip(torch.as_tensor(X), torch.as_tensor(Y), strict=True))
    return torch.utils.data.DataLoader(pairs, batch_size=4)


def _generator() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    return ((X[i:i + 2], Y[i:i + 2]) for i in range(0, N, 2))


# -- fit ------------------------------------------------------------------------------------
def fit_cases() -> list[Case]:
    nan_x = X.copy()
    nan_x[2, 1, 0] = np.nan
    inf_y = Y.copy()
    inf_y[3] = np.inf
    rows: list[tuple[str, Callable[[], Any], str]] = [
        # x
        ("x=None", _fit(x=None), "x"),
        ("x=str", _fit(x="abc"), "x"),
        ("x=int", _fit(x=5), "x"),
        ("x=dict", _fit(x={"a": X}), "x"),
        ("x=set", _fit(x={1, 2}), "x"),
        ("x=strings", _fit(x=np.array([["a"] * 5] * N)), "x"),
        ("x=objects", _fit(x=np.array([[object()] * 5] * N)), "x"),
        ("x=complex", _fit(x=X.astype(np.complex64)), "x"),
        ("x=1d", _fit(x=np.zeros(N, np.float32)), "input"),
        ("x=2d-into-GRU", _fit(x=np.zeros((N, 5), np.float32)), "input"),
        ("x=4d", _fit(x=np.zeros((N, 5, 2, 2), np.float32)), "input"),
        ("x=no-samples", _fit(x=np.zeros((0, 5, 2), np.float32), y=np.zeros(0)), "x"),
        ("x=zero-steps", _fit(x=np.zeros((N, 0, 2), np.float32)), "x"),
        ("x=zero-features", _fit(x=np.zeros((N, 5, 0), np.float32)), "x"),
        ("x=nan", _fit(x=nan_x), "x"),
        ("x=inf", _fit(x=np.full_like(X, np.inf)), "x"),
        ("x=generator", lambda: regressor().fit(_generator(), verbose=0), "x"),
        ("x=iterator", lambda: regressor().fit(iter([(X, Y)]), verbose=0), "x"),
        ("x=ragged-features", _fit(x=[np.zeros((3, 2)), np.zeros((4, 3))], y=[0.0, 1.0]),
         "x"),
        ("x=list-of-strings", _fit(x=["a", "b"] * 4), "x"),
        ("x=float-ids", _fit(embedder, x=TOKENS.astype(np.float32)), "x"),
        ("x=bool-ids", _fit(embedder, x=TOKENS > 4), "x"),
        ("x=ids-out-of-vocab", _fit(embedder, x=TOKENS + 20), "ids"),
        ("x=negative-ids", _fit(embedder, x=-TOKENS), "ids"),
        # y
        ("y=None", _fit(y=None), "y"),
        ("y=wrong-count", _fit(y=Y[:-1]), "y"),
        ("y=strings-mse", _fit(y=np.array(list("abababab"))), "y"),
        ("y=objects-mse", _fit(y=np.array([1, "a"] * 4, dtype=object)), "y"),
        ("y=nan", _fit(y=np.full(N, np.nan)), "y"),
        ("y=inf", _fit(y=inf_y), "y"),
        ("y=two-columns", _fit(y=np.zeros((N, 2))), "y"),
        ("y=per-step", _fit(y=np.zeros((N, 5, 1))), "y"),
        ("y=complex", _fit(y=Y.astype(np.complex64)), "y"),
        ("y=str", _fit(y="labels"), "y"),
        ("y=None-labels", _fit(classifier, y=np.array(["a", None] * 4, dtype=object)), "y"),
        ("y=nan-labels", _fit(classifier, y=np.array(["a", math.nan] * 4, dtype=object)),
         "y"),
        ("y=ids-too-big", _fit(classifier, y=IDS + 3), "y"),
        ("y=negative-ids", _fit(classifier, y=-IDS - 1), "y"),
        ("y=fractional-ids", _fit(classifier, y=IDS + 0.5), "y"),
        ("y=one-hot-sparse", _fit(classifier, y=np.eye(3)[IDS]), "y"),
        # batch_size, epochs, verbose
        *[(f"batch_size={v!r}", _fit(batch_size=v), "batch_size")
          for v in (0, -1, 2.5, "8", True, math.nan, [8])],
        *[(f"epochs={v!r}", _fit(epochs=v), "epochs") for v in (0, -3, 1.5, "1", True)],
        *[(f"verbose={v!r}", _fit(verbose=v), "verbose") for v in (3, -1, "loud", 1.5)],
        # callbacks
        ("callbacks=[object()]", _fit(callbacks=[object()]), "callbacks"),
        ("callbacks=object()", _fit(callbacks=object()), "callbacks"),
        ("callbacks='cb'", _fit(callbacks="EarlyStopping"), "callbacks"),
        ("callbacks=[1]", _fit(callbacks=[1]), "callbacks"),
        # validation
        *[(f"validation_split={v!r}", _fit(validation_split=v), "validation_split")
          for v in (-0.1, 1.0, 1.5, math.nan, "0.2")],
        ("validation_split+loader",
         lambda: regressor().fit(_loader(), verbose=0, validation_split=0.2),
         "validation_split"),
        ("validation_split+generator",
         lambda: regressor().fit(_generator(), verbose=0, validation_split=0.2), "x"),
        ("validation_data=(x,)", _fit(validation_data=(X,)), "validation_data"),
        ("validation_data=x", _fit(validation_data=X), "validation_data"),
        ("validation_data=4-tuple", _fit(validation_data=(X, Y, Y, Y)), "validation_data"),
        ("validation_data='val'", _fit(validation_data="val"), "validation_data"),
        ("validation_data=wrong-count", _fit(validation_data=(X, Y[:-1])), "y"),
        *[(f"validation_batch_size={v!r}", _fit(validation_split=0.25,
                                                validation_batch_size=v),
           "validation_batch_size") for v in (0, "4", 1.5)],
        *[(f"validation_freq={v!r}", _fit(validation_freq=v), "validation_freq")
          for v in (0, -1, 1.5)],
        # shuffle, seed
        *[(f"shuffle={v!r}", _fit(shuffle=v), "shuffle") for v in ("no", 1, None)],
        *[(f"seed={v!r}", _fit(seed=v), "seed") for v in ("abc", -1, 2**40, 1.5)],
        # class_weight
        *[(f"class_weight={v!r}", _fit(classifier, y=IDS, class_weight=v), "class_weight")
          for v in ({0: -1.0}, {0: math.nan}, {0: math.inf}, {10**10: 1.0}, {-1: 1.0},
                    {"a": 1.0}, {3: 1.0}, {0: "2"}, "balance", [1.0, 2.0])],
        ("class_weight+mse", _fit(class_weight={0: 2.0}), "class_weight"),
        ("class_weight=balanced+mse", _fit(class_weight="balanced"), "class_weight"),
        # sample_weight
        *[(f"sample_weight={name}", _fit(sample_weight=value), "sample_weight")
          for name, value in (("negative", -np.ones(N)), ("nan", np.full(N, np.nan)),
                              ("inf", np.full(N, np.inf)), ("2d", np.ones((N, 2))),
                              ("short", np.ones(N - 1)), ("strings", np.array(["1"] * N)))],
        # lengths
        *[(f"lengths={name}", _fit(lengths=value), "lengths")
          for name, value in (("2.7", np.full(N, 2.7)), ("2d", np.ones((N, 2), np.int64)),
                              ("negative", -np.ones(N, np.int64)),
                              ("too-long", np.full(N, 6)), ("short", np.ones(N - 1, int)),
                              ("nan", np.full(N, np.nan)), ("strings", np.array(["3"] * N)),
                              ("bool", np.ones(N, bool)))],
        # Keras's step arguments
        *[(f"initial_epoch={v!r}", _fit(initial_epoch=v), "initial_epoch")
          for v in (-1, 1.5, "0")],
        *[(f"steps_per_epoch={v!r}", _fit(steps_per_epoch=v), "steps_per_epoch")
          for v in (0, -1, 1.5)],
        ("validation_steps=0", _fit(validation_split=0.25, validation_steps=0),
         "validation_steps"),
        *[(f"tbptt_steps={v!r}", _fit(tbptt_steps=v), "tbptt_steps") for v in (0, -1, "a")],
        # the rest
        ("ckpt_path=missing", _fit(ckpt_path="/nonexistent/last.ckpt"), "ckpt"),
        ("trainer=object()", _fit(trainer=object()), "trainer"),
        ("keyword=foo", _fit(foo=1), "foo"),
        ("keyword=max_epoch", _fit(max_epoch=2), "max_epoch"),
        ("keyword=lr", _fit(lr=0.1), "lr"),
        ("uncompiled", lambda: sk.Sequential([sk.GRU(2)]).fit(X, Y, verbose=0), "compile"),
    ]
    return [Case("fit", name, call, names) for name, call, names in rows]


# -- compile, evaluate, predict -------------------------------------------------------------
def _compile(**kwargs: Any) -> Callable[[], Any]:
    return lambda: regressor().compile(**kwargs)


def call_cases() -> list[Case]:
    rows: list[tuple[str, str, Callable[[], Any], str]] = [
        ("compile", "loss=unknown", _compile(loss="mse_loss"), "loss"),
        ("compile", "loss=5", _compile(loss=5), "loss"),
        ("compile", "optimizer=unknown", _compile(optimizer="adamm"), "optimizer"),
        ("compile", "optimizer=5", _compile(optimizer=5), "optimizer"),
        ("compile", "metrics=unknown", _compile(metrics=["acc-ish"]), "metric"),
        ("compile", "metrics=5", _compile(metrics=5), "metrics"),
        ("compile", "metrics=[5]", _compile(metrics=[5]), "metric"),
        ("compile", "scheduler=unknown", _compile(scheduler="cosin"), "scheduler"),
        *[("compile", f"lr={v!r}", _compile(lr=v), "lr")
          for v in (math.nan, math.inf, 0, -1.0, "0.1")],
        *[("compile", f"weight_decay={v!r}", _compile(weight_decay=v), "weight_decay")
          for v in (math.nan, math.inf, -1.0, "0")],
        *[("compile", f"learning_rate={v!r}", _compile(learning_rate=v), "learning_rate")
          for v in (math.nan, 0, -1.0, "0.1")],
        ("compile", "keyword=loss_weights", _compile(loss_weights=[1.0]), "loss_weights"),
        ("compile", "keyword=foo", _compile(foo=1), "foo"),
        ("compile", "scheduler=5", _compile(scheduler=5), "scheduler"),
        # the model itself
        ("model", "Sequential(layers=5)", lambda: sk.Sequential(5), "layers"),
        ("model", "Sequential([5])", lambda: sk.Sequential([5]), "Sequential"),
        ("model", "Sequential(batch_first='no')",
         lambda: sk.Sequential([sk.GRU(2)], batch_first="no"), "batch_first"),
        ("model", "Sequential(target_scaler='nope')",
         lambda: sk.Sequential([sk.GRU(2)], target_scaler="nope"), "mode"),
        ("model", "Sequential(name=5)", lambda: sk.Sequential([sk.GRU(2)], name=5), "name"),
        ("model", "Sequential(unknown=1)", lambda: sk.Sequential([sk.GRU(2)], unknown=1),
         "unknown"),
        ("model", "build(5)", lambda: regressor().build(5), "shape"),
        ("model", "build('abc')", lambda: regressor().build("abc"), "shape"),
        ("model", "build(negative)", lambda: regressor().build((None, 5, -2)), "shape"),
        ("model", "build(zero-features)", lambda: regressor().build((None, 5, 0)), "shape"),
        ("model", "build(2d)", lambda: regressor().build((None, 5)), "input"),
        ("model", "Input(shape=-1)", lambda: sk.Input((5, -1)), "shape"),
        ("model", "Input(shape='a')", lambda: sk.Input("a"), "shape"),
        ("model", "get_layer(2.5)", lambda: trained().get_layer(2.5), "get_layer"),
        ("model", "get_layer('nope')", lambda: trained().get_layer("nope"), "nope"),
        ("model", "get_layer(99)", lambda: trained().get_layer(99), "get_layer"),
        ("model", "set_weights(wrong-count)", lambda: trained().set_weights([np.zeros(3)]),
         "set_weights"),
        ("model", "set_weights(5)", lambda: trained().set_weights(5), "set_weights"),
        ("model", "train_on_batch(y=None)", lambda: trained().train_on_batch(X, None), "y"),
        ("model", "train_on_batch(sample_weight=-1)",
         lambda: trained().train_on_batch(X, Y, sample_weight=-np.ones(N)), "sample_weight"),
        ("model", "predict(initial_state=5)",
         lambda: trained().predict(X, initial_state=5, verbose=0), "initial_state"),
        ("model", "predict(initial_state=wrong-shape)",
         lambda: trained().predict(X, initial_state=np.zeros((N, 7)), verbose=0),
         "initial state"),
        ("model", "stream().step(2d)", lambda: trained().stream().step(np.zeros((2, 3))),
         "input"),
        ("model", "stream().step(str)", lambda: trained().stream().step("abc"), "x"),
        ("model", "SequenceDataModule(shuffle='no')",
         lambda: sk.data.SequenceDataModule(X, Y, shuffle="no"), "shuffle"),
        ("model", "SequenceDataModule(batch_size=0)",
         lambda: sk.data.SequenceDataModule(X, Y, batch_size=0), "batch_size"),
        ("model", "SequenceDataModule(validation_split=1.5)",
         lambda: sk.data.SequenceDataModule(X, Y, validation_split=1.5), "validation_split"),
        ("model", "SequenceDataModule(x=None)",
         lambda: sk.data.SequenceDataModule(None, Y), "x"),
        ("model", "SequenceDataModule(y=wrong-count)",
         lambda: sk.data.SequenceDataModule(X, Y[:3]), "y"),
        *[("model", f"model(x={name})", (lambda value=value: trained()(value)), "x")
          for name, value in (("zero-steps", np.zeros((2, 0, 2))), ("str", "abc"),
                              ("nan", np.full((2, 5, 2), np.nan)), ("None", None))],
        ("model", "model(x, lengths=2.7)",
         lambda: trained()(np.zeros((2, 5, 2)), np.array([2.7, 1.0])), "lengths"),
        ("model", "model(x, lengths=too-long)",
         lambda: trained()(np.zeros((2, 5, 2)), np.array([9, 1])), "lengths"),
        ("model", "model(ids=out-of-vocab)", lambda: _built_embedder()(np.full((2, 5), 50)),
         "ids"),
        ("model", "model(ids=bool)", lambda: _built_embedder()(np.ones((2, 5), bool)), "x"),
        ("model", "to_onnx(123)", lambda: trained().to_onnx(123), "path"),
        ("model", "to_onnx(None)", lambda: trained().to_onnx(None), "path"),
        ("model", "summary(foo=1)", lambda: trained().summary(foo=1), "foo"),
        ("fit", "bucket_by_length='yes'",
         lambda: regressor().fit(X, Y, verbose=0, bucket_by_length="yes"), "bucket_by_length"),
        ("fit", "datamodule+y",
         lambda: regressor().fit(sk.data.SequenceDataModule(X, Y), Y, verbose=0), "y"),
        # evaluate
        ("evaluate", "x=None", lambda: trained().evaluate(None, Y, verbose=0), "x"),
        ("evaluate", "x=str", lambda: trained().evaluate("abc", Y, verbose=0), "x"),
        ("evaluate", "x=features", lambda: trained().evaluate(np.zeros((N, 5, 3)), Y,
                                                              verbose=0), "input"),
        ("evaluate", "x=nan", lambda: trained().evaluate(np.full_like(X, np.nan), Y,
                                                         verbose=0), "x"),
        ("evaluate", "y=None", lambda: trained().evaluate(X, None, verbose=0), "y"),
        ("evaluate", "y=wrong-count", lambda: trained().evaluate(X, Y[:3], verbose=0), "y"),
        ("evaluate", "y=strings", lambda: trained().evaluate(X, np.array(list("ab") * 4),
                                                             verbose=0), "y"),
        *[("evaluate", f"batch_size={v!r}",
           (lambda v=v: trained().evaluate(X, Y, batch_size=v, verbose=0)), "batch_size")
          for v in (0, "8", 2.5)],
        ("evaluate", "verbose=7", lambda: trained().evaluate(X, Y, verbose=7), "verbose"),
        ("evaluate", "sample_weight=negative",
         lambda: trained().evaluate(X, Y, sample_weight=-np.ones(N), verbose=0),
         "sample_weight"),
        ("evaluate", "lengths=2.7",
         lambda: trained().evaluate(X, Y, lengths=np.full(N, 2.7), verbose=0), "lengths"),
        ("evaluate", "uncompiled",
         lambda: sk.Sequential([sk.GRU(2), sk.Dense(1)]).evaluate(X, Y, verbose=0),
         "compile"),
        # predict
        ("predict", "x=None", lambda: trained().predict(None, verbose=0), "x"),
        ("predict", "x=str", lambda: trained().predict("abc", verbose=0), "x"),
        ("predict", "x=objects", lambda: trained().predict(np.array([[None] * 2] * 5),
                                                           verbose=0), "x"),
        ("predict", "x=features", lambda: trained().predict(np.zeros((N, 5, 3)), verbose=0),
         "input"),
        ("predict", "x=zero-steps", lambda: trained().predict(np.zeros((N, 0, 2)),
                                                              verbose=0), "x"),
        ("predict", "x=inf", lambda: trained().predict(np.full_like(X, np.inf), verbose=0),
         "x"),
        ("predict", "x=generator", lambda: trained().predict(_generator(), verbose=0), "x"),
        *[("predict", f"batch_size={v!r}",
           (lambda v=v: trained().predict(X, batch_size=v, verbose=0)), "batch_size")
          for v in (0, -2, "8", 2.5, None)],
        ("predict", "verbose=loud", lambda: trained().predict(X, verbose="loud"), "verbose"),
        *[("predict", f"lengths={name}",
           (lambda value=value: trained().predict(X, lengths=value, verbose=0)), "lengths")
          for name, value in (("2.7", np.full(N, 2.7)), ("2d", np.ones((N, 2), int)),
                              ("too-long", np.full(N, 9)), ("short", np.ones(3, int)))],
        ("predict", "return_state=yes",
         lambda: trained().predict(X, return_state="yes", verbose=0), "return_state"),
        ("predict_classes", "regressor", lambda: trained().predict_classes(X, verbose=0),
         "predict_classes"),
        ("predict", "bool-ids", lambda: embedder().predict(TOKENS > 3, verbose=0), "x"),
    ]
    return [Case(group, name, call, names) for group, name, call, names in rows]


# -- layer constructors (generated from the registry) ----------------------------------------
# Valid values of required arguments, by name; a layer whose required argument is not here
# makes `layer_cases` fail, naming it (add it here).
VALID: dict[str, Callable[[], Any]] = {
    "units": lambda: 3, "vocab_size": lambda: 10, "output_dim": lambda: 3,
    "rate": lambda: 0.1, "n": lambda: 2, "activation": lambda: "relu",
    "layer": lambda: sk.LSTM(2), "layers": lambda: [sk.Dense(2)],
    "filters": lambda: 4, "kernel_size": lambda: 3, "pool_size": lambda: 2,
    "target_shape": lambda: (10,), "num_heads": lambda: 2, "key_dim": lambda: 4,
    "axis": lambda: -1, "dims": lambda: (2, 1), "size": lambda: 2,
}

# Arguments that take values the generic bad values include (0 or None are valid there).
ZERO_OK = {"axis", "mask_value", "seed", "target", "early_stopping"}
SIGNED = {"axis", "mask_value"}  # -1 is valid there
NONE_OK = {"name", "lr", "activation"}  # lr=None: the optimizer's default; None: linear
# Arguments not worth a generic bad value: anything is valid (documented as Any).
FREE = {"kwargs", "args"}

# Sizes that cannot fit in memory: refused before allocation (H2's size guards).
HUGE = [
    ("LSTM(units=10**6)", lambda: sk.LSTM(10**6), "units", (None, 5, 2)),
    ("GRU(units=10**6)", lambda: sk.GRU(10**6), "units", (None, 5, 2)),
    ("SimpleRNN(units=10**6)", lambda: sk.SimpleRNN(10**6), "units", (None, 5, 2)),
    ("Dense(units=10**10)", lambda: sk.Dense(10**10), "units", (None, 5)),
    ("Embedding(vocab_size=10**12)", lambda: sk.Embedding(10**12, 8), "vocab_size",
     (None, 5)),
    ("Embedding(output_dim=10**12)", lambda: sk.Embedding(8, 10**12), "output_dim",
     (None, 5)),
    ("RepeatVector(n=10**12)", lambda: sk.RepeatVector(10**12), "n", (None, 4)),
]


def _bad_values(parameter: inspect.Parameter) -> list[Any]:
    """Values of the wrong type or range for a parameter, from its annotation."""
    name, note = parameter.name, str(parameter.annotation)
    nullable = "None" in note or parameter.default is None or name in NONE_OK
    values: list[Any] = []
    if name == "name":
        return [123, ["lstm"]]
    if "Initializer" in note or name.endswith("initializer"):
        values = ["no_such_initializer", 123]
    elif note.startswith(("int", "'int")) or note in ("int", "int | None"):
        values = [2.5, "3"] + ([] if name in SIGNED else [-1]) + (
            [] if name in ZERO_OK else [0])
    elif note.startswith("float") or note in ("float", "float | None"):
        values = ["0.1"] + ([] if name in ZERO_OK else [math.nan, -1.0])
    elif note.startswith("bool"):
        values = ["yes", 2]
    elif note.startswith("str"):
        values = ["no_such_option", 123]
    else:
        values = [object()]
    if not nullable and "bool" not in note:
        values.append(None)
    return values


def _valid_kwargs(cls: type, parameters: list[inspect.Parameter]) -> dict[str, Any]:
    kwargs = {}
    for parameter in parameters:
        if parameter.default is inspect.Parameter.empty:
            note = str(parameter.annotation)
            if parameter.name in VALID:
                kwargs[parameter.name] = VALID[parameter.name]()
            elif "Layer" in note:  # a layer, or a sequence of layers, to wrap
                kwargs[parameter.name] = [sk.Dense(2)] if "Sequence" in note else sk.Dense(2)
            else:
                raise KeyError(f"{cls.__name__}({parameter.name}=...): add a valid value to "
                               "VALID in tests/fuzz/_bad_input_cases.py")
    return kwargs


def _parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(function).parameters.values()
            if p.name != "self" and p.name not in FREE
            and p.kind not in (inspect.Parameter.VAR_POSITIONAL,
                               inspect.Parameter.VAR_KEYWORD)]


def _construct(cls: Callable[..., Any], kwargs: dict[str, Any]) -> Callable[[], Any]:
    return lambda: cls(**kwargs)


def layer_cases() -> list[Case]:
    cases = []
    for class_name, cls in sorted(LAYER_REGISTRY.items()):
        parameters = _parameters(cls.__init__)
        base = _valid_kwargs(cls, parameters)
        for parameter in parameters:
            for value in _bad_values(parameter):
                kwargs = {**base, parameter.name: value}
                cases.append(Case("layers", f"{class_name}({parameter.name}={value!r})",
                                  _construct(cls, kwargs), parameter.name))
        for label, shape in BAD_SHAPES:
            cases.append(Case("layers", f"{class_name}.build({label})",
                              _built_alone(cls, base, shape), "input_shape"))
    for name, make, names, shape in HUGE:
        cases.append(Case("layers", name, _built(make, shape), names))
    return cases


BAD_SHAPES: list[tuple[str, Any]] = [
    ("5", 5), ("'abc'", "abc"), ("negative", (None, 5, -1)), ("zero-features", (None, 5, 0)),
    ("zero-steps", (None, 0, 3)), ("float", (None, 5, 2.5)), ("None", None),
]


def _built_alone(cls: type, kwargs: dict[str, Any], shape: Any) -> Callable[[], Any]:
    return lambda: cls(**kwargs).build(shape)


def _built(make: Callable[[], Any], shape: tuple[int | None, ...]) -> Callable[[], Any]:
    def call() -> None:
        sk.Sequential([make()]).build(shape)

    return call


# -- presets ----------------------------------------------------------------------------------
PRESET_VALID: dict[str, Any] = {"lookback": 6}


def preset_cases() -> list[Case]:
    cases = []
    presets = {name: getattr(sk.presets, name) for name in sk.presets.__all__
               if name != "forecast"}
    for preset_name, preset in sorted(presets.items()):
        parameters = _parameters(preset)
        base = {p.name: PRESET_VALID[p.name] for p in parameters
                if p.default is inspect.Parameter.empty}
        if "num_classes" in {p.name for p in parameters}:
            base["num_classes"] = 2  # compiled at once: lr and friends are checked now
        for parameter in parameters:
            for value in _bad_values(parameter):
                kwargs = {**base, parameter.name: value}
                cases.append(Case("presets", f"{preset_name}({parameter.name}={value!r})",
                                  _construct(preset, kwargs), parameter.name))

    def forecaster() -> sk.Sequential:
        model = sk.presets.forecaster(lookback=4, units=2)
        model.build((None, 4, 1))
        return model

    series = np.arange(20.0)
    for name, history, steps, names in (
            ("history=strings", np.array(list("abcdefgh")), 2, "history"),
            ("history=objects", np.array([None] * 8), 2, "history"),
            ("history=nan", np.full(8, np.nan), 2, "history"),
            ("history=short", series[:2], 2, "history"),
            ("history=None", None, 2, "history"),
            *[(f"steps={v!r}", series, v, "steps") for v in (0, -1, 2.5, "3")]):
        cases.append(Case("presets", f"forecast({name})",
                          (lambda h=history, s=steps: sk.forecast(forecaster(), h, s)), names))
    return cases


# -- windows, TextVectorizer, load_model ------------------------------------------------------
def windows_cases() -> list[Case]:
    series = np.arange(30.0)
    rows: list[tuple[str, Callable[[], Any], str]] = [
        ("series=strings", lambda: sk.data.windows(np.array(list("abcdefghij")), 3), "series"),
        ("series=None", lambda: sk.data.windows(None, 3), "series"),
        ("series=3d", lambda: sk.data.windows(np.zeros((10, 2, 2)), 3), "series"),
        ("series=short", lambda: sk.data.windows(series[:3], 3), "series"),
        ("series=nan", lambda: sk.data.windows(np.full(10, np.nan), 3), "series"),
        ("series=complex", lambda: sk.data.windows(series.astype(complex), 3), "series"),
        ("series=bool-tensor", lambda: sk.data.windows(torch.ones(10, dtype=torch.bool), 3),
         "series"),
        ("series=empty", lambda: sk.data.windows(np.zeros(0), 3), "series"),
        *[(f"lookback={v!r}", (lambda v=v: sk.data.windows(series, v)), "lookback")
          for v in (0, -1, 2.5, "3", None, 10**12)],
        *[(f"horizon={v!r}", (lambda v=v: sk.data.windows(series, 3, horizon=v)), "horizon")
          for v in (0, -1, 2.5, "1")],
        *[(f"stride={v!r}", (lambda v=v: sk.data.windows(series, 3, stride=v)), "stride")
          for v in (0, -1, 2.5, "1")],
        ("targets=missing-column",
         lambda: sk.data.windows(np.zeros((20, 2)), 3, targets=5), "target"),
        ("targets=unknown-name",
         lambda: sk.data.windows(np.zeros((20, 2)), 3, targets="price"), "target"),
    ]
    return [Case("windows", name, call, names) for name, call, names in rows]


def text_cases() -> list[Case]:
    cases = []
    parameters = _parameters(sk.TextVectorizer.__init__)
    for parameter in parameters:
        for value in _bad_values(parameter):
            cases.append(Case("TextVectorizer", f"TextVectorizer({parameter.name}={value!r})",
                              _construct(sk.TextVectorizer, {parameter.name: value}),
                              parameter.name))

    def adapted() -> sk.TextVectorizer:
        vectorizer = sk.TextVectorizer()
        vectorizer.adapt(TEXTS)
        return vectorizer

    rows: list[tuple[str, Callable[[], Any], str]] = [
        ("adapt([])", lambda: sk.TextVectorizer().adapt([]), "adapt"),
        ("adapt(['', ' '])", lambda: sk.TextVectorizer().adapt(["", " "]), "adapt"),
        ("adapt(str)", lambda: sk.TextVectorizer().adapt("one text"), "TextVectorizer"),
        ("adapt(None)", lambda: sk.TextVectorizer().adapt(None), "TextVectorizer"),
        ("adapt([1, 2])", lambda: sk.TextVectorizer().adapt([1, 2]), "TextVectorizer"),
        ("adapt([b'x'])", lambda: sk.TextVectorizer().adapt([b"x"]), "TextVectorizer"),
        ("call(str)", lambda: adapted()("one text"), "TextVectorizer"),
        ("call([None])", lambda: adapted()([None]), "TextVectorizer"),
        ("call-unadapted", lambda: sk.TextVectorizer()(["a b"]), "TextVectorizer"),
        ("output_sequence_length=10**9",
         lambda: _adapted_call(sk.TextVectorizer(output_sequence_length=10**9)),
         "output_sequence_length"),
        ("set_vocabulary(5)", lambda: sk.TextVectorizer().set_vocabulary(5), "vocabulary"),
        ("set_vocabulary([1])", lambda: sk.TextVectorizer().set_vocabulary([1]),
         "vocabulary"),
        ("fit-text-model-on-numbers",
         lambda: sk.presets.text_classifier(num_classes=2, max_tokens=50).fit(
             X, IDS % 2, verbose=0), "x"),
        ("fit-text-model-on-one-str",
         lambda: sk.presets.text_classifier(num_classes=2, max_tokens=50).fit(
             "a b c", [0], verbose=0), "x"),
    ]
    cases += [Case("TextVectorizer", name, call, names) for name, call, names in rows]
    return cases


def _adapted_call(vectorizer: sk.TextVectorizer) -> Any:
    vectorizer.adapt(TEXTS)
    return vectorizer(TEXTS)


def load_cases() -> list[Case]:
    folder = Path(tempfile.mkdtemp(prefix="seqkit-fuzz-"))
    garbage = folder / "garbage.seqkit"
    garbage.write_bytes(b"not a zip file at all")
    empty = folder / "empty.seqkit"
    empty.write_bytes(b"")
    fifo = folder / "pipe.seqkit"
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
    rows: list[tuple[str, Any, str]] = [
        ("None", None, "path"), ("123", 123, "path"), ("bytes", b"model.seqkit", "path"),
        ("list", ["m.seqkit"], "path"), ("folder", folder, str(folder)),
        ("missing", folder / "missing.seqkit", "missing.seqkit"),
        ("garbage", garbage, "garbage.seqkit"), ("empty", empty, "empty.seqkit"),
        ("fifo", fifo, "pipe.seqkit"), ("/dev/zero", "/dev/zero", "/dev/zero"),
    ]
    return [Case("load_model", f"load_model({name})", (lambda p=path: sk.load_model(p)),
                 names) for name, path, names in rows]


def all_cases() -> list[Case]:
    """Every case, with unique ids."""
    cases = (fit_cases() + call_cases() + layer_cases() + preset_cases() + windows_cases()
             + text_cases() + load_cases())
    seen = Counter((case.group, case.id) for case in cases)
    numbered: Counter[tuple[str, str]] = Counter()
    unique = []
    for case in cases:
        key, case_id = (case.group, case.id), case.id
        if seen[key] > 1:
            numbered[key] += 1
            case_id = f"{case_id}#{numbered[key]}"
        full_id = f"{case.group}:{case_id}"
        unique.append(Case(case.group, full_id, case.call, case.names,
                           case.xfail or KNOWN.get(full_id)))
    return unique


if __name__ == "__main__":
    totals = Counter(case.group for case in all_cases())
    for group, count in totals.items():
        print(f"{group:16} {count}")
    print(f"{'total':16} {sum(totals.values())}")
