"""``model(x)`` accepts numpy (and ragged lists) as ``predict`` does, and returns a tensor."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import InputTypeError

X = np.random.default_rng(0).normal(size=(4, 6, 3))  # float64, as numpy makes it


def lstm_model(**kwargs: object) -> sk.Sequential:
    torch.manual_seed(0)
    return sk.Sequential([sk.LSTM(5, return_sequences=True), sk.GRU(4), sk.Dense(2)], **kwargs)


def test_numpy_in_gives_the_tensor_result() -> None:
    model = lstm_model()
    model.build((None, 6, 3))
    out = model(X)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    torch.testing.assert_close(out, model(torch.from_numpy(X).float()), rtol=0, atol=0)
    # predict runs the same math in Lightning's predict loop (inference mode), where some
    # CPUs' BLAS picks other kernels: equal up to float32 rounding (1 ulp on AMD EPYC).
    torch.testing.assert_close(out, torch.from_numpy(model.predict(X)), rtol=1e-6, atol=1e-7)


def test_an_unbuilt_model_builds_from_numpy() -> None:
    model = lstm_model()
    out = model(X.astype(np.float32))
    assert model.built and model.input_shape == (None, 6, 3)
    torch.testing.assert_close(out, model(torch.from_numpy(X).float()), rtol=0, atol=0)


def test_numpy_with_numpy_lengths_and_a_ragged_list() -> None:
    model = lstm_model()
    model.build((None, None, 3))
    lengths = np.array([6, 2, 4, 1])
    expected = model(torch.from_numpy(X).float(), torch.from_numpy(lengths))
    torch.testing.assert_close(model(X, lengths), expected, rtol=0, atol=0)
    ragged = [X[i, :n] for i, n in enumerate(lengths)]  # padded, its lengths used
    torch.testing.assert_close(model(ragged), expected, rtol=0, atol=0)


def test_time_major_model() -> None:
    model = lstm_model(batch_first=False)
    model.build((6, None, 3))
    x = X.transpose(1, 0, 2)
    torch.testing.assert_close(model(x), model(torch.from_numpy(x).float()), rtol=0, atol=0)


def test_integer_ids_for_an_embedding() -> None:
    torch.manual_seed(0)
    model = sk.Sequential([sk.Embedding(10, 3, mask_zero=True), sk.LSTM(4)])
    ids = np.array([[3, 4, 5, 0], [9, 1, 0, 0]], dtype=np.int32)
    torch.testing.assert_close(model(ids), model(torch.from_numpy(ids).long()), rtol=0, atol=0)
    with pytest.raises(InputTypeError, match="integer token ids"):
        model(ids.astype(np.float32))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_numpy_goes_to_the_models_device() -> None:
    model = lstm_model()
    model.build((None, 6, 3))
    model.cuda()
    out = model(X)
    assert out.device.type == "cuda"
    torch.testing.assert_close(out.cpu(), model.cpu()(torch.from_numpy(X).float()))
