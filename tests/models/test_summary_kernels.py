"""`sk.kernel_paths` and the summary's Kernel column against what a model's forward runs."""

from __future__ import annotations

import io

import pytest
import torch
from rich.console import Console
from torch.profiler import ProfilerActivity, profile

import seqkit as sk
from seqkit.layers import kernels
from seqkit.layers.kernels import KernelPath
from seqkit.models.summary import summary_table

ONEDNN_OP = "aten::mkldnn_rnn_layer"
PACK_OP = "aten::_pack_padded_sequence"
needs_onednn = pytest.mark.skipif(not torch.backends.mkldnn.is_available(),
                                  reason="this torch has no oneDNN")


def text_model() -> sk.Sequential:
    torch.manual_seed(0)
    model = sk.Sequential([sk.Embedding(30, 4, mask_zero=True), sk.LSTM(5), sk.Dense(1)])
    model.build((None, None))
    return model


def padded_ids() -> torch.Tensor:
    ids = torch.randint(1, 30, (3, 6))
    ids[1, 2:] = 0
    ids[2, 4:] = 0
    return ids


def forward_ops(model: sk.Sequential, ids: torch.Tensor) -> set[str]:
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model(ids).sum().backward()
    return {event.key for event in prof.key_averages()}


def rendered(model: sk.Sequential) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(summary_table(model))
    return console.export_text()


@needs_onednn
def test_report_matches_the_forward_pass_of_a_padded_text_model() -> None:
    model = text_model()
    assert sk.kernel_paths(model) == {"lstm": KernelPath("cpu", "oneDNN", "gathered",
                                                         "oneDNN")}
    ops = forward_ops(model, padded_ids())
    assert ONEDNN_OP in ops and PACK_OP not in ops
    assert "oneDNN" in rendered(model)

    with torch.backends.mkldnn.flags(enabled=False):
        assert sk.kernel_paths(model)["lstm"].kernel == "native"
        assert ONEDNN_OP not in forward_ops(model, padded_ids())
        text = rendered(model)
        assert "native" in text and "oneDNN" not in text


def test_a_state_read_by_the_next_layer_is_packed_as_reported() -> None:
    model = sk.Sequential([sk.Embedding(30, 4, mask_zero=True),
                           sk.GRU(5, return_sequences=True),
                           sk.GRU(5, initial_state="previous"), sk.Dense(1)])
    model.build((None, None))
    paths = sk.kernel_paths(model)
    assert (paths["gru"].padded, paths["gru_1"].padded) == ("packed", "gathered")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model(padded_ids())
    packs = [event for event in prof.events() if event.name == PACK_OP]
    assert len(packs) == 1  # the first GRU only


def test_return_state_packs() -> None:  # kernel_paths' docstring: every state computed
    model = text_model()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model.predict(padded_ids().numpy(), return_state=True)
    assert PACK_OP in {event.key for event in prof.key_averages()}


def test_ensemble_and_wrapper_entries() -> None:
    model = sk.Sequential([sk.Bidirectional(sk.LSTM(3, return_sequences=True), name="bi"),
                           sk.Ensemble([sk.GRU(2, name="gru"), sk.Dense(1)], members=2)])
    model.build((None, 7, 3))
    paths = sk.kernel_paths(model)
    assert list(paths) == ["bi", "ensemble.gru"]
    assert paths["ensemble.gru"].kernel == "native"  # no oneDNN GRU in PyTorch
    table = rendered(model)
    assert table.count("gathered") == 2


def test_cuda_wording_in_the_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernels, "cudnn_usable", lambda dtype, device: True)
    model = text_model()
    assert sk.kernel_paths(model, device="cuda") == {
        "lstm": KernelPath("cuda", "cuDNN", "gathered", "cuDNN")}


def test_summary_stays_within_80_columns() -> None:
    model = sk.presets.text_classifier()
    model.fit(["a b c d e f", "x y"], [0, 1], epochs=1, verbose=0)
    text = rendered(model)
    assert "Kernel" in text and "gathered" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_no_kernel_column_without_recurrent_layers() -> None:
    model = sk.Sequential([sk.Dense(2)])
    model.build((None, 3))
    assert sk.kernel_paths(model) == {}
    assert "Kernel" not in rendered(model)
