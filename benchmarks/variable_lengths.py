"""Exact length handling vs the padded, unpacked loop, for a BiLSTM over skewed lengths.

Variants (same data, same weights, one training epoch = forward + backward + Adam step per
batch of token ids, lengths 10-400 skewed towards short, padded to each batch's longest):

* ``padded``: raw PyTorch, ``nn.LSTM`` on the padded batch, unpacked. Fast but *wrong*:
  the backward direction reads the padding first, and ``output[:, -1]``-style pooling reads
  padding. It is the speed to match.
* ``packed``: raw PyTorch with ``pack_padded_sequence(enforce_sorted=False)``: exact.
* ``seqkit-pack`` / ``seqkit-gather``: a seqkit ``Embedding -> LSTM(bidirectional) ->
  Dense`` model with each of seqkit's exact strategies forced (``LENGTH_STRATEGY``).

Variants run interleaved in one process on the same device; the first epoch is a warm-up.
On CUDA, ``torch.cuda.synchronize()`` brackets every timing. Denormals are flushed to zero
for every variant alike, as seqkit's ``fit`` does on the CPU (``--keep-denormals`` to
leave torch's default). Prints median epoch seconds, min-max, the ratio to ``padded``, and
writes JSON with ``--json``. The data and the raw model are the performance suite's
(:mod:`benchmarks.suite`); its ``text`` config compares whole ``fit`` runs instead.

Usage (from the repository root)::

    python -m benchmarks.variable_lengths                 # CPU, N=256
    python -m benchmarks.variable_lengths --device cuda --samples 1024
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

import seqkit as sk
from benchmarks.suite.configs import configs_for
from benchmarks.suite.data import text_data
from benchmarks.suite.reference import TextBiLSTM
from seqkit.layers import _run_rnn

CONFIG = configs_for("cpu")["text"]  # vocab 20k, embedding 128, BiLSTM(128), lengths 10-400


def make_data(samples: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids, lengths, labels = text_data(dataclasses.replace(CONFIG, n=samples))
    return torch.from_numpy(ids), torch.from_numpy(lengths), torch.from_numpy(labels)


def seqkit_model() -> sk.Sequential:
    model = sk.Sequential([sk.Embedding(CONFIG.vocab, CONFIG.embed, mask_zero=True),
                           sk.LSTM(CONFIG.units, bidirectional=True), sk.Dense(2)])
    model.build((None, None))
    return model


def epoch_runner(model: nn.Module, forward: Callable[..., torch.Tensor], data: Any,
                 batch_size: int, device: torch.device, strategy: str | None
                 ) -> Callable[[], float]:
    ids, lengths, labels = data
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def run() -> float:
        if strategy is not None:
            _run_rnn.LENGTH_STRATEGY[device.type] = strategy
        _sync(device)
        start = time.perf_counter()
        for first in range(0, ids.shape[0], batch_size):
            batch_lengths = lengths[first:first + batch_size]
            longest = int(batch_lengths.max())  # trim each batch to its longest sequence
            batch_ids = ids[first:first + batch_size, :longest].to(device, non_blocking=True)
            logits = forward(batch_ids, batch_lengths.to(device))
            loss = nn.functional.cross_entropy(logits, labels[first:first + batch_size]
                                               .to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _sync(device)
        return time.perf_counter() - start

    return run


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=4, help="per variant, incl. warm-up")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--keep-denormals", action="store_true",
                        help="leave torch's default (denormals on) for every variant")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(not args.keep_denormals)
    device = torch.device(args.device)
    data = make_data(args.samples)
    torch.manual_seed(0)
    raw_padded = TextBiLSTM(CONFIG, packed=False).to(device)
    raw_packed = TextBiLSTM(CONFIG, packed=True).to(device)
    raw_packed.load_state_dict(raw_padded.state_dict())
    seqkit_pack, seqkit_gather = seqkit_model().to(device), seqkit_model().to(device)
    seqkit_gather.load_state_dict(seqkit_pack.state_dict())

    def seqkit_forward(model: sk.Sequential) -> Callable[..., torch.Tensor]:
        return lambda ids, lengths: model.run_blocks(ids, lengths)[0]

    runners = {
        "padded": epoch_runner(raw_padded, raw_padded, data, args.batch_size, device, None),
        "packed": epoch_runner(raw_packed, raw_packed, data, args.batch_size, device, None),
        "seqkit-pack": epoch_runner(seqkit_pack, seqkit_forward(seqkit_pack), data,
                                    args.batch_size, device, "pack"),
        "seqkit-gather": epoch_runner(seqkit_gather, seqkit_forward(seqkit_gather), data,
                                      args.batch_size, device, "gather"),
    }
    saved = dict(_run_rnn.LENGTH_STRATEGY)
    times: dict[str, list[float]] = {name: [] for name in runners}
    try:
        for _ in range(args.epochs):
            for name, run in runners.items():
                times[name].append(run())
    finally:
        _run_rnn.LENGTH_STRATEGY.update(saved)
    kept = {name: values[1:] or values for name, values in times.items()}
    base = statistics.median(kept["padded"])
    print(f"device {device} ({_device_name(device)}), torch {torch.__version__}, "
          f"N={args.samples}, batch {args.batch_size}, BiLSTM({CONFIG.units}), lengths 10-400, "
          f"denormals {'kept' if args.keep_denormals else 'flushed'}")
    print(f"{'variant':<15}{'median s/epoch':>16}{'min-max':>18}{'x padded':>10}")
    results = {}
    for name, values in kept.items():
        median = statistics.median(values)
        results[name] = {"median_s": median, "min_s": min(values), "max_s": max(values),
                         "ratio_to_padded": median / base}
        print(f"{name:<15}{median:>16.3f}{min(values):>9.3f}-{max(values):<8.3f}"
              f"{median / base:>10.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"device": _device_name(device), "torch": torch.__version__,
                       "machine": platform.platform(), "args": vars(args),
                       "results": results}, handle, indent=2)


def _device_name(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()


if __name__ == "__main__":
    main()
