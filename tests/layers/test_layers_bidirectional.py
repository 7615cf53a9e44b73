"""``Bidirectional`` equals ``bidirectional=True`` with the same weights; merge modes."""

from __future__ import annotations

import pytest
import torch

from seqkit.layers import GRU, LSTM, Bidirectional, RecurrentState

ATOL = 1e-10
UNITS = 4


def _pair(kind: type, return_sequences: bool, merge_mode: str = "concat",
          **kwargs: object) -> tuple[Bidirectional, LSTM | GRU]:
    """A wrapper and a ``bidirectional=True`` layer with the same weights, float64."""
    torch.manual_seed(0)
    wrapper = Bidirectional(kind(UNITS, return_sequences=return_sequences, **kwargs),
                            merge_mode=merge_mode)
    reference = kind(UNITS, return_sequences=return_sequences, bidirectional=True, **kwargs)
    wrapper.build((None, 6, 3))
    reference.build((None, 6, 3))
    torch.manual_seed(1)
    for parameter in reference.parameters():  # fresh weights, so a copy is needed to match
        torch.nn.init.normal_(parameter)
    wrapper.layer.load_state_dict(reference.state_dict())
    return wrapper.double().eval(), reference.double().eval()


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(2)
    x = torch.randn(3, 6, 3, dtype=torch.float64)
    lengths = torch.tensor([6, 2, 4])
    for i, length in enumerate(lengths.tolist()):
        x[i, length:] = float("nan")
    return x, lengths


@pytest.mark.parametrize("kind", [LSTM, GRU])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("with_lengths", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_wrapper_equals_bidirectional_flag(kind: type, return_sequences: bool,
                                           with_lengths: bool, num_layers: int) -> None:
    wrapper, reference = _pair(kind, return_sequences, num_layers=num_layers)
    x, lengths = _batch()
    if not with_lengths:
        x, lengths = torch.nan_to_num(x), None

    got, expected = wrapper(x, lengths), reference(x, lengths)

    assert wrapper.compute_output_shape((None, 6, 3)) == reference.compute_output_shape(
        (None, 6, 3))
    torch.testing.assert_close(got.values, expected.values, rtol=0, atol=ATOL)
    torch.testing.assert_close(got.state.h, expected.state.h, rtol=0, atol=ATOL)
    if kind is LSTM:
        torch.testing.assert_close(got.state.c, expected.state.c, rtol=0, atol=ATOL)
    assert (got.lengths is None) == (expected.lengths is None)
    if return_sequences and lengths is not None:
        assert torch.equal(got.lengths, lengths)


MERGES = {
    "sum": lambda forward, backward: forward + backward,
    "mul": lambda forward, backward: forward * backward,
    "ave": lambda forward, backward: (forward + backward) / 2,
}


@pytest.mark.parametrize("merge_mode", sorted(MERGES))
@pytest.mark.parametrize("kind", [LSTM, GRU])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_merge_modes_equal_manual_merge_of_concat(merge_mode: str, kind: type,
                                                  return_sequences: bool) -> None:
    merged_layer, _ = _pair(kind, return_sequences, merge_mode=merge_mode)
    concat_layer, _ = _pair(kind, return_sequences, merge_mode="concat")
    x, lengths = _batch()

    merged = merged_layer(x, lengths)
    concat = concat_layer(x, lengths).values
    expected = MERGES[merge_mode](concat[..., :UNITS], concat[..., UNITS:])

    assert merged.values.shape == expected.shape
    assert merged_layer.compute_output_shape((None, 6, 3))[-1] == UNITS
    torch.testing.assert_close(merged.values, expected, rtol=0, atol=ATOL)
    if return_sequences:  # padding stays zero after merging
        assert torch.equal(merged.values[1, 2:], torch.zeros_like(merged.values[1, 2:]))


def test_wrapper_accepts_initial_state_previous() -> None:
    wrapper, reference = _pair(LSTM, True, initial_state="previous")
    x, _ = _batch()
    x = torch.nan_to_num(x)
    state = RecurrentState(torch.randn(3, 2, UNITS, dtype=torch.float64),
                           torch.randn(3, 2, UNITS, dtype=torch.float64))
    got, expected = wrapper(x, None, state), reference(x, None, state)
    torch.testing.assert_close(got.values, expected.values, rtol=0, atol=ATOL)


def test_wrapper_from_config_dict_matches_instance() -> None:
    inner = GRU(3, num_layers=2, return_sequences=True, name="encoder")
    from_instance = Bidirectional(inner, merge_mode="ave")
    from_dict = Bidirectional({"class_name": "GRU", "config": inner.get_config()},
                              merge_mode="ave")
    assert from_dict.get_config() == from_instance.get_config()
    assert from_dict.layer.get_config() == {**inner.get_config(), "bidirectional": True}
    # the user's layer is left as it was
    assert inner.bidirectional is False and not inner.built
