"""windows(): equal to a naive loop, views not copies, every input kind, clear errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqkit.data import windows
from seqkit.errors import ConfigError, InputError, InputTypeError


def _naive(series: np.ndarray, lookback: int, horizon: int, stride: int,
           targets: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """The definition, one window at a time."""
    matrix = series[:, None] if series.ndim == 1 else series
    xs, ys = [], []
    start = 0
    while start + lookback + horizon <= len(series):
        xs.append(matrix[start:start + lookback])
        future = series[start + lookback:start + lookback + horizon]
        if series.ndim == 2:
            chosen = list(range(series.shape[1])) if targets is None else targets
            future = future[:, chosen]
            if len(chosen) == 1:
                future = future[:, 0]
        ys.append(future)
        start += stride
    return np.stack(xs), np.stack(ys)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[np.ndarray, int, int, int, list[int] | None]:
    time = draw(st.integers(1, 40))
    features = draw(st.sampled_from([None, 1, 2, 4]))
    shape = (time,) if features is None else (time, features)
    series = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) * 1.5
    lookback = draw(st.integers(1, 12))
    horizon = draw(st.integers(1, 6))
    stride = draw(st.integers(1, 5))
    targets = None
    if features is not None and draw(st.booleans()):
        targets = draw(st.lists(st.integers(0, features - 1), min_size=1, max_size=3))
    return series, lookback, horizon, stride, targets


@settings(max_examples=150, deadline=None)
@given(case=_cases())
def test_equals_a_naive_loop(case: tuple[np.ndarray, int, int, int, list[int] | None]) -> None:
    series, lookback, horizon, stride, targets = case
    if len(series) < lookback + horizon:
        with pytest.raises(InputError, match="lookback \\+ horizon"):
            windows(series, lookback, horizon, stride, targets)
        return
    x, y = windows(series, lookback, horizon, stride, targets)
    x_ref, y_ref = _naive(series, lookback, horizon, stride, targets)
    assert x.shape == x_ref.shape and y.shape == y_ref.shape
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)
    # the tensor path (unfold) gives the same windows
    xt, yt = windows(torch.from_numpy(series), lookback, horizon, stride, targets)
    np.testing.assert_array_equal(xt.numpy(), x_ref)
    np.testing.assert_array_equal(yt.numpy(), y_ref)


def test_shapes_follow_the_contract() -> None:
    series = np.zeros((100, 3), dtype=np.float32)
    assert [a.shape for a in windows(series[:, 0], 10, 4, 3)] == [(29, 10, 1), (29, 4)]
    assert [a.shape for a in windows(series, 10, 4)] == [(87, 10, 3), (87, 4, 3)]
    assert [a.shape for a in windows(series, 10, 4, targets=2)] == [(87, 10, 3), (87, 4)]
    assert [a.shape for a in windows(series, 10, 4, targets=[2])] == [(87, 10, 3), (87, 4)]
    assert [a.shape for a in windows(series, 10, 4, targets=[0, 2])] == [(87, 10, 3), (87, 4, 2)]
    assert windows(series[:, :1], 10, 4)[1].shape == (87, 4)
    assert windows(series, 10)[0].dtype == np.float32  # dtype kept


def test_numpy_windows_are_views_of_the_series() -> None:
    series = np.random.default_rng(0).normal(size=(500, 2))
    x, y = windows(series, lookback=50, horizon=5, targets=1)
    assert np.shares_memory(x, series) and np.shares_memory(y, series)
    assert x.nbytes > 10 * series.nbytes  # logically large, physically the series
    assert not x.flags.writeable  # overlapping windows must not be written through
    x1, y1 = windows(series[:, 0], lookback=50, horizon=5)
    assert np.shares_memory(x1, series) and np.shares_memory(y1, series)


def test_tensor_in_tensor_out_as_a_view() -> None:
    series = torch.arange(20.0, requires_grad=True)
    x, y = windows(series, 4, 2, stride=3)
    assert isinstance(x, torch.Tensor) and not x.requires_grad
    assert x.shape == (5, 4, 1) and y.shape == (5, 2)
    assert x.untyped_storage().data_ptr() == series.untyped_storage().data_ptr()
    assert x[4, :, 0].tolist() == [12.0, 13.0, 14.0, 15.0] and y[4].tolist() == [16.0, 17.0]


def test_lists_and_integers() -> None:
    x, y = windows([1, 2, 3, 4, 5], 2, 2)
    assert x.dtype.kind == "i"
    assert x[:, :, 0].tolist() == [[1, 2], [2, 3]] and y.tolist() == [[3, 4], [4, 5]]


class _FakeFrame:
    """Duck-typed stand-in for a DataFrame: seqkit imports no pandas."""

    def __init__(self, data: dict[str, list[float]]) -> None:
        self.columns = list(data)
        self._values = np.array(list(data.values())).T

    def to_numpy(self) -> np.ndarray:
        return self._values


def test_duck_typed_frame_targets_by_name() -> None:
    frame = _FakeFrame({"temp": [1.0, 2, 3, 4, 5], "load": [10.0, 20, 30, 40, 50]})
    x, y = windows(frame, 3, 1, targets="load")
    assert x.shape == (2, 3, 2) and y.tolist() == [[40.0], [50.0]]
    _, y2 = windows(frame, 3, 1, targets=["load", 0])
    assert y2.tolist() == [[[40.0, 4.0]], [[50.0, 5.0]]]


def test_pandas_series_and_frame() -> None:
    pd = pytest.importorskip(
        "pandas", reason="pandas is in the pandas extra: pip install -e '.[pandas]'")
    frame = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) * 2})
    x, y = windows(frame, 4, 2, targets="b")
    np.testing.assert_array_equal(x, windows(frame.to_numpy(), 4, 2)[0])
    assert y[0].tolist() == [8.0, 10.0]
    xs, ys = windows(frame["a"], 4, 2)
    assert xs.shape == (5, 4, 1) and ys[0].tolist() == [4.0, 5.0]
    with pytest.raises(InputError, match="'a', 'b'"):
        windows(frame, 4, 2, targets="c")


def test_too_short_names_both_numbers() -> None:
    with pytest.raises(InputError) as info:
        windows(np.zeros(9), lookback=8, horizon=2)
    assert "8 + 2 = 10" in str(info.value) and "received 9 time steps" in str(info.value)


@pytest.mark.parametrize("tensor", [False, True])
def test_non_finite_values_say_where(tensor: bool) -> None:
    series = np.ones((30, 2))
    series[17, 1] = np.nan
    series[20, 0] = np.inf
    data: Any = torch.from_numpy(series) if tensor else series
    expected = r"2 NaN or inf value\(s\), the first at time step 17, column 1;"
    with pytest.raises(InputError, match=expected):
        windows(data, 5)
    with pytest.raises(InputError, match="first at time step 17;"):
        windows(series[:, 1], 5)


@pytest.mark.parametrize("targets", [2, -3, [0, 5], "price", True])
def test_unknown_targets_list_the_valid_columns(targets: Any) -> None:
    with pytest.raises(InputError, match=r"column indices 0\.\.1"):
        windows(np.zeros((10, 2)), 3, targets=targets)


def test_a_one_dimensional_series_is_its_own_only_target() -> None:
    assert windows(np.arange(5.0), 2, targets=0)[1].tolist() == [[2.0], [3.0], [4.0]]
    with pytest.raises(InputError, match=r"column indices 0\.\.0"):
        windows(np.arange(5.0), 2, targets=1)


def test_empty_targets_and_negative_index() -> None:
    with pytest.raises(InputError, match="at least one column"):
        windows(np.zeros((10, 2)), 3, targets=[])
    _, y = windows(np.arange(20.0).reshape(10, 2), 3, targets=-1)
    assert y[0].tolist() == [7.0]


@pytest.mark.parametrize("arg", ["lookback", "horizon", "stride"])
@pytest.mark.parametrize("value", [0, -1, 2.0, True])
def test_bad_sizes_are_config_errors(arg: str, value: Any) -> None:
    sizes = {"lookback": 2, "horizon": 1, "stride": 1, arg: value}
    with pytest.raises(ConfigError, match=f"windows {arg}: expected a positive integer"):
        windows(np.zeros(10), **sizes)


@pytest.mark.parametrize("series", [np.zeros((4, 3, 2)), np.zeros(()), np.zeros((10, 0))])
def test_wrong_rank_is_explained(series: np.ndarray) -> None:
    with pytest.raises(InputError, match="shape \\(time,\\) or \\(time, features\\)"):
        windows(series, 2)


@pytest.mark.parametrize("series", [np.array(["a", "b", "c"]), np.ones(5, dtype=bool),
                                    torch.ones(5, dtype=torch.bool)])
def test_non_numbers_are_type_errors(series: Any) -> None:
    with pytest.raises(InputTypeError, match="numbers"):
        windows(series, 2)
