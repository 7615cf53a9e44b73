"""Real 2-process DDP on CPU (gloo) of the text preset: the wide path fitted on one rank's
shard and the prior correction reach every rank, so the ranks end with one model."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from _process_group import close_process_group

import seqkit as sk

WORDS = ["good", "great", "fine", "bad", "awful", "poor", "film", "plot", "cast", "day"]


def _texts() -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for _ in range(160):
        words = rng.choice(WORDS, size=rng.integers(2, 7)).tolist()
        positive = sum(w in WORDS[:3] for w in words) >= sum(w in WORDS[3:6] for w in words)
        texts.append(" ".join(words))
        labels.append("pos" if positive else "neg")
    return texts, labels


def _rank(rank: int, port: int, queue: mp.Queue) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE="2",
                      RANK=str(rank), LOCAL_RANK=str(rank), NODE_RANK="0")
    torch.set_num_threads(1)
    texts, labels = _texts()
    model = sk.presets.text_classifier(units=4, embed_dim=4, dropout=0.0,
                                       embedding_dropout=0.0)
    model.fit(texts, labels, epochs=3, batch_size=16, validation_split=0.25, seed=0,
              verbose=0, accelerator="cpu", devices=2, strategy="ddp")
    weights = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    queue.put((rank, weights, model.predict(texts[:8], verbose=0)))
    close_process_group()


@pytest.mark.slow
def test_both_ranks_end_with_the_same_text_model() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = mp.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_rank, args=(rank, port, queue)) for rank in (0, 1)]
    for process in processes:
        process.start()
    results = sorted((queue.get(timeout=300) for _ in processes), key=lambda r: r[0])
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    (_, weights0, predicted0), (_, weights1, predicted1) = results
    wide = [name for name in weights0 if ".wide." in name]
    assert {"weight", "idf", "char_table"} <= {name.rsplit(".", 1)[1] for name in wide}
    assert np.abs(next(weights0[n] for n in wide if n.endswith(".weight"))).sum() > 0
    for name, value in weights0.items():
        np.testing.assert_array_equal(value, weights1[name], err_msg=name)
    np.testing.assert_array_equal(predicted0, predicted1)
