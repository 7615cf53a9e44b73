"""``Sequential``: a stack of seqkit blocks that is a Lightning ``LightningModule``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pytorch_lightning as pl
from torch import Tensor, nn

from seqkit._checks import boolean, input_shape_argument, iterable_of_layers, optional_text
from seqkit.data.pipeline import forward_inputs
from seqkit.errors import ConfigError, InputTypeError, NotBuiltError, explain
from seqkit.layers.base import Layer, Shape
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.input import Input
from seqkit.layers.recurrent import RecurrentLayer
from seqkit.layers.state import RecurrentState
from seqkit.models.checkpoints import CheckpointMixin
from seqkit.models.declared_input import build_first_layer, declare_input
from seqkit.models.exports import ExportMixin
from seqkit.models.keras_api import KerasAPI
from seqkit.models.steps import LightningSteps
from seqkit.models.streaming import Stream
from seqkit.models.summary import print_summary
from seqkit.preprocessing.base import Preprocessor
from seqkit.preprocessing.targets import LabelEncoder, TargetScaler
from seqkit.saving.format import register_model

__all__ = ["Sequential"]


class _NotAttachedError(RuntimeError, AttributeError):
    """Lightning's "not attached to a `Trainer`", also an ``AttributeError`` (for
    ``hasattr`` and ``inspect.getmembers``)."""


def _attached_trainer(model: pl.LightningModule) -> pl.Trainer:
    try:
        return pl.LightningModule.trainer.fget(model)  # type: ignore[attr-defined]
    except RuntimeError as error:
        raise _NotAttachedError(str(error)) from None


@register_model
class Sequential(KerasAPI, LightningSteps, CheckpointMixin, ExportMixin,
                 pl.LightningModule):
    """A linear stack of blocks, trained Keras-style or by any Lightning ``Trainer``.

    Data is batch-major: ``(batch, time, features)`` in, ``(batch, ...)`` out. Input sizes
    are inferred from the first batch (or [`build`][]).

    Args:
        layers: Blocks in order (more can be added with [`add`][]), optionally led by an
            [`Input`][seqkit.layers.Input] (builds the model at once) and host-side
            preprocessing steps (``TextVectorizer``, ``Normalization``).
        batch_first: ``False`` to accept and return ``(time, batch, features)``; the model
            converts at its boundary only.
        target_scaler: ``"standard"``, ``"minmax"`` or a ``TargetScaler``: train on scaled
            regression targets (adapted during ``fit``); metrics and ``predict`` stay in
            original units, the loss is in scaled units.
        name: Model name (shown by [`summary`][]).
        **compile_kwargs: If given, passed to [`compile`][seqkit.models.Sequential.compile]
            (``loss=``, ``metrics=``...).

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(8), sk.Dense(1)], loss="mse", metrics=["mae"])
        >>> x = np.random.rand(16, 5, 2).astype("float32"); y = x.sum(axis=(1, 2))
        >>> history = model.fit(x, y, epochs=2, verbose=0, seed=0)
        >>> model.predict(x).shape
        (16, 1)
    """

    def __init__(
        self,
        layers: Iterable[Layer | Preprocessor] | None = None,
        *,
        batch_first: bool = True,
        target_scaler: str | TargetScaler | None = None,
        name: str | None = None,
        **compile_kwargs: Any,
    ) -> None:
        super().__init__()
        self.batch_first = boolean(batch_first, "batch_first", "Sequential")
        self.model_name = optional_text(name, "name", "Sequential") or "sequential"
        self.blocks = nn.ModuleDict()
        self.preprocessing: list[Preprocessor] = []
        self.target_scaler = (TargetScaler(target_scaler) if isinstance(target_scaler, str)
                              else target_scaler)
        self.label_encoder: LabelEncoder | None = None
        self.pending_head: Any = None  # a classifier head sized by fit's labels (presets)
        self.declared_input: Input | None = None  # Keras's Input(shape), first in `layers`
        self.init_training_state()
        for layer in iterable_of_layers(layers, "layers", "Sequential"):
            self.add(layer)
        if compile_kwargs:
            self.compile(**compile_kwargs)

    # Lightning's property, with the same setter, raising an error that is also an
    # AttributeError when no Trainer is attached.
    trainer = pl.LightningModule.trainer.getter(_attached_trainer)  # type: ignore[attr-defined]

    # -- the stack ---------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The blocks, in order."""
        return list(self.blocks.values())  # type: ignore[arg-type]

    @property
    def input_layer(self) -> Layer:
        """The layer that reads the model's input: the first block, or inside an
        [`Ensemble`][seqkit.layers.Ensemble] first, its first member's first layer.

        Examples:
            >>> import seqkit as sk
            >>> model = sk.Sequential([sk.Ensemble([sk.Embedding(9, 2), sk.GRU(3)], members=2)])
            >>> type(model.input_layer).__name__
            'Embedding'
        """
        first = self.layers[0]
        while hasattr(first, "input_layer"):  # containers (Ensemble, WideAndDeep) name theirs
            first = first.input_layer
        return first

    @property
    def ensemble_members(self) -> int:
        """Members of the model's [`Ensemble`][seqkit.layers.Ensemble] (1 without one): how
        many independent batch orders each training step of ``fit`` draws.

        Examples:
            >>> import seqkit as sk
            >>> sk.Sequential([sk.Ensemble([sk.GRU(3), sk.Dense(1)], members=4)]).ensemble_members
            4
        """
        counts = {layer.member_count for layer in self.layers if isinstance(layer, Ensemble)}
        if len(counts) > 1:
            raise ConfigError(explain(
                "Sequential", expected="Ensembles with the same number of members",
                received=f"members {sorted(counts)}",
                fix="give every Ensemble of the model the same members="))
        return counts.pop() if counts else 1

    @property
    def built(self) -> bool:
        """Whether every block has its weights."""
        return bool(self.blocks) and all(layer.built for layer in self.layers)

    def add(self, layer: Layer | Preprocessor) -> None:
        """Appends a block (named ``lstm``, ``lstm_1``, ... unless it has a name).

        Preprocessing steps (``TextVectorizer``, ``Normalization``) go before every layer;
        they run on the host and adapt during ``fit``.
        """
        if isinstance(layer, Input):
            declare_input(self, layer)
            return
        if isinstance(layer, Preprocessor) and not isinstance(layer, Layer):
            if self.blocks:
                raise ConfigError(explain(
                    "Sequential.add", expected="preprocessing steps before every layer",
                    received=f"{type(layer).__name__} after {self.layers[-1].label}",
                    fix="put TextVectorizer / Normalization first in the list"))
            self.preprocessing.append(layer)
            return
        if not isinstance(layer, Layer):
            raise InputTypeError(
                explain("Sequential.add", expected="a seqkit layer (e.g. sk.LSTM(32))",
                        received=f"{type(layer).__name__}",
                        fix="wrap torch modules in a seqkit layer; see seqkit.layers")
            )
        if layer.name is None:
            layer.name = self._unique_name(_snake(type(layer).__name__))
        elif layer.name in self.blocks:
            raise ConfigError(explain("Sequential.add", expected="a unique layer name",
                                      received=f"name={layer.name!r}, already used"))
        if self.built and not layer.built:
            layer.build(self.output_shape)
        elif not self.blocks:
            build_first_layer(self, layer)  # Input(shape) or input_shape= builds at once
        self.blocks[layer.name] = layer
        self.reset_training_objects()

    def pop(self) -> Layer:
        """Removes and returns the last block."""
        if not self.blocks:
            raise ConfigError(explain("Sequential.pop", expected="a model with layers",
                                      received="an empty model"))
        name = list(self.blocks)[-1]
        layer = self.blocks[name]
        del self.blocks[name]
        self.reset_training_objects()
        return layer  # type: ignore[return-value]

    def _unique_name(self, base: str) -> str:
        name, index = base, 0
        while name in self.blocks:
            index += 1
            name = f"{base}_{index}"
        return name

    # -- shapes ------------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Creates every block's weights for inputs of ``input_shape``.

        Args:
            input_shape: With the batch axis first, e.g. ``(None, 30, 4)`` (``None`` for
                sizes that may vary); in the ``batch_first=False`` layout when the model
                uses it.
        """
        if not self.blocks:
            raise ConfigError(explain("Sequential.build", expected="a model with layers",
                                      received="an empty model", fix="add layers first"))
        shape = input_shape_argument(input_shape, "Sequential.build")
        if not self.batch_first and len(shape) >= 2:
            shape = (shape[1], shape[0], *shape[2:])
        for layer in self.layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.reset_training_objects()

    @property
    def input_shape(self) -> Shape:
        """The input shape the model was built for (batch-major)."""
        self._require_built("input_shape")
        return self.layers[0].input_shape  # type: ignore[return-value]

    @property
    def output_shape(self) -> Shape:
        """The output shape (batch-major)."""
        self._require_built("output_shape")
        shape = self.input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def __getattr__(self, name: str) -> Any:
        # A property that raises AttributeError (NotBuiltError is one) makes Python fall back
        # to nn.Module.__getattr__, whose "'Sequential' object has no attribute ..." would
        # hide the property's own message: run the property again to raise that instead.
        try:
            return super().__getattr__(name)
        except AttributeError:
            attribute = getattr(type(self), name, None)
            if isinstance(attribute, property) and attribute.fget is not None:
                return attribute.fget(self)
            raise

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise NotBuiltError(
                explain(f"Sequential.{what}", expected="a built model",
                        received="a model whose input size is still unknown",
                        fix="start the layers with sk.Input((time, features)), call "
                        "model.build((None, time, features)) or fit/predict once")
            )

    def summary(self, **console_kwargs: Any) -> None:
        """Prints a rich table: each layer's name and type, output shape and parameters."""
        print_summary(self, **console_kwargs)

    # -- forward -----------------------------------------------------------------------------
    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """Runs the stack on a batch in the model's layout (``batch_first``).

        ``x`` may also be a numpy array (or a list of sequences): it is converted as
        ``predict`` converts it (float32, or int64 ids for an ``Embedding``) and moved to the
        model's device; the result is a tensor either way. An unbuilt model builds from it.

        Examples:
            >>> import numpy as np, seqkit as sk
            >>> model = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
            >>> model(np.zeros((2, 5, 4))).shape
            torch.Size([2, 1])
        """
        if not isinstance(x, Tensor):
            x, lengths = forward_inputs(self.data_contract(), x, lengths)
            x = x.to(self.device)
            lengths = None if lengths is None else lengths.to(self.device)
        if not self.batch_first:
            x = x.transpose(0, 1)
        values, _, _ = self.run_blocks(x, lengths)
        if not self.batch_first and values.dim() >= 3:
            values = values.transpose(0, 1)
        return values

    def run_blocks(
        self,
        x: Tensor,
        lengths: Tensor | None = None,
        initial_states: Mapping[str, RecurrentState] | None = None,
        keep_states: bool = False,
    ) -> tuple[Tensor, Tensor | None, dict[str, RecurrentState]]:
        """Runs every block on a batch-major batch.

        Args:
            x: ``(batch, time, features)`` (or token ids).
            lengths: Valid lengths, or ``None``.
            initial_states: Start states by recurrent layer name (batch-major); they take
                precedence over ``initial_state="previous"`` and carried stateful states.
            keep_states: Return every recurrent layer's exact final state. Otherwise only
                states the model itself uses are computed, which lets padded batches take
                the device's faster exact path.

        Returns:
            ``(outputs, output_lengths, final_states)``: ``output_lengths`` is ``None``
            unless the output keeps a time axis with known lengths; ``final_states`` maps
            each recurrent layer's name to its final state (batch-major; only those
            computed unless ``keep_states``).
        """
        state: RecurrentState | None = None
        final_states: dict[str, RecurrentState] = {}
        needed = self._states_needed() if not keep_states else None
        for name, block in self.blocks.items():
            if isinstance(block, RecurrentLayer | Bidirectional):
                start = initial_states.get(name) if initial_states else None
                need = needed is None or name in needed
                x, lengths, state = block(x, lengths, state, start, need)
                if state is not None:
                    final_states[name] = state
            else:
                x, lengths, state = block(x, lengths, state)
        return x, lengths, final_states

    def _states_needed(self) -> set[str]:
        """Recurrent layers whose final state a later layer starts from."""
        needed: set[str] = set()
        latest: str | None = None
        for name, block in self.recurrent_layers.items():
            if latest is not None and block.core.initial_state == "previous":
                needed.add(latest)
            latest = name
        return needed

    @property
    def recurrent_layers(self) -> dict[str, RecurrentLayer | Bidirectional]:
        """The recurrent blocks by name."""
        return {name: block for name, block in self.blocks.items()
                if isinstance(block, RecurrentLayer | Bidirectional)}

    def reset_states(self) -> None:
        """Clears the carried state of every ``stateful=True`` layer."""
        for block in self.recurrent_layers.values():
            block.reset_states()

    def stream(self) -> Stream:
        """A [`Stream`][seqkit.models.streaming.Stream] feeding long sequences chunk by chunk.

        ``stream.step(chunk)`` returns the outputs for that chunk as if the whole sequence
        so far had been run at once; ``stream.reset()`` starts over.
        """
        return Stream(self)

    def get_config(self) -> dict[str, Any]:
        """The architecture: each layer's class name and config."""
        return {
            "name": self.model_name,
            "batch_first": self.batch_first,
            "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
        }


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().replace("1_d", "1d")
