"""``dropout`` is Keras's input dropout; ``stack_dropout`` drops between stacked layers."""

from __future__ import annotations

import pytest
import torch

from seqkit.layers import GRU, LSTM, Bidirectional
from seqkit.layers._recurrent_dropout import input_dropout

X = torch.randn(6, 5, 4)
LENGTHS = torch.tensor([5, 3, 1, 5, 2, 4])


@pytest.mark.parametrize("kind", [LSTM, GRU])
def test_training_run_equals_the_kernel_on_an_input_masked_once_per_sequence(kind: type
                                                                             ) -> None:
    torch.manual_seed(0)
    layer = kind(3, dropout=0.5, return_sequences=True).train()
    layer(X)  # build
    torch.manual_seed(1)
    trained = layer(X, LENGTHS).values
    torch.manual_seed(1)
    mask = torch.empty(6, 1, 4).bernoulli_(0.5)  # the draw the layer makes: (batch, 1, in)
    reference = layer.eval()(X * mask / 0.5, LENGTHS).values
    torch.testing.assert_close(trained, reference, rtol=0, atol=0)


def test_the_mask_is_shared_by_all_time_steps_and_differs_between_sequences() -> None:
    torch.manual_seed(2)
    dropped = input_dropout(torch.ones(64, 7, 10), 0.4)
    assert torch.equal(dropped, dropped[:, :1].expand(-1, 7, -1))
    assert torch.isin(dropped, torch.tensor([0.0, 1 / 0.6])).all()  # inverted dropout
    assert not torch.equal(dropped[0], dropped[1])
    assert float((dropped == 0).float().mean()) == pytest.approx(0.4, abs=0.08)


def test_evaluation_and_zero_dropout_leave_the_input_alone() -> None:
    torch.manual_seed(3)
    layer = LSTM(3, dropout=0.5)
    layer(X)
    expected = LSTM.from_config({**layer.get_config(), "dropout": 0.0})
    expected.build((None, 5, 4))
    expected.load_state_dict(layer.state_dict())
    torch.testing.assert_close(layer.eval()(X).values, expected.eval()(X).values,
                               rtol=0, atol=0)
    torch.manual_seed(4)
    first = expected.train()(X).values
    torch.manual_seed(5)
    torch.testing.assert_close(expected(X).values, first, rtol=0, atol=0)  # no draw at 0


def test_training_changes_outputs_and_gradients_flow() -> None:
    torch.manual_seed(6)
    layer = GRU(3, dropout=0.5).train()
    out = layer(X).values
    assert not torch.allclose(out, layer.eval()(X).values)
    out.sum().backward()
    assert layer.rnn.weight_ih_l0.grad is not None


def test_bidirectional_directions_share_one_mask() -> None:
    torch.manual_seed(7)
    layer = Bidirectional(LSTM(2, dropout=0.5, return_sequences=True)).train()
    layer(X)
    torch.manual_seed(8)
    trained = layer(X).values
    torch.manual_seed(8)
    mask = torch.empty(6, 1, 4).bernoulli_(0.5)
    torch.testing.assert_close(trained, layer.eval()(X * mask * 2).values, rtol=0, atol=0)


def test_stack_dropout_is_torch_dropout_between_layers() -> None:
    layer = LSTM(3, num_layers=2, stack_dropout=0.3, dropout=0.1)
    layer(X)
    assert layer.rnn.dropout == 0.3
    assert layer.get_config()["stack_dropout"] == 0.3
    assert layer.get_config()["dropout"] == 0.1
    plain = LSTM(3, num_layers=2)
    plain(X)
    assert plain.rnn.dropout == 0.0
