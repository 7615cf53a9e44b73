"""Real 2-process DDP on CPU (gloo) of the text preset: the wide path fitted on one rank's
shard and the prior correction reach every rank, so the ranks end with one model."""

from __future__ import annotations

import numpy as np
import pytest
import torch.multiprocessing as mp
from _process_group import close_process_group, join_group, run_two_ranks

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
    join_group(rank, port)
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
    results = run_two_ranks(_rank)
    (_, weights0, predicted0), (_, weights1, predicted1) = results
    wide = [name for name in weights0 if ".wide." in name]
    assert {"weight", "idf", "char_table"} <= {name.rsplit(".", 1)[1] for name in wide}
    assert np.abs(next(weights0[n] for n in wide if n.endswith(".weight"))).sum() > 0
    for name, value in weights0.items():
        np.testing.assert_array_equal(value, weights1[name], err_msg=name)
    np.testing.assert_array_equal(predicted0, predicted1)
