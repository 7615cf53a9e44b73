"""``Ensemble``: independent copies, each trained on its own loss, combined at prediction."""

from __future__ import annotations

import math

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

import seqkit as sk
from seqkit.errors import ConfigError, InputTypeError
from seqkit.layers import Ensemble


def _each_member(ensemble: Ensemble, x: torch.Tensor) -> torch.Tensor:
    """``(batch, members, *output)``: every member run alone on all of ``x``."""
    outputs = []
    with torch.no_grad():
        for member in ensemble.members:
            values = x
            for layer in member:
                values = layer(values).values
            outputs.append(values)
    return torch.stack(outputs, dim=1)


@pytest.mark.parametrize("combine", ["mean", "softmax", "sigmoid"])
def test_prediction_combines_the_members_output(combine: str) -> None:
    torch.manual_seed(0)
    outputs = 1 if combine == "sigmoid" else 3
    ensemble = Ensemble([sk.LSTM(4), sk.Dense(outputs)], members=4, combine=combine).eval()
    x = torch.randn(5, 6, 2)
    combined = ensemble(x).values
    members = _each_member(ensemble, x)

    assert combined.shape == (5, outputs)
    if combine == "mean":
        expected = members.mean(dim=1)
    elif combine == "softmax":
        expected = members.softmax(dim=-1).mean(dim=1).log()
    else:
        expected = torch.logit(members.sigmoid().mean(dim=1))
    torch.testing.assert_close(combined, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("rows", [6, 7, 2])
def test_in_training_member_k_runs_on_part_k_of_the_batch(rows: int) -> None:
    torch.manual_seed(0)
    ensemble = Ensemble([sk.GRU(4), sk.Dense(2)], members=3)
    x = torch.randn(rows, 5, 3)
    got = ensemble.train()(x).values
    alone = _each_member(ensemble, x)
    expected = torch.cat([alone[part, k] for k, part in
                          enumerate(torch.arange(rows).tensor_split(3))])
    assert got.shape == (rows, 2)
    torch.testing.assert_close(got, expected)


def test_combining_stays_finite_for_extreme_logits() -> None:
    ensemble = Ensemble([sk.Dense(1)], members=2, combine="sigmoid")
    huge = torch.tensor([[[200.0], [-200.0]], [[200.0], [190.0]]])
    combined = ensemble.combine_members(huge)
    assert torch.isfinite(combined).all()
    assert abs(float(combined[0, 0])) < 1e-4  # p = (1 + 0) / 2: logit 0
    softmax = Ensemble([sk.Dense(2)], members=2, combine="softmax")
    logits = torch.tensor([[[300.0, -300.0], [-300.0, 300.0]]])
    torch.testing.assert_close(softmax.combine_members(logits),
                               torch.full((1, 2), -math.log(2.0)))


def _solo_copy(ensemble_model: sk.Sequential, index: int, lr: float) -> sk.Sequential:
    """A one-model Sequential with the weights member ``index`` has now."""
    member = ensemble_model.layers[0].members[index]
    alone = sk.Sequential([sk.GRU(5), sk.Dense(3)], loss="cross_entropy", optimizer="sgd",
                          lr=lr)
    alone.build((None, 6, 3))
    for mine, theirs in zip(alone.layers, member, strict=True):
        mine.load_state_dict(theirs.state_dict())
    return alone


@pytest.mark.parametrize("shuffle", [False, True])
def test_members_train_independently_each_in_its_own_order(shuffle: bool) -> None:
    """Plain SGD on the ensemble equals each member trained alone: the mean over a step's
    parts divides each member's gradient by the number of members, so the ensemble's
    learning rate is that many times larger. Member 0 walks the order a single model
    gets from the same seed; the other members walk orders of their own."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 6, 3)).astype(np.float32)
    y = rng.integers(0, 3, size=48)
    members, lr = 3, 0.3
    torch.manual_seed(0)
    model = sk.Sequential([Ensemble([sk.GRU(5), sk.Dense(3)], members=members)],
                          loss="cross_entropy", optimizer="sgd", lr=lr * members)
    model.build((None, 6, 3))
    solos = [_solo_copy(model, index, lr) for index in range(members)]

    model.fit(x, y, epochs=2, batch_size=16, shuffle=shuffle, seed=5, verbose=0)

    for index, solo in enumerate(solos):
        solo.fit(x, y, epochs=2, batch_size=16, shuffle=shuffle, seed=5, verbose=0)
        trained = list(model.layers[0].members[index].parameters())
        same = all(torch.allclose(a, b, rtol=1e-5, atol=1e-6)
                   for a, b in zip(trained, solo.parameters(), strict=True))
        # Unshuffled, every member sees the single model's batches; shuffled, only
        # member 0 (the others train on the same samples in other orders).
        assert same == (index == 0 or not shuffle), index


class _TrainingRows(pl.Callback):
    def __init__(self) -> None:
        self.rows: list[int] = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self.rows.append(int(batch.x.shape[0]))


@pytest.mark.parametrize("validation", ["none", "arrays", "loader"])
def test_fit_gives_each_member_a_batch_per_step_whatever_the_validation(
        validation: str) -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4, 2)).astype(np.float32)
    y = rng.normal(size=40).astype(np.float32)
    validation_data = {
        "none": None, "arrays": (x[:8], y[:8]),
        "loader": torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.from_numpy(x[:8]), torch.from_numpy(y[:8])),
            batch_size=4)}[validation]
    model = sk.Sequential([Ensemble([sk.GRU(3), sk.Dense(1)], members=3)], loss="mse")
    rows = _TrainingRows()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, seed=0, callbacks=[rows],
              validation_data=validation_data)
    assert rows.rows == [48, 48, 24]  # 16 (then 8) samples for each of the 3 members


def test_training_loss_is_the_mean_member_loss_and_validation_the_ensembles() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 5, 2)).astype(np.float32)
    y = rng.integers(0, 2, size=32)
    model = sk.Sequential([Ensemble([sk.LSTM(4), sk.Dense(2)], members=2, combine="softmax")],
                          loss="cross_entropy", metrics=["accuracy"], optimizer="sgd", lr=1e-12)
    history = model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0,
                        validation_data=(x, y)).history  # lr 1e-12: the weights stay put

    ensemble = model.layers[0]
    members = _each_member(ensemble, torch.from_numpy(x))
    target = torch.from_numpy(y).long()
    member_loss = torch.stack([torch.nn.functional.cross_entropy(members[:, k], target)
                               for k in range(2)]).mean()
    member_accuracy = (members.argmax(dim=-1) == target[:, None]).float().mean()
    combined = ensemble.combine_members(members)
    ensemble_loss = torch.nn.functional.cross_entropy(combined, target)
    ensemble_accuracy = (combined.argmax(dim=1) == target).float().mean()
    assert history["loss"][0] == pytest.approx(float(member_loss), rel=1e-5)
    assert history["accuracy"][0] == pytest.approx(float(member_accuracy))
    assert history["val_loss"][0] == pytest.approx(float(ensemble_loss), rel=1e-5)
    assert history["val_accuracy"][0] == pytest.approx(float(ensemble_accuracy))


def test_members_that_start_with_an_embedding_read_token_ids_and_skip_padding() -> None:
    rng = np.random.default_rng(2)
    ids = rng.integers(1, 30, size=(12, 9))
    for row, length in enumerate(rng.integers(2, 10, size=12)):
        ids[row, length:] = 0
    model = sk.Sequential([Ensemble([sk.Embedding(30, 4, mask_zero=True), sk.GRU(6),
                                     sk.Dense(1)], members=2)], loss="mse")
    model.fit(ids, rng.normal(size=12), epochs=1, verbose=0)

    together = model.predict(ids)
    alone = np.concatenate([model.predict(row[None, : max(1, int((row > 0).sum()))])
                            for row in ids])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
    with pytest.raises(sk.errors.InputTypeError, match="integer token ids"):
        model.predict(ids.astype(np.float32))


def test_saved_ensemble_loads_with_identical_predictions(tmp_path) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20, 4, 2)).astype(np.float32)
    model = sk.Sequential([Ensemble([sk.LSTM(3), sk.Dropout(0.5), sk.Dense(1)], members=2)],
                          loss="mse")
    model.fit(x, x.sum(axis=(1, 2)), epochs=1, verbose=0, seed=0)
    loaded = sk.load_model(model.save(tmp_path / "ensemble"))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_member_overrides_make_members_differ_and_are_saved(tmp_path) -> None:
    x = np.random.default_rng(5).normal(size=(6, 8, 1)).astype(np.float32) + 20
    stack = [sk.WindowNormalization([sk.LSTM(2), sk.Dense(1, kernel_initializer="zeros")],
                                    season_length=4)]
    model = sk.Sequential([Ensemble(stack, members=2, member_overrides=[
        {"base": "seasonal_naive"}, {"base": "level"}])])
    # Zero outputs: member 0 answers seasonal naive, member 1 the level; the mean of both.
    expected = (x[:, 4, 0] + x[:, 4:, 0].mean(axis=1)) / 2
    np.testing.assert_allclose(model.predict(x)[:, 0], expected, rtol=1e-6)
    assert [m[0].base_kind for m in model.layers[0].members] == ["seasonal_naive", "level"]
    loaded = sk.load_model(model.save(tmp_path / "overrides"))
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_head_added_after_build_is_built_in_every_member() -> None:
    ensemble = Ensemble([sk.GRU(4)], members=2)
    ensemble.build((None, 5, 3))
    ensemble.add(sk.Dense(2))
    assert all(member[-1].built and member[-1].input_shape == (None, 4)
               for member in ensemble.members)
    assert ensemble.compute_output_shape((None, 5, 3)) == (None, 2)
    assert ensemble.eval()(torch.randn(3, 5, 3)).values.shape == (3, 2)


def test_traced_ensemble_predicts_as_the_model(tmp_path) -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 4, 2)).astype(np.float32)
    model = sk.Sequential([Ensemble([sk.GRU(3), sk.Dense(2)], members=2, combine="softmax")],
                          loss="cross_entropy")
    model.fit(x, rng.integers(0, 2, size=10), epochs=1, verbose=0, seed=0)
    model.to_torchscript(tmp_path / "ensemble.pt")
    traced = torch.jit.load(tmp_path / "ensemble.pt")
    with torch.no_grad():
        np.testing.assert_allclose(traced(torch.from_numpy(x)).numpy(), model.predict(x),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"layers": [sk.Dense(1)], "members": 1}, ConfigError, "at least 2 copies"),
    ({"layers": [], "members": 2}, ConfigError, "at least one layer"),
    ({"layers": [sk.Dense(1)], "combine": "median"}, ConfigError, "combine"),
    ({"layers": [torch.nn.Linear(2, 1)]}, InputTypeError, "seqkit layers"),
    ({"layers": [sk.Dense(1)], "members": 2, "member_overrides": [{}]}, ConfigError,
     "2 dicts"),
    ({"layers": [sk.Dense(1)], "members": 2, "member_overrides": [{}, {"color": 1}]},
     ConfigError, "Dense config keys"),
])
def test_bad_configs_are_refused(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Ensemble(**kwargs)


def test_a_model_s_ensembles_must_agree_on_members() -> None:
    model = sk.Sequential([Ensemble([sk.GRU(3)], members=2), sk.Dense(4),
                           Ensemble([sk.Dense(1)], members=3)], loss="mse")
    with pytest.raises(ConfigError, match="same number of members"):
        model.fit(np.zeros((4, 3, 2), np.float32), np.zeros(4), verbose=0)


def test_members_must_end_without_a_time_axis() -> None:
    ensemble = Ensemble([sk.LSTM(3, return_sequences=True)], members=2)
    with pytest.raises(ConfigError, match="no time axis"):
        ensemble.build((None, 5, 2))
