"""The Keras-style surface of ``Sequential``: compile and fit (evaluate and predict are in
``seqkit.models.inference``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytorch_lightning as pl
import torch
import torchmetrics
from pytorch_lightning.utilities.model_helpers import is_overridden

from seqkit._checks import boolean, fraction, positive_int
from seqkit.data.batch import Batch
from seqkit.data.batching import inference_loader, training_loader
from seqkit.data.contract import DataContract
from seqkit.data.datamodule import SequenceDataModule
from seqkit.data.loader import ArrayLoader
from seqkit.data.pipeline import call_data, fit_data, validation_tuple
from seqkit.errors import ConfigError, InputError, explain
from seqkit.models.batch_methods import BatchMethods
from seqkit.models.data_contract import data_contract
from seqkit.models.fit_arguments import (
    check_initial_epoch,
    keras_trainer_arguments,
    start_at_epoch,
)
from seqkit.models.fit_checks import check_compile_keywords, check_fit_call
from seqkit.models.inference import InferenceAPI
from seqkit.models.keras_weights import KerasWeights
from seqkit.saving.checkpoint_file import check_checkpoint
from seqkit.training.compile_settings import CompileSettings
from seqkit.training.faults import fit_faults, nan_guard
from seqkit.training.history import History
from seqkit.training.optimizers import OptimizerSpec
from seqkit.training.tbptt import check_truncatable
from seqkit.training.trainer import (
    make_trainer,
    quiet_lightning,
    resolve_verbose,
    user_trainer_display,
)

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["KerasAPI"]


class KerasAPI(InferenceAPI, BatchMethods, KerasWeights):
    """Mixin of ``Sequential`` with ``compile`` and ``fit`` (and, inherited, ``evaluate``,
    ``predict``, the ``*_on_batch`` methods and Keras's weight methods)."""

    def compile(
        self: Sequential,
        optimizer: OptimizerSpec = "adam",
        loss: str | Callable[..., Any] = "mse",
        metrics: Sequence[str | torchmetrics.Metric] | None = None,
        *,
        lr: float | None = None,
        weight_decay: float = 0.0,
        scheduler: str | Callable[..., Any] | None = None,
        **keras_kwargs: Any,
    ) -> Sequential:
        """Sets the optimizer, loss and metrics (checked now; unknown names suggest the
        closest valid one). Keras's ``learning_rate=`` is taken for ``lr``.

        Args:
            optimizer: ``"adam"`` (the default), ``"adamw"``, ``"sgd"``, ``"rmsprop"``,
                ``"adagrad"``, ``"nadam"``, ``"adamax"``, an optimizer class, or a factory
                ``params -> optimizer``.
            loss: ``"mse"``, ``"mae"``, ``"huber"``, ``"cross_entropy"`` (integer labels,
                logits), ``"binary_cross_entropy"`` (0/1 labels, logits), a ``torch.nn``
                loss module, or a callable ``(y_pred, y_true) -> loss``.
            metrics: torchmetrics by name (``mae``, ``mse``, ``rmse``, ``mape``, ``r2``,
                ``accuracy``, ``precision``, ``recall``, ``f1``, ``auroc``) or objects.
            lr: Learning rate (default: the optimizer's Keras default).
            weight_decay: Weight decay.
            scheduler: ``"cosine"``, ``"plateau"``, ``"exponential"`` or a callable
                ``optimizer -> scheduler``; stepped once per epoch.

        Returns:
            The model, for chaining.
        """
        lr = check_compile_keywords(keras_kwargs, lr)
        self.compile_settings = CompileSettings(
            optimizer=optimizer, loss=loss, metrics=[] if metrics is None else metrics, lr=lr,
            weight_decay=weight_decay, scheduler=scheduler,
        )
        self.reset_training_objects()
        return self

    def fit(
        self: Sequential,
        x: Any,
        y: Any = None,
        batch_size: int | None = 32,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: list[pl.Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: Mapping[Any, float] | str | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
        *,
        lengths: Any = None,
        seed: int | None = None,
        bucket_by_length: bool = False,
        tbptt_steps: int | None = None,
        stop_on_nan: bool = True,
        ckpt_path: str | None = None,
        trainer: pl.Trainer | None = None,
        **trainer_kwargs: Any,
    ) -> History:
        """Trains the model and returns its [`History`][seqkit.training.History].

        Args:
            x: Inputs ``(batch, time, features)`` (numpy, tensor, list of sequences of
                different lengths, pandas), token ids ``(batch, time)`` for an
                ``Embedding`` model, a ``DataLoader`` yielding ``(x, y)`` batches, or a
                ``LightningDataModule`` (such as
                [`SequenceDataModule`][seqkit.data.SequenceDataModule]), which then also serves the
                validation data.
            y: Targets; ``None`` when ``x`` is a ``DataLoader`` or a datamodule.
            batch_size: Samples per step (per member, for a model with an
                [`Ensemble`][seqkit.layers.Ensemble]: each member walks its own order);
                ``None`` means 32, as in Keras.
            epochs: Passes over the data.
            verbose: 0 silent, 1 a progress bar (a row per epoch), 2 one line per epoch,
                ``"auto"`` (the default): 1. Where standard output is no terminal (a file,
                a pipe, a CI log) 1 prints a line per epoch instead. With ``trainer=``,
                0 turns the Trainer's progress bar off for this fit; otherwise the
                Trainer's own display is used (a warning says so if ``verbose`` asks for
                another).
            callbacks: Lightning callbacks (e.g. ``EarlyStopping(monitor="val_loss")``, or
                any of ``seqkit.callbacks``).
            validation_split: Fraction of samples, taken from the *end* before shuffling
                (as in Keras), held out for validation.
            validation_data: ``(x_val, y_val)`` (or a ``DataLoader``) instead of a split.
            shuffle: Reshuffle the training samples every epoch.
            class_weight: ``{label: weight}`` multiplying each sample's loss, keyed by
                the labels as they are in ``y`` (``{"spam": 3.0, "ham": 1.0}`` for
                string labels, class ids for integer labels), or ``"balanced"``
                (scikit-learn's ``n / (classes * count)`` from the training labels, so
                rare classes count as much as common ones in the loss).
            sample_weight: One weight per sample.
            initial_epoch: Keras's: the epoch to start at (epochs ``initial_epoch`` to
                ``epochs - 1`` run; ``History.epoch`` and callbacks see those indices).
            steps_per_epoch: Batches per epoch (Lightning's ``limit_train_batches``); each
                epoch starts a new pass over the data, where Keras continues the last one.
            validation_steps: Validation batches per validation run
                (``limit_val_batches``).
            validation_batch_size: Samples per validation batch (default: ``batch_size``).
            validation_freq: Validate after every ``validation_freq``-th epoch, counted
                from 1 as in Keras (``check_val_every_n_epoch``); the History has
                ``val_`` values for those epochs only.
            lengths: Valid length of each padded sequence (ragged lists give them), whole
                numbers from 0: a row of length 0 (an empty sequence) is all padding, and
                its last-step output is the initial state (zeros), as Keras's masked rows.
            seed: Seeds weight initialisation and shuffling: two runs on CPU with the same
                seed give identical weights.
            bucket_by_length: Make batches of similar lengths (pools of 50 batches
                sorted by length, then the batches shuffled if ``shuffle``). For models whose
                output has no time axis each batch is cut after its longest sequence, so
                skewed lengths cost far less padding. Needs known lengths (``lengths=``,
                ragged sequences, a ``TextVectorizer``, or an ``Embedding(mask_zero=True)``).
            tbptt_steps: Truncated backpropagation through time: cut each batch into
                chunks of this many steps, carry the (detached) states from chunk to chunk
                and step the optimizer per chunk. Needs unidirectional recurrent layers
                without ``initial_state="previous"``, pooling or ``RepeatVector``.
            stop_on_nan: Stop at the first NaN or inf training loss, before that step's
                update, with a [`NonFiniteLossWarning`][seqkit.training.faults.NonFiniteLossWarning]
                naming the epoch, the step and the usual causes; the model keeps the
                weights of the last step whose loss was finite (see
                [`NonFiniteLossGuard`][seqkit.training.faults.NonFiniteLossGuard]).
                ``False`` trains on regardless (Keras's behaviour without
                ``TerminateOnNaN``).
            ckpt_path: A Lightning checkpoint to resume from (weights, optimizer,
                scheduler, epoch and History), e.g. ``ModelCheckpoint``'s ``last.ckpt``.
            trainer: A ready ``pytorch_lightning.Trainer`` to use instead of building one.
            **trainer_kwargs: Any ``Trainer`` argument (``accelerator``, ``devices``,
                ``strategy``, ``precision``, ``gradient_clip_val``, ...).

        Returns:
            The History: ``history.history["loss"]``, ``["val_loss"]``, metrics, ``lr``. It
            is also ``model.history`` (as in Keras), there even when ``fit`` raised: after
            Ctrl-C (a ``KeyboardInterrupt``, not Lightning's ``SystemExit``) it holds the
            finished epochs, and the model is in eval mode.
        """
        epochs, seed = check_fit_call(
            x, epochs=epochs, shuffle=shuffle, seed=seed, callbacks=callbacks, trainer=trainer,
            validation_split=validation_split, trainer_kwargs=trainer_kwargs, fit=self.fit)
        datamodule = x if isinstance(x, pl.LightningDataModule) else None
        if datamodule is not None:
            _check_datamodule_arguments(y, validation_data, validation_split,
                                        bucket_by_length)
        if self.pending_head is not None:
            if y is None or _is_loader(x) or datamodule is not None:
                raise ConfigError(explain(
                    "fit", expected="labels as an array or list (num_classes=None sizes the "
                    "head from them)", received=f"a {type(x).__name__}",
                    fix="pass num_classes= to the preset, fit on arrays, or build the "
                    "datamodule with SequenceDataModule(x, y, model=model)"))
            self.pending_head.attach(self, y)
            self.pending_head = None
        if self.compile_settings is None:
            self.prepare_training()  # raises NotCompiledError with the fix
        batch_size = 32 if batch_size is None else positive_int(batch_size, "batch_size", "fit")
        initial_epoch = check_initial_epoch(initial_epoch, ckpt_path)
        trainer_kwargs.update(keras_trainer_arguments(
            {"steps_per_epoch": steps_per_epoch, "validation_steps": validation_steps,
             "validation_freq": validation_freq}, trainer, trainer_kwargs))
        fraction(validation_split, "validation_split", "fit")
        check_checkpoint(ckpt_path)  # a pickle or foreign file: ModelFileError, not pickle's
        verbose_level = resolve_verbose(verbose)
        if seed is not None:  # before any lazy build: the seed also fixes the initial weights
            pl.seed_everything(seed, workers=False, verbose=False)
        if _is_loader(x) and not self.built:
            self.build_from_batch(next(iter(x)))
        if datamodule is not None and not self.built:
            datamodule.setup("fit")
            self.build_from_batch(next(iter(datamodule.train_dataloader())))

        if datamodule is None:
            train_loader, val_loader = self._fit_loaders(
                x, y, batch_size=batch_size, validation_split=validation_split,
                validation_data=validation_data, shuffle=shuffle, class_weight=class_weight,
                sample_weight=sample_weight, lengths=lengths, seed=seed,
                bucket_by_length=bucket_by_length, validation_batch_size=batch_size
                if validation_batch_size is None else positive_int(
                    validation_batch_size, "validation_batch_size", "fit"),
            )
            has_validation = val_loader is not None
            loaders = {"train_dataloaders": train_loader, "val_dataloaders": val_loader}
        else:
            has_validation = _serves_validation(datamodule)
            loaders = {"datamodule": datamodule}
        self.prepare_training()
        self._configure_tbptt(tbptt_steps, trainer_kwargs)
        self.monitor_default = "val_loss" if has_validation else "loss"
        self.history = history = History()  # Keras's model.history, partial after Ctrl-C
        guard = nan_guard(boolean(stop_on_nan, "stop_on_nan", "fit"),
                          [*(callbacks or []), *(trainer.callbacks if trainer else [])])
        with quiet_lightning(verbose_level):
            if trainer is None:
                trainer = make_trainer(epochs=epochs, verbose=verbose_level, history=history,
                                       callbacks=[*([guard] if guard else []), *(callbacks or [])],
                                       **trainer_kwargs)
                display = contextlib.nullcontext()
            else:
                trainer.callbacks.extend([history, *([guard] if guard else [])])
                display = user_trainer_display(trainer, verbose)
            start_at_epoch(trainer, initial_epoch)
            self.train()  # Lightning keeps the modes it finds (e.g. after load_model)
            try:
                with display, fit_faults(self):
                    trainer.fit(self, ckpt_path=ckpt_path, **loaders)
            finally:
                self.denormal_flush.exit()  # on_fit_end does not run after an exception
                for own in (history, guard):  # a user's Trainer gets no History per fit
                    if own is not None and own in trainer.callbacks:
                        trainer.callbacks.remove(own)
                for loader in loaders.values():
                    if isinstance(loader, ArrayLoader) and loader is not x \
                            and loader is not validation_data:
                        loader.release()  # the Trainer keeps its loaders: not the data
        return history

    def _configure_tbptt(self: Sequential, steps: int | None, trainer_kwargs: dict[str, Any]
                         ) -> None:
        self.tbptt_steps = None if steps is None else positive_int(steps, "tbptt_steps", "fit")
        self.automatic_optimization = steps is None
        # Lightning refuses gradient_clip_val with manual optimization: clip in the step.
        self.tbptt_clip = trainer_kwargs.pop("gradient_clip_val", None) if steps else None
        if steps is not None:
            check_truncatable(self)

    def _fit_loaders(self: Sequential, x: Any, y: Any, *, batch_size: int,
                     validation_split: float, validation_data: Any, shuffle: bool,
                     class_weight: Any, sample_weight: Any, lengths: Any, seed: int | None,
                     bucket_by_length: bool, validation_batch_size: int | None = None
                     ) -> tuple[Any, Any]:
        """The training and validation loaders, made by ``seqkit.data``'s pipeline."""
        contract = self.data_contract()
        val_batch = validation_batch_size or batch_size
        val_loader = None
        if _is_loader(validation_data):
            val_loader = validation_data
        if _is_loader(x):
            if bucket_by_length:
                raise ConfigError(explain(
                    "fit bucket_by_length", expected="arrays or sequences (seqkit makes "
                    "the batches)", received=f"a {type(x).__name__}",
                    fix="bucket in your own loader, or pass the arrays to fit"))
            train_loader: Any = x
        else:
            if y is None:
                raise InputError(explain("fit y", expected="targets for x", received="y=None"))
            split = validation_split if validation_data is None else 0.0
            train, held_out = fit_data(contract, x, y, lengths=lengths,
                                       sample_weight=sample_weight, class_weight=class_weight,
                                       validation_split=split)
            train_loader = training_loader(contract, train, batch_size, shuffle=shuffle,
                                           seed=seed, bucket_by_length=bucket_by_length)
            if held_out is not None:
                val_loader = self._validation_loader(contract, held_out, val_batch)
        if validation_data is not None and val_loader is None:
            val_x, val_y, val_weight = validation_tuple(validation_data)
            val_data = call_data(contract, val_x, val_y, sample_weight=val_weight)
            val_loader = self._validation_loader(contract, val_data, val_batch)
        return train_loader, val_loader

    @staticmethod
    def _validation_loader(contract: DataContract, data: Batch, batch_size: int
                           ) -> ArrayLoader:
        # Epoch means: the row order is free, so rows run in order of length.
        return inference_loader(contract, data, batch_size, by_length=True, shard=True,
                                pin_memory=torch.cuda.is_available())

    def data_contract(self: Sequential, labels: Any = None) -> DataContract:
        """This model's side of ``seqkit.data``'s input pipeline (with ``labels``, a
        preset's pending head is sized from them first).

        Examples:
            >>> import seqkit as sk
            >>> contract = sk.Sequential([sk.Embedding(50, 4), sk.GRU(2)]).data_contract()
            >>> contract.token_ids.vocab_size, contract.batch_first
            (50, True)
        """
        return data_contract(self, labels)

    def trims_batches(self: Sequential) -> bool:
        """Whether batches may be cut after their longest sequence: outputs (and so
        targets) without a time axis. Fused kernels run over the whole padded time axis.

        Examples:
            >>> import seqkit as sk
            >>> model = sk.Sequential([sk.Input((None, 3)), sk.LSTM(2, return_sequences=True)])
            >>> model.trims_batches()
            False
        """
        return len(self.output_shape) == 2


def _is_loader(data: Any) -> bool:
    return isinstance(data, torch.utils.data.DataLoader | ArrayLoader)


def _check_datamodule_arguments(y: Any, validation_data: Any, validation_split: float,
                                bucket_by_length: bool) -> None:
    """A datamodule serves targets, validation data and batches itself: refuse the
    arguments that would set them."""
    given = [name for name, value in (("y", y), ("validation_data", validation_data))
             if value is not None]
    if validation_split:
        given.append("validation_split")
    if bucket_by_length:
        given.append("bucket_by_length")
    if given:
        raise InputError(explain(
            "fit", expected="no " + ", ".join(given) + " with a LightningDataModule",
            received=", ".join(given),
            fix="the datamodule serves targets, validation data and batches: set them "
                "there (e.g. SequenceDataModule(x, y, validation_split=..., "
                "bucket_by_length=True))"))


def _serves_validation(datamodule: pl.LightningDataModule) -> bool:
    """Whether a datamodule has validation data (then ``val_loss`` is monitored)."""
    if isinstance(datamodule, SequenceDataModule):
        return datamodule.val_data is not None
    return is_overridden("val_dataloader", datamodule, pl.LightningDataModule)


