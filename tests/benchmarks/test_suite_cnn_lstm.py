"""The suite's CNN-LSTM config compares like with like: the hand-written ``CNNLSTM``
(variant A) computes what seqkit's model (variant S) computes, weights copied."""

from __future__ import annotations

import numpy as np
import torch

import seqkit as sk
from benchmarks.suite.configs import configs_for, quick
from benchmarks.suite.data import regression_data
from benchmarks.suite.reference import CNNLSTM


def test_reference_model_equals_the_seqkit_model() -> None:
    config = quick(configs_for("cpu")["cnn_lstm"])
    x, _ = regression_data(config)
    torch.manual_seed(0)
    reference = CNNLSTM(config).eval()
    model = sk.Sequential([sk.Conv1D(config.units, 3, padding="causal", activation="relu"),
                           sk.MaxPooling1D(2), sk.LSTM(config.units), sk.Dense(1)])
    model.build((None, config.steps, config.features))
    conv, _, lstm, dense = model.layers
    with torch.no_grad():
        conv.conv.load_state_dict(reference.conv.state_dict())
        lstm.rnn.load_state_dict(reference.lstm.state_dict())
        dense.linear.load_state_dict(reference.dense.state_dict())
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)
