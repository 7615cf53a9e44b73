"""``Ensemble``: several copies of one stack of layers, trained independently, predicting
together.

A small model trained on little data lands somewhere different with every random start and
every order of its batches; averaging a few such models is the most reliable way to cut
that variance. ``Ensemble`` does it inside one ``Sequential``: the copies share no weights
(not even an embedding), and each trains on its own batches.

In training mode the layer splits its batch into ``members`` equal consecutive parts and
member ``k`` runs on part ``k`` only; the outputs are concatenated again, so the loss is
the mean of the members' own losses. ``fit`` (and ``SequenceDataModule(model=...)``) feed
such a model steps of ``members * batch_size`` samples, part ``k`` drawn from member
``k``'s own shuffled order, so each member sees every sample once per epoch, in an order
of its own (with the same order, the members end up much alike and the average gains
little). A loader of your own gives each member its share of every batch instead.

In evaluation mode every member sees the whole batch and the layer returns their
combined output, so ``evaluate``, ``predict`` and validation see one model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from seqkit._checks import one_of, positive_int, sequence_of_layers
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.layers._sizes import check_member_count, check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, layer_from_spec, register
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.recurrent import RecurrentLayer
from seqkit.layers.state import RecurrentState

__all__ = ["COMBINES", "Ensemble"]

COMBINES = ("mean", "softmax", "sigmoid")
"""How ``Ensemble`` combines its members: ``"mean"`` of the outputs (regression);
``"softmax"``: the log of the mean class probabilities (members output logits for
``cross_entropy``; the result is again a logit vector); ``"sigmoid"``: the logit of the
mean probability (members output one logit for ``binary_cross_entropy``)."""


@register
class Ensemble(Layer):
    """``members`` independent copies of a stack of layers whose outputs are averaged.

    Each copy is built from the layers' configs, so it starts from its own random
    weights. Members must end without a time axis (pool or take the last step first).

    Args:
        layers: The stack each member repeats (layers or their ``get_config`` dicts
            ``{"class_name": ..., "config": ...}``); the first layer reads the input
            (an ``Embedding`` makes each member own its embedding).
        members: Number of copies (at least 2).
        combine: How outputs are averaged in evaluation mode, one of [`COMBINES`][].
        member_overrides: One dict per member (or ``None``): config values that member's
            first layer takes instead of the stack's, so the members differ by design
            (e.g. each forecasts the correction to another baseline:
            ``[{"base": "seasonal_naive"}, {"base": "level"}]``).
        name: Layer name.

    Raises:
        ConfigError: For fewer than 2 members, an empty stack, an unknown ``combine``, or
            members whose output keeps a time axis, or ``member_overrides`` that are not
            one dict per member naming the first layer's config keys.

    Examples:
        >>> import torch, seqkit as sk
        >>> ensemble = sk.Ensemble([sk.GRU(8), sk.Dense(3)], members=2, combine="softmax")
        >>> x = torch.randn(4, 5, 6)
        >>> _ = ensemble.train()  # training: rows 0-1 go through member 0, 2-3 member 1
        >>> tuple(ensemble(x).values.shape)
        (4, 3)
        >>> probabilities = ensemble.eval()(x).values.exp()  # the mean class probabilities
        >>> torch.allclose(probabilities.sum(dim=1), torch.ones(4))
        True
    """

    checks_features: ClassVar[bool] = False  # each member's first layer checks its input

    def __init__(self, layers: Sequence[Layer | dict[str, Any]], members: int = 3,
                 combine: str = "mean",
                 member_overrides: Sequence[dict[str, Any]] | None = None, *,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.member_count = positive_int(members, "members", "Ensemble")
        if self.member_count < 2:
            raise ConfigError(explain("Ensemble members", expected="at least 2 copies",
                                      received=f"members={members}",
                                      fix="use the layers themselves for a single model"))
        check_member_count("Ensemble", self.member_count)
        self.combine = one_of(combine, "combine", "Ensemble", COMBINES)
        self._stack_config: list[dict[str, Any]] = [
            _layer_config(layer) for layer in sequence_of_layers(layers, "layers", "Ensemble")]
        if not self._stack_config:
            raise ConfigError(explain("Ensemble layers", expected="at least one layer",
                                      received="an empty list",
                                      fix="pass the stack each member repeats, e.g. "
                                          "[sk.GRU(32), sk.Dense(1)]"))
        self.member_overrides = _overrides(member_overrides, self.member_count,
                                           self._stack_config[0])
        self.members = nn.ModuleList(
            nn.ModuleList(layer_from_spec(spec, "Ensemble layer config")
                          for spec in self.member_specs(index))
            for index in range(self.member_count))
        self.input_ranks = self._first.input_ranks  # type: ignore[misc]
        self.rank_fix = self._first.rank_fix  # type: ignore[misc]

    @property
    def _first(self) -> Layer:
        return self.members[0][0]  # type: ignore[index,return-value]

    @property
    def input_layer(self) -> Layer:
        """The first member's first layer: what the model's input must suit."""
        return self._first

    def get_config(self) -> dict[str, Any]:
        return {"layers": [dict(spec) for spec in self._stack_config],
                "members": self.member_count, "combine": self.combine,
                "member_overrides": None if self.member_overrides is None
                else [dict(o) for o in self.member_overrides], "name": self.name}

    def member_specs(self, index: int) -> list[dict[str, Any]]:
        """The layer configs member ``index`` is built from (the stack's, with its
        ``member_overrides`` in the first one).

        Examples:
            >>> import seqkit as sk
            >>> ensemble = sk.Ensemble([sk.Dense(2), sk.Dense(1)], members=2,
            ...                        member_overrides=[{}, {"activation": "tanh"}])
            >>> [m[0].get_config()["activation"] for m in ensemble.members]
            [None, 'tanh']
        """
        specs = [dict(spec) for spec in self._stack_config]
        if self.member_overrides is not None:
            specs[0] = {"class_name": specs[0]["class_name"],
                        "config": {**specs[0]["config"], **self.member_overrides[index]}}
        return specs

    def add(self, layer: Layer) -> None:
        """Appends a copy of ``layer`` to every member (a preset's classifier head).

        Examples:
            >>> import seqkit as sk
            >>> ensemble = sk.Ensemble([sk.GRU(4)], members=2)
            >>> ensemble.add(sk.Dense(3))
            >>> [type(member[-1]).__name__ for member in ensemble.members]
            ['Dense', 'Dense']
        """
        spec = _layer_config(layer)
        self._stack_config.append(spec)
        for member in self.members:
            copy = layer_from_spec(spec, "Ensemble layer config")
            if self.built:
                copy.build(self._member_shape(member, self.input_shape))  # type: ignore[arg-type]
            member.append(copy)  # type: ignore[union-attr]
        if self.built:
            self.check_output_shape(self.compute_output_shape(self.input_shape))  # type: ignore[arg-type]

    def extra_repr(self) -> str:
        return f"members={self.member_count}, combine={self.combine!r}"  # members print below

    # -- shapes and weights ----------------------------------------------------------------
    def check_input_shape(self, input_shape: Shape) -> None:
        self._first.check_input_shape(input_shape)

    @staticmethod
    def _member_shape(member: nn.ModuleList, input_shape: Shape) -> Shape:
        shape = input_shape
        for layer in member:
            shape = layer.compute_output_shape(shape)  # type: ignore[operator]
        return shape

    def _build(self, input_shape: Shape) -> None:
        for index, member in enumerate(self.members):
            shape = input_shape
            for layer in member:  # type: ignore[union-attr]
                layer.build(shape)
                shape = layer.compute_output_shape(shape)
            if index == 0:  # before the other copies are allocated
                weights = sum(p.numel() for p in member.parameters())
                check_parameter_count(self.label, weights * self.member_count,
                                      f"members={self.member_count} x {weights:,} weights")
        self.check_output_shape(self.compute_output_shape(input_shape))

    def check_output_shape(self, output_shape: Shape) -> None:
        """Refuses member outputs that keep a time axis."""
        if len(output_shape) != 2:
            raise ConfigError(explain(
                "Ensemble members' output", expected="(batch, features): no time axis",
                received=f"shape {tuple(output_shape)}",
                fix="end the stack with a pooling layer or a recurrent layer with "
                "return_sequences=False"))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._member_shape(self.members[0], input_shape)  # type: ignore[arg-type]

    # -- forward ---------------------------------------------------------------------------
    def call(self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
             ) -> LayerOutput:
        if self.training:  # member k on part k of the batch
            parts = zip(self.members, values.tensor_split(self.member_count),
                        _split(lengths, self.member_count), strict=True)
            outputs = [_run(member, part, part_lengths)  # type: ignore[arg-type]
                       for member, part, part_lengths in parts if part.shape[0] > 0]
            return LayerOutput(torch.cat(outputs), None, state)
        outputs = [_run(member, values, lengths) for member in self.members]  # type: ignore[arg-type]
        return LayerOutput(self.combine_members(torch.stack(outputs, dim=1)), None, state)

    def combine_members(self, outputs: Tensor) -> Tensor:
        """Averages ``(batch, members, *output)`` member outputs as ``combine`` says."""
        if self.combine == "mean":
            return outputs.mean(dim=1)
        log_members = math.log(outputs.shape[1])
        if self.combine == "softmax":
            return torch.logsumexp(F.log_softmax(outputs, dim=-1), dim=1) - log_members
        # logit(mean p) = log(mean p) - log(mean (1 - p)), each a stable log-mean-exp.
        positive = torch.logsumexp(F.logsigmoid(outputs), dim=1) - log_members
        negative = torch.logsumexp(F.logsigmoid(-outputs), dim=1) - log_members
        return positive - negative


def _overrides(overrides: Sequence[dict[str, Any]] | None, members: int,
               first: dict[str, Any]) -> list[dict[str, Any]] | None:
    if overrides is None:
        return None
    keys = set(first.get("config", {}))
    if (not isinstance(overrides, list | tuple) or len(overrides) != members
            or not all(isinstance(o, dict) and set(o) <= keys - {"name"} for o in overrides)):
        raise ConfigError(explain(
            "Ensemble member_overrides", expected=f"{members} dicts (one per member) of "
            f"{first.get('class_name')} config keys ({', '.join(sorted(keys - {'name'}))})",
            received=f"member_overrides={overrides!r}"[:200],
            fix="pass e.g. [{\"base\": \"level\"}, ...] with one entry per member"))
    return [dict(o) for o in overrides]


def _split(lengths: Tensor | None, parts: int) -> tuple[Tensor | None, ...]:
    return (None,) * parts if lengths is None else lengths.tensor_split(parts)


def _run(member: nn.ModuleList, values: Tensor, lengths: Tensor | None) -> Tensor:
    """One member's output. Recurrent layers skip their final state (the faster path)."""
    state: RecurrentState | None = None
    for layer in member:
        if isinstance(layer, RecurrentLayer | Bidirectional):
            values, lengths, state = layer(values, lengths, None, None, False)
        else:
            values, lengths, state = layer(values, lengths, state)
    return values


def _layer_config(layer: Layer | dict[str, Any]) -> dict[str, Any]:
    if isinstance(layer, dict):
        return {"class_name": layer.get("class_name"), "config": dict(layer.get("config", {}))}
    if not isinstance(layer, Layer):
        raise InputTypeError(explain("Ensemble layers", expected="seqkit layers",
                                     received=f"{type(layer).__name__}",
                                     fix="pass e.g. [sk.GRU(32), sk.Dense(1)]"))
    return {"class_name": type(layer).__name__, "config": layer.get_config()}

