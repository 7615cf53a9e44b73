"""The bad-input matrix (tests/fuzz/_bad_input_cases.py): every case raises a seqkit error
whose message names the argument at fault, before any training. A builtin or torch error
escaping (``TypeError``, ``RuntimeError``, ``IndexError``...) fails the case, and so does a
call accepted silently.

Run this file to print the totals (cases, and each outcome)::

    OMP_NUM_THREADS=1 python tests/fuzz/test_bad_input_matrix.py
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from typing import Any

import pytest
from _bad_input_cases import VALID, Case, all_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seqkit as sk
from seqkit.errors import SeqkitError
from seqkit.layers.base import LAYER_REGISTRY

CASES = all_cases()


def outcome(case: Case) -> tuple[str, str]:
    """``("ok" | "escape" | "silent" | "unnamed", detail)`` of running ``case``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case.call()
    except SeqkitError as error:
        message = str(error)
        if case.names.lower() not in message.lower():
            return "unnamed", f"{type(error).__name__}: {message[:300]}"
        return "ok", type(error).__name__
    except Exception as error:  # what escapes is the finding
        return "escape", f"{type(error).__name__}: {str(error)[:300]}"
    return "silent", "accepted"


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(reason=case.xfail, strict=False)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


def test_the_matrix_has_at_least_300_cases_in_every_group() -> None:
    groups = Counter(case.group for case in CASES)
    assert sum(groups.values()) >= 300
    assert {"fit", "evaluate", "predict", "layers", "presets", "windows", "TextVectorizer",
            "load_model"} <= set(groups)
    # every registered layer (also those added later) has cases
    layer_ids = {case.id.split(":", 1)[1].split("(")[0] for case in CASES
                 if case.group == "layers"}
    takes_arguments = {name for name, cls in LAYER_REGISTRY.items()
                       if len(_arguments(cls)) > 0}
    assert takes_arguments <= layer_ids


def _arguments(cls: type) -> list[str]:
    import inspect
    return [name for name in inspect.signature(cls.__init__).parameters
            if name not in ("self", "args", "kwargs")]


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_input_is_a_seqkit_error_naming_the_argument(case: Case) -> None:
    kind, detail = outcome(case)
    assert kind == "ok", f"{kind}: {detail} (the message must name {case.names!r})"


# -- random bad values (hypothesis) -----------------------------------------------------------
_BAD_INTS = st.one_of(st.integers(max_value=0), st.floats(allow_nan=True, allow_infinity=True),
                      st.text(max_size=4), st.booleans())
_BAD_FRACTIONS = st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1.0),
                           st.just(math.nan), st.text(max_size=3))


def _seqkit_error_naming(call: Any, name: str) -> None:
    with pytest.raises(SeqkitError) as error:
        call()
    assert name in str(error.value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer=st.sampled_from(sorted(name for name in ("LSTM", "GRU", "SimpleRNN", "Dense")
                                    if name in LAYER_REGISTRY)), units=_BAD_INTS)
def test_random_bad_unit_counts(layer: str, units: Any) -> None:
    _seqkit_error_naming(lambda: LAYER_REGISTRY[layer](units), "units")


@settings(max_examples=40, deadline=None)
@given(rate=_BAD_FRACTIONS)
def test_random_bad_dropout_rates(rate: Any) -> None:
    _seqkit_error_naming(lambda: sk.Dropout(rate), "rate")
    _seqkit_error_naming(lambda: sk.LSTM(2, dropout=rate), "dropout")


@settings(max_examples=30, deadline=None)
@given(name=st.text(min_size=1, max_size=12).filter(
    lambda text: text.strip().lower() not in sk.layers.activations.ACTIVATIONS))
def test_random_unknown_activation_names(name: str) -> None:
    _seqkit_error_naming(lambda: sk.Dense(2, activation=name), "activation")


@settings(max_examples=30, deadline=None)
@given(value=st.one_of(st.integers(max_value=0), st.text(max_size=3),
                       st.floats(allow_nan=True)))
def test_random_bad_fit_batch_sizes(value: Any) -> None:
    from _bad_input_cases import X, Y, regressor
    _seqkit_error_naming(lambda: regressor().fit(X, Y, batch_size=value, verbose=0),
                         "batch_size")


def test_valid_values_cover_every_required_layer_argument() -> None:
    # _bad_input_cases.layer_cases raises a KeyError naming any required argument missing
    # from VALID: a new layer needs its valid value there.
    assert VALID


if __name__ == "__main__":
    counts: Counter[str] = Counter()
    findings = []
    for item in CASES:
        kind, detail = outcome(item)
        counts[kind] += 1
        if kind != "ok":
            findings.append(f"{kind:8} {item.id}: {detail}")
    print("\n".join(findings))
    print(f"cases {len(CASES)}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
