"""The Lightning side of ``Sequential``: steps, epoch-end logging, optimizers, lazy setup.

Per step, losses and metrics only *accumulate on the device*; they are read (and logged)
once per epoch. Per-step ``self.log`` costs ~0.4 ms, as much as a small model's step.

A small model's whole step takes a few milliseconds on CPU, so the per-step path avoids
even microsecond costs: see ``python -m benchmarks`` for the ratio to a hand-written
PyTorch loop.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from seqkit.data.batch import Batch, as_batch
from seqkit.data.layout import from_model_layout, model_input_shape
from seqkit.data.pipeline import data_input_shape
from seqkit.data.transform import BatchTransform
from seqkit.errors import InputError, NotBuiltError, NotCompiledError, explain
from seqkit.layers.pooling import valid_mask
from seqkit.training.compile_settings import CompileSettings
from seqkit.training.denormals import DenormalFlush
from seqkit.training.losses import LossSpec, outputs_probabilities, reduce_loss
from seqkit.training.metrics import update_metrics
from seqkit.training.optimizers import make_optimizer, make_scheduler, step_schedulers
from seqkit.training.tbptt import run_truncated

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["LightningSteps"]

_PREFIX = {"train": "", "val": "val_", "test": "test_"}


class LightningSteps:
    """Mixin of ``Sequential`` holding its ``LightningModule`` hooks."""

    compile_settings: CompileSettings | None
    stage_metrics: nn.ModuleDict

    def init_training_state(self: Sequential) -> None:
        self.compile_settings = None
        self.stage_metrics = nn.ModuleDict()
        self.monitor_default = "loss"
        self._loss_spec: LossSpec | None = None
        # Per stage: [weighted loss sum (a device tensor), element count (a host number, or a
        # device tensor once padding masks or weights made it data-dependent)].
        self._sums: dict[str, list[Any]] = {}
        self._train_epoch_logged = -1
        self.tbptt_steps: int | None = None  # set by fit(tbptt_steps=...)
        self.tbptt_clip: float | None = None
        self.denormal_flush = DenormalFlush()

    def reset_training_objects(self: Sequential) -> None:
        """Drops metric objects (rebuilt for the current output size when needed)."""
        self.stage_metrics = nn.ModuleDict()

    def prepare_training(self: Sequential) -> None:
        """Creates loss and metric objects once the model is built and compiled."""
        if self.compile_settings is None:
            raise NotCompiledError(
                explain("training", expected="a compiled model", received="no compile() call",
                        fix="call model.compile(loss=..., metrics=[...]) or use a preset")
            )
        self._require_built("training")
        # Decided once from the last layer: a final sigmoid/softmax means probabilities.
        self._loss_spec = self.compile_settings.loss_spec(outputs_probabilities(self.layers[-1]))
        if not self.stage_metrics:
            classes = int(self.output_shape[-1] or 1)
            self.stage_metrics = nn.ModuleDict({
                _key(stage): nn.ModuleDict(self.compile_settings.make_metrics(classes))
                for stage in _PREFIX
            }).to(self.device)

    def metrics_of(self: Sequential, stage: str) -> nn.ModuleDict:
        """The metric objects of a stage (``train``, ``val``, ``test``, ``eval``)."""
        # Read `_modules` directly: runs every step, and ModuleDict's `in` + `[]` cost ~3 us.
        metrics = self.stage_metrics._modules.get(_key(stage))
        return nn.ModuleDict() if metrics is None else metrics  # type: ignore[return-value]

    def __setattr__(self, name: str, value: Any) -> None:
        # Lightning sets `_current_fx_name` around every hook call, ~40 times per training
        # step; `nn.Module.__setattr__` spends ~1.5 us on each looking for parameters,
        # modules and buffers, which a hook's name never is.
        if name == "_current_fx_name":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    # -- one step ----------------------------------------------------------------------------
    def loss_terms(self: Sequential, batch: Batch, stage: str | None
                   ) -> tuple[Tensor, Tensor | int]:
        """Forward pass, then ``(weighted loss sum, element count)`` of a batch.

        With ``stage`` set, also updates that stage's metrics and loss accumulators.
        """
        y_pred, lengths, _ = self.run_blocks(batch.x, batch.lengths)
        return self.score(y_pred, lengths, batch, stage)

    def score(self: Sequential, y_pred: Tensor, lengths: Tensor | None, batch: Batch,
              stage: str | None) -> tuple[Tensor, Tensor | int]:
        """``(weighted loss sum, element count)`` of outputs against ``batch.y``; padding
        steps (after ``lengths``) are not scored. With ``stage`` set, also accumulates.

        The count is a host ``int`` when every element counts once (no padding mask, no
        weights), and a device tensor otherwise.
        """
        assert self._loss_spec is not None and batch.y is not None
        spec = self._loss_spec
        y_true = align_target(y_pred, batch.y, spec.task, spec.one_hot)
        mask = None if lengths is None else valid_mask(lengths.to(y_pred.device), y_pred.shape[1])
        per_element = spec.function(y_pred, y_true)
        total: Tensor
        count: Tensor | int
        if mask is None and batch.sample_weight is None and per_element.dim() > 0:
            # The common case, without `reduce_loss`'s count tensor (an op per step and one
            # more per accumulation): the count is known on the host.
            total, count = per_element.sum(), per_element.numel()
        else:
            total, count = reduce_loss(per_element, batch.sample_weight, mask)
        if stage is not None:
            self._accumulate(stage, total.detach(), count, y_pred, y_true, mask)
        return total, count

    def _accumulate(self: Sequential, stage: str, total: Tensor, count: Tensor | int,
                    y_pred: Tensor, y_true: Tensor, mask: Tensor | None) -> None:
        sums = self._sums.get(stage)
        if isinstance(count, Tensor):
            count = count.detach()
        if sums is None:
            self._sums[stage] = [total.clone(), count]
        else:
            sums[0] += total
            sums[1] = sums[1] + count  # not in place: the first count may be a host int
        metrics = self.metrics_of(stage)
        if metrics:
            y_pred = y_pred.detach()
            if mask is not None:
                y_pred, y_true = y_pred[mask], y_true[mask]
            if self.target_scaler is not None:  # metrics in original units
                y_pred = self.target_scaler.inverse(y_pred)
                y_true = self.target_scaler.inverse(y_true)
            update_metrics(metrics.values(), y_pred, y_true,
                           self._loss_spec)  # type: ignore[arg-type]

    def _batch_from_loader(self: Sequential, raw: Any) -> Batch:
        if isinstance(raw, Batch):
            return raw  # seqkit's own loaders: batch-major and transformed already
        # A user's DataLoader yields raw tensors in the model's layout.
        transform = self.__dict__.get("_loader_transform")
        if transform is None:
            transform = self._loader_transform = BatchTransform(self.data_contract())
        return transform.loader_batch(raw)

    # -- Lightning hooks ---------------------------------------------------------------------
    def training_step(self: Sequential, batch: Any, batch_idx: int) -> Tensor | None:
        if self.tbptt_steps is not None:
            run_truncated(self, self._batch_from_loader(batch), self.tbptt_steps,
                          self._manual_step)
            return None
        total, count = self.loss_terms(self._batch_from_loader(batch), "train")
        return total / count

    def transfer_batch_to_device(self: Sequential, batch: Any, device: torch.device,
                                 dataloader_idx: int) -> Any:
        """Moves seqkit's ``Batch`` tensor by tensor (Lightning's generic collection walk
        costs ~30 us per step even on CPU, where nothing moves); other batches as Lightning
        does."""
        if isinstance(batch, Batch):
            # As Lightning: blocking copies to CPU and MPS, asynchronous ones elsewhere.
            non_blocking = device.type not in ("cpu", "mps")
            return Batch(*(t if t is None or t.device == device
                           else t.to(device, non_blocking=non_blocking) for t in batch))
        return super().transfer_batch_to_device(  # type: ignore[misc]
            batch, device, dataloader_idx)

    def configure_gradient_clipping(self: Sequential, optimizer: torch.optim.Optimizer,
                                    gradient_clip_val: float | None = None,
                                    gradient_clip_algorithm: str | None = None) -> None:
        """Lightning's clipping, skipped outright when it is off (its checks run every step
        otherwise)."""
        if gradient_clip_val:
            super().configure_gradient_clipping(  # type: ignore[misc]
                optimizer, gradient_clip_val, gradient_clip_algorithm)

    def _manual_step(self: Sequential, total: Tensor, count: Tensor | int) -> None:
        """One optimizer step on one chunk's loss (truncated BPTT runs manually)."""
        optimizer = self.optimizers()
        optimizer.zero_grad()
        self.manual_backward(total / count)
        if self.tbptt_clip is not None:
            self.clip_gradients(optimizer, gradient_clip_val=self.tbptt_clip)
        optimizer.step()

    def validation_step(self: Sequential, batch: Any, batch_idx: int) -> None:
        self.loss_terms(self._batch_from_loader(batch), "val")

    def test_step(self: Sequential, batch: Any, batch_idx: int) -> None:
        self.loss_terms(self._batch_from_loader(batch), "test")

    def predict_step(self: Sequential, batch: Any, batch_idx: int,
                     dataloader_idx: int = 0) -> Tensor:
        batch = self._batch_from_loader(batch)
        values, _, _ = self.run_blocks(batch.x, batch.lengths)
        if not self.batch_first and values.dim() >= 3:
            values = values.transpose(0, 1)
        return values

    def running_loss(self: Sequential) -> float | None:
        """Mean training loss so far this epoch (one host read; for progress bars)."""
        sums = self._sums.get("train")
        return None if sums is None else float(sums[0] / sums[1])

    def on_fit_start(self: Sequential) -> None:
        # Long backward passes through time slow down ~7x on denormals on the CPU.
        if self.device.type == "cpu":
            self.denormal_flush.enter()

    def on_fit_end(self: Sequential) -> None:
        self.denormal_flush.exit()

    def on_train_epoch_start(self: Sequential) -> None:
        self._sums.pop("train", None)
        self._train_epoch_logged = -1  # a later fit() counts its epochs from 0 again

    def finish_train_epoch(self: Sequential) -> None:
        """Logs the epoch's training loss and metrics; runs once per epoch.

        Called by seqkit's callbacks (History, progress) before they read the logged values,
        and by ``on_train_epoch_end`` for Trainers without them.
        """
        if self._train_epoch_logged == self.current_epoch:
            return
        self._train_epoch_logged = self.current_epoch
        self._log_stage("train")

    def on_train_epoch_end(self: Sequential) -> None:
        self.finish_train_epoch()
        if not self.automatic_optimization:  # Lightning steps schedulers only when automatic
            step_schedulers(self)

    def on_validation_epoch_start(self: Sequential) -> None:
        self._sums.pop("val", None)

    def on_validation_epoch_end(self: Sequential) -> None:
        self._log_stage("val")

    def on_test_epoch_start(self: Sequential) -> None:
        self._sums.pop("test", None)

    def on_test_epoch_end(self: Sequential) -> None:
        self._log_stage("test")

    def _log_stage(self: Sequential, stage: str) -> None:
        sums = self._sums.pop(stage, None)
        prefix = _PREFIX[stage]
        if sums is not None:
            # A tensor on the loss's device, so that strategies can sum it over processes.
            count = torch.as_tensor(sums[1], dtype=sums[0].dtype, device=sums[0].device)
            total = self.trainer.strategy.reduce(sums[0], reduce_op="sum")
            count = self.trainer.strategy.reduce(count, reduce_op="sum")
            self.log(f"{prefix}loss", total / count, prog_bar=True)
        for name, metric in self.metrics_of(stage).items():
            if metric.update_called:
                self.log(f"{prefix}{name}", metric.compute(), prog_bar=True)
            metric.reset()

    def configure_optimizers(self: Sequential) -> Any:
        if self.compile_settings is None:
            self.prepare_training()  # raises the NotCompiledError
        settings = self.compile_settings
        assert settings is not None
        optimizer = make_optimizer(settings.optimizer, self.parameters(), settings.lr,
                                   settings.weight_decay)
        max_epochs = self.trainer.max_epochs if self.trainer.max_epochs else 1
        scheduler = make_scheduler(settings.scheduler, optimizer, max_epochs=max(max_epochs, 1),
                                   monitor=self.monitor_default)
        if scheduler is None:
            return optimizer
        return {"optimizer": optimizer, "lr_scheduler": scheduler}

    def build_from_batch(self: Sequential, raw: Any) -> None:
        """Builds the model for the shape of one loader batch (in the model's layout)."""
        batch = as_batch(raw)
        contract = self.data_contract()
        x = from_model_layout(batch.x, self.batch_first)
        shape = data_input_shape(contract, x, padded=batch.lengths is not None)
        self.build(model_input_shape(shape, self.batch_first))

    def setup(self: Sequential, stage: str) -> None:
        """Builds the model from the first batch when a user's Trainer runs it unbuilt."""
        if not self.built:
            sample = _first_batch(self.trainer, stage)
            if sample is None:
                raise NotBuiltError(
                    explain("Sequential", expected="a built model or a data loader to infer "
                            "the input size from", received="neither",
                            fix="call model.build((None, time, features)) before trainer.fit")
                )
            self.build_from_batch(sample)
        self._loader_transform = BatchTransform(self.data_contract())  # built: targets known
        if stage in ("fit", "validate", "test"):
            self.prepare_training()


# Lightning inspects `training_step`'s signature on every step (to decide whether to pass
# `batch_idx`); a precomputed signature turns that inspection into a lookup.
LightningSteps.training_step.__signature__ = (  # type: ignore[attr-defined]
    inspect.signature(LightningSteps.training_step))


def _key(stage: str) -> str:
    # ModuleDict keys may not shadow nn.Module attributes such as `train`.
    return f"{stage}_metrics"


def align_target(y_pred: Tensor, y_true: Tensor, task: str, one_hot: bool = False) -> Tensor:
    """Reshapes and casts targets to match predictions: ``(batch,)`` labels for
    ``(batch, 1)`` outputs, integer class ids for ``cross_entropy``, float one-hot vectors
    of the output's shape for ``categorical_crossentropy``.

    Raises:
        InputError: ``one_hot`` targets whose shape is not the output's.
    """
    if one_hot:
        if y_true.shape != y_pred.shape:
            raise InputError(
                explain("y for loss='categorical_crossentropy'",
                        expected=f"one-hot vectors of the output's shape {tuple(y_pred.shape)}",
                        received=f"shape {tuple(y_true.shape)}",
                        fix="for integer class ids use "
                        "loss='sparse_categorical_crossentropy'")
            )
        return y_true if y_true.dtype == y_pred.dtype else y_true.to(y_pred.dtype)
    if task == "multiclass":
        if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
            y_true = y_true.squeeze(-1)
        return y_true.long()
    if y_true.shape != y_pred.shape and y_true.numel() == y_pred.numel():
        y_true = y_true.reshape(y_pred.shape)
    # `.to` with the same dtype returns the tensor itself, but only after a dispatch (~1 us).
    return y_true if y_true.dtype == y_pred.dtype else y_true.to(y_pred.dtype)


def _first_batch(trainer: Any, stage: str) -> Any:
    """The first batch of the loader the Trainer is about to run (best effort)."""
    if trainer.datamodule is not None:
        method = {"fit": "train_dataloader", "validate": "val_dataloader",
                  "test": "test_dataloader", "predict": "predict_dataloader"}[stage]
        loader = getattr(trainer.datamodule, method)()
    else:
        loop = {"fit": trainer.fit_loop, "validate": trainer.validate_loop,
                "test": trainer.test_loop, "predict": trainer.predict_loop}[stage]
        source = getattr(loop, "_data_source", None)
        if source is None or not source.is_defined():
            return None
        loader = source.dataloader()
    if isinstance(loader, list | tuple):
        loader = loader[0]
    return next(iter(loader), None)
