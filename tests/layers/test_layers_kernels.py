"""Kernel reports of recurrent layers against what the CPU profiler sees them run."""

from __future__ import annotations

import pytest
import torch
from torch.profiler import ProfilerActivity, profile

import seqkit as sk
from seqkit.layers import _run_rnn, kernels
from seqkit.layers.kernels import KernelPath, kernel_name, padded_handling

ONEDNN_OP = "aten::mkldnn_rnn_layer"
PACK_OP = "aten::_pack_padded_sequence"
LENGTHS = torch.tensor([7, 3, 5, 1])


def ops_of(run) -> set[str]:  # type: ignore[no-untyped-def]
    """The ATen ops a call runs, forward and backward."""
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run()
    return {event.key for event in prof.key_averages()}


def run_layer(layer: sk.layers.RecurrentLayer | sk.Bidirectional, lengths: torch.Tensor | None,
              need_state: bool) -> set[str]:
    x = torch.randn(4, 7, 3, dtype=next(layer.parameters()).dtype)
    return ops_of(lambda: layer(x, lengths, need_state=need_state).values.sum().backward())


def built(layer: sk.layers.RecurrentLayer | sk.Bidirectional
          ) -> sk.layers.RecurrentLayer | sk.Bidirectional:
    layer.build((None, 7, 3))
    return layer


needs_onednn = pytest.mark.skipif(not torch.backends.mkldnn.is_available(),
                                  reason="this torch has no oneDNN")


@needs_onednn
@pytest.mark.parametrize("wrapper", [False, True])
@pytest.mark.parametrize("need_state", [False, True])
def test_lstm_report_matches_the_profiler(wrapper: bool, need_state: bool) -> None:
    torch.manual_seed(0)
    layer = built(sk.Bidirectional(sk.LSTM(4)) if wrapper else sk.LSTM(4, bidirectional=True))
    path = layer.kernel_path(need_state)
    assert path == KernelPath("cpu", "oneDNN", "packed" if need_state else "gathered",
                              "native" if need_state else "oneDNN")

    dense = run_layer(layer, None, need_state)
    assert ONEDNN_OP in dense and PACK_OP not in dense

    padded = run_layer(layer, LENGTHS, need_state)
    assert (PACK_OP in padded) == (path.padded == "packed")
    assert (ONEDNN_OP in padded) == (path.padded_kernel == "oneDNN")


@needs_onednn
def test_disabling_onednn_changes_report_and_run() -> None:
    layer = built(sk.LSTM(4))
    assert layer.kernel_path().kernel == "oneDNN"
    with torch.backends.mkldnn.flags(enabled=False):
        path = layer.kernel_path()
        assert (path.kernel, path.padded_kernel) == ("native", "native")
        assert ONEDNN_OP not in run_layer(layer, None, False)
        assert ONEDNN_OP not in run_layer(layer, LENGTHS, False)
    assert ONEDNN_OP in run_layer(layer, None, False)


@pytest.mark.parametrize("layer", [sk.GRU(4), sk.LSTM(4)], ids=["gru", "lstm_float64"])
def test_native_kernels_on_cpu(layer: sk.layers.RecurrentLayer) -> None:
    # PyTorch has no oneDNN GRU, nor a float64 oneDNN LSTM: both loop in C++.
    built(layer)
    if isinstance(layer, sk.LSTM):
        layer.double()
    path = layer.kernel_path()
    assert (path.kernel, path.padded, path.padded_kernel) == ("native", "gathered", "native")
    assert ONEDNN_OP not in run_layer(layer, None, False) | run_layer(layer, LENGTHS, False)


def test_stateful_layer_packs_like_it_reports() -> None:
    layer = built(sk.GRU(4, stateful=True))
    assert layer.kernel_path(need_state=False).padded == "packed"
    assert PACK_OP in run_layer(layer, LENGTHS, need_state=False)


def test_report_follows_the_length_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    # One decision for both: forcing packing on CPU changes report and run together.
    layer = built(sk.GRU(4))
    assert PACK_OP not in run_layer(layer, LENGTHS, False)
    monkeypatch.setitem(_run_rnn.LENGTH_STRATEGY, "cpu", "pack")
    assert layer.kernel_path().padded == "packed"
    assert PACK_OP in run_layer(layer, LENGTHS, False)


def test_unbuilt_layer_reports_the_default_device_and_dtype() -> None:
    path = sk.LSTM(3).kernel_path()
    assert path.device == "cpu" and path.padded == "gathered"
    assert path.kernel == kernel_name(torch.nn.LSTM, torch.device("cpu"), torch.float32, False)


@pytest.mark.parametrize("usable", [True, False])
def test_cuda_wording(usable: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # No GPU here: the one place that decides whether cuDNN runs is patched.
    monkeypatch.setattr(kernels, "cudnn_usable", lambda dtype, device: usable)
    kernel = "cuDNN" if usable else "native"
    for cell in (sk.LSTM(4), sk.GRU(4)):
        assert cell.kernel_path(device="cuda:0") == KernelPath("cuda:0", kernel, "gathered",
                                                                kernel)
        assert cell.kernel_path(True, "cuda:0") == KernelPath("cuda:0", kernel, "packed",
                                                               kernel)


def test_cudnn_usable_follows_torch_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.backends.cudnn, "is_available", lambda: True)
    assert kernels.cudnn_usable(torch.float32, cuda)
    assert not kernels.cudnn_usable(torch.float32, torch.device("cpu"))
    assert not kernels.cudnn_usable(torch.int64, cuda)
    with torch.backends.cudnn.flags(enabled=False):
        assert not kernels.cudnn_usable(torch.float32, cuda)


def test_padded_handling_by_device() -> None:
    assert padded_handling(torch.device("cuda"), need_state=False) == "gathered"
    assert padded_handling(torch.device("mps"), need_state=False) == "packed"  # unlisted
    assert padded_handling(torch.device("cpu"), need_state=True) == "packed"
