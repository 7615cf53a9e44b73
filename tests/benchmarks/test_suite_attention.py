"""The suite's attention config compares like with like: the hand-written
``AttentionClassifier`` (variant A) computes what seqkit's model (variant S) computes,
weights copied, on a padded batch."""

from __future__ import annotations

import numpy as np
import torch

import seqkit as sk
from benchmarks.suite.configs import configs_for, quick
from benchmarks.suite.data import text_data
from benchmarks.suite.reference import AttentionClassifier


def test_reference_model_equals_the_seqkit_model() -> None:
    config = quick(configs_for("cpu")["attention"])
    ids, lengths, _ = text_data(config)
    torch.manual_seed(0)
    reference = AttentionClassifier(config).eval()
    model = sk.Sequential([sk.Embedding(config.vocab, config.embed, mask_zero=True),
                           sk.MultiHeadAttention(config.heads, config.embed // config.heads),
                           sk.AttentionPooling1D(), sk.Dense(2)])
    model.build((None, config.steps))
    embedding, attention, pooling, dense = model.layers
    with torch.no_grad():
        embedding.embedding.weight.copy_(reference.embedding.weight)
        query, key, value = reference.attention.in_proj_weight.chunk(3)
        biases = reference.attention.in_proj_bias.chunk(3)
        for linear, weight, bias in zip((attention.query, attention.key, attention.value),
                                        (query, key, value), biases, strict=True):
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
        attention.attention_output.weight.copy_(reference.attention.out_proj.weight)
        attention.attention_output.bias.copy_(reference.attention.out_proj.bias)
        pooling.query.copy_(reference.query[:, None])
        dense.linear.weight.copy_(reference.head.weight)
        dense.linear.bias.copy_(reference.head.bias)
        expected = reference(torch.from_numpy(ids), torch.from_numpy(lengths)).numpy()
    assert (lengths < config.steps).any()  # the batch is padded
    np.testing.assert_allclose(model.predict(ids, verbose=0), expected, atol=1e-5)
