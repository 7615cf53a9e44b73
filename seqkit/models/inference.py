"""``evaluate`` and ``predict`` of ``Sequential``: batched passes in eval mode, with an
optional progress display over the batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor

from seqkit._checks import boolean, positive_int
from seqkit.data.batch import Batch
from seqkit.data.batching import inference_loader
from seqkit.data.layout import to_model_layout
from seqkit.data.pipeline import call_data
from seqkit.errors import ConfigError, InputError, NotBuiltError, NotCompiledError, explain
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState
from seqkit.models._states import read_initial_states, states_for_output
from seqkit.training.batch_progress import BatchProgress, resolve_loop_verbose
from seqkit.training.losses import outputs_probabilities
from seqkit.training.metrics import predicted_classes

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["InferenceAPI"]


class InferenceAPI:
    """Mixin of ``Sequential`` with ``evaluate``, ``predict`` and ``predict_classes``."""

    def evaluate(self: Sequential, x: Any, y: Any, batch_size: int = 256,
                 verbose: int | str = "auto", sample_weight: Any = None, *,
                 lengths: Any = None, return_dict: bool = False
                 ) -> float | list[float] | dict[str, float]:
        """Loss and metrics on ``(x, y)``, on the model's device, in eval mode.

        The loss is the mean over all samples (and valid steps), computed exactly as in
        training (weights included).

        Args:
            x: Inputs, as for [`fit`][seqkit.models.Sequential.fit].
            y: Targets.
            batch_size: Samples per forward pass.
            sample_weight: One weight per sample.
            lengths: Valid length of each padded sequence.
            verbose: 0 silent; 1 a progress bar over the batches, drawn once the run has
                lasted a second (where standard output is no terminal: one closing line);
                2 one closing line such as ``8/8 - 0s - 3ms/step - loss: 0.1234``;
                ``"auto"``: 1 on a terminal, 0 otherwise.
            return_dict: Return ``{"loss": ..., "<metric>": ...}`` instead of Keras's
                default value.

        Returns:
            As Keras: the loss (a float) for a model compiled without metrics, otherwise
            ``[loss, *metrics]`` in the order of ``compile(metrics=...)``; with
            ``return_dict=True`` a dict keyed by ``"loss"`` and the metric names.

        Examples:
            >>> import numpy as np, seqkit as sk
            >>> model = sk.Sequential([sk.GRU(2), sk.Dense(1)], loss="mse", metrics=["mae"])
            >>> x, y = np.zeros((4, 3, 1), np.float32), np.zeros(4, np.float32)
            >>> loss, mae = model.evaluate(x, y, verbose=0)
            >>> sorted(model.evaluate(x, y, verbose=0, return_dict=True))
            ['loss', 'mae']
        """
        if self.compile_settings is None:
            raise NotCompiledError(explain("evaluate", expected="a compiled model",
                                           received="no compile() call",
                                           fix="call model.compile(loss=...) first"))
        if y is None:
            raise InputError(explain("evaluate y", expected="targets for x", received="y=None",
                                     fix="pass the targets: model.evaluate(x, y)"))
        shown = resolve_loop_verbose(verbose, "evaluate")
        return_dict = boolean(return_dict, "return_dict", "evaluate")
        size = positive_int(batch_size, "batch_size", "evaluate")
        contract = self.data_contract()
        data = call_data(contract, x, y, lengths=lengths, sample_weight=sample_weight)
        # Sums over all rows: their order is free, so rows run in order of length.
        loader = inference_loader(contract, data, size, by_length=True)
        del data  # the loader holds the rows until it goes
        self.prepare_training()
        metrics = {name: metric.clone().to(self.device)
                   for name, metric in self.metrics_of("test").items()}
        for metric in metrics.values():
            metric.reset()
        self.stage_metrics["eval_metrics"] = torch.nn.ModuleDict(metrics)
        self._sums.pop("eval", None)
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode(), BatchProgress(len(loader), shown) as progress:
                for batch in loader:
                    self.loss_terms(_to_device(batch, self.device), "eval")
                    progress.advance()
                total, count = self._sums.pop("eval")
                result = {"loss": float(total / count)}
                for name, metric in self.stage_metrics.pop("eval_metrics").items():
                    result[name] = float(metric.compute())
                progress.finish(result)
        finally:
            self.train(was_training)
        return keras_result(result, return_dict)

    def predict(self: Sequential, x: Any, *, batch_size: int = 256, lengths: Any = None,
                initial_state: Any = None, return_state: bool = False,
                verbose: int | str = "auto") -> Any:
        """Model outputs for ``x``, batched, in eval mode, on the model's device.

        Args:
            x: Inputs, as for [`fit`][seqkit.models.Sequential.fit].
            batch_size: Samples per forward pass (bounds memory, not results). For
                models whose output has no time axis, rows with known lengths run in
                order of length, each batch cut after its longest sequence; the results
                come back in the order of ``x``.
            lengths: Valid length of each padded sequence.
            initial_state: Start states, batch-major ``(batch, num_layers * directions,
                units)``: a dict keyed by recurrent layer name, or one state for a model
                with one recurrent layer (a ``RecurrentState``, ``(h, c)`` or ``h``).
            return_state: Also return the final states, keyed by layer name (the layers
                built with ``return_state=True``, or every recurrent layer if none is).
            verbose: As for [`evaluate`][seqkit.models.Sequential.evaluate]: 0 silent,
                1 a bar on runs longer than a second, 2 one closing line, ``"auto"`` (1 on
                a terminal, 0 otherwise).

        Returns:
            Outputs (raw: logits for classification losses), numpy for numpy (and list or
            pandas) input and a tensor on the input's device for tensor input; steps after
            each sequence's end are zero. With ``return_state``: ``(outputs, states)``.

        Examples:
            >>> import numpy as np, seqkit as sk
            >>> model = sk.Sequential([sk.GRU(2), sk.Dense(1)], loss="mse")
            >>> model.predict(np.zeros((4, 3, 1), np.float32), verbose=0).shape
            (4, 1)
        """
        shown = resolve_loop_verbose(verbose, "predict")
        step = positive_int(batch_size, "batch_size", "predict")
        boolean(return_state, "return_state", "predict")
        contract = self.data_contract()
        data = call_data(contract, x, lengths=lengths)
        starts = read_initial_states(self, initial_state, self.device)
        # Without start states, batches of neighbouring lengths, each cut after its longest:
        # results come back in the caller's order, and no sample depends on its batch.
        loader = inference_loader(contract, data, step,
                                  by_length=not starts and not return_state)
        del data
        scaler = self.target_scaler if (self.target_scaler is not None
                                        and self.target_scaler.is_adapted) else None
        was_training = self.training
        self.eval()
        output = _Output(loader.num_samples, loader.order)
        finals: list[dict[str, RecurrentState]] = []
        try:
            with torch.inference_mode(), BatchProgress(len(loader), shown) as progress:
                for start, batch in zip(range(0, loader.num_samples, step), loader,
                                        strict=True):
                    batch = _to_device(batch, self.device)
                    given = {name: _rows(state, start, start + step)
                             for name, state in starts.items()}
                    values, out_lengths, states = self.run_blocks(
                        batch.x, batch.lengths, given, keep_states=return_state)
                    if scaler is not None:
                        values = scaler.inverse(values)  # back to original units
                    output.put(start, zero_padding(values, out_lengths))
                    if return_state:
                        finals.append(states)
                    progress.advance()
                progress.finish()
        finally:
            self.train(was_training)
        as_tensor = isinstance(x, Tensor)
        result = output.values.to(x.device) if as_tensor else output.values.cpu().numpy()
        result = to_model_layout(result, self.batch_first)
        if not return_state:
            return result
        joined = {name: _cat_states([f[name] for f in finals]) for name in finals[0]}
        return result, states_for_output(self, joined, as_numpy=not as_tensor)

    def predict_classes(self: Sequential, x: Any, *, batch_size: int = 256,
                        lengths: Any = None, verbose: int | str = "auto") -> np.ndarray:
        """Predicted class of each sample: the original labels when the model was trained
        on non-numeric labels (strings...), class ids otherwise.

        One output unit means binary (logit > 0, or probability > 0.5 after a final
        sigmoid); several mean multiclass (argmax).
        ``verbose`` is [`predict`][seqkit.models.Sequential.predict]'s. A model compiled
        with a regression loss has no classes: refused with a ``ConfigError``.
        """
        settings = self.compile_settings
        if settings is not None and settings.loss_spec().task == "regression":
            raise ConfigError(explain(
                "predict_classes", expected="a classifier (compiled with a classification "
                "loss)", received=f"a model compiled with loss={_loss_name(settings.loss)}",
                fix="use predict() for a regression model's values"))
        scores = self.predict(x, batch_size=batch_size, lengths=lengths, verbose=verbose)
        probabilities = outputs_probabilities(self.layers[-1])
        ids = predicted_classes(torch.as_tensor(scores), probabilities).cpu().numpy()
        return self.label_encoder.decode(ids) if self.label_encoder is not None else ids

    def predict_proba(self: Sequential, x: Any, *, batch_size: int = 256, lengths: Any = None,
                      verbose: int | str = "auto") -> Any:
        """[`predict`][seqkit.models.Sequential.predict] under scikit-learn's name: for a
        classifier preset, one probability per class, columns in the order of
        [`classes_`][seqkit.models.Sequential.classes_]."""
        return self.predict(x, batch_size=batch_size, lengths=lengths, verbose=verbose)

    @property
    def classes_(self: Sequential) -> np.ndarray:
        """The classes, in the order of the output columns (scikit-learn's name): the
        training labels (sorted) once ``fit`` has encoded them, else ``0 .. n-1``.

        Raises:
            NotBuiltError: A model that has seen no labels and has no output size yet.
        """
        encoder = self.label_encoder
        if encoder is not None and encoder.is_adapted:
            return np.asarray(encoder.classes)
        units = self.output_shape[-1] if self.built else None
        if units is None:
            raise NotBuiltError(explain("classes_", expected="a fitted classifier",
                                        received="a model that has not seen labels",
                                        fix="fit the model first"))
        return np.arange(max(int(units), 2))


def _loss_name(loss: Any) -> str:
    return repr(loss) if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)


def keras_result(result: dict[str, float], return_dict: bool
                 ) -> float | list[float] | dict[str, float]:
    """Keras's return value of ``evaluate`` (and the ``*_on_batch`` methods): the dict,
    the loss alone when it is the only value, or the values in order (loss first).

    Examples:
        >>> keras_result({"loss": 0.5}, False), keras_result({"loss": 0.5, "mae": 0.2}, False)
        (0.5, [0.5, 0.2])
    """
    if return_dict:
        return result
    values = list(result.values())
    return values[0] if len(values) == 1 else values


class _Output:
    """``predict``'s result, allocated once at the first batch and filled batch by batch
    (in the caller's row order, also when the batches ran in order of length)."""

    def __init__(self, count: int, order: Tensor | None) -> None:
        self.count, self.order = count, order
        self._values: Tensor | None = None

    def put(self, start: int, values: Tensor) -> None:
        if self._values is None:
            self._values = values.new_empty((self.count, *values.shape[1:]))
        stop = start + values.shape[0]
        if self.order is None:
            self._values[start:stop] = values
        else:
            self._values[self.order[start:stop].to(values.device)] = values

    @property
    def values(self) -> Tensor:
        assert self._values is not None  # predict runs at least one batch
        return self._values


def _rows(state: RecurrentState, start: int, stop: int) -> RecurrentState:
    return RecurrentState(state.h[start:stop], None if state.c is None else state.c[start:stop])


def _cat_states(states: list[RecurrentState]) -> RecurrentState:
    c = None if states[0].c is None else torch.cat([s.c for s in states])  # type: ignore[misc]
    return RecurrentState(torch.cat([s.h for s in states]), c)


def _to_device(batch: Batch, device: torch.device) -> Batch:
    return Batch(*(None if t is None else t.to(device, non_blocking=True) for t in batch))
