"""Faults during ``fit``: a non-finite training loss, and Ctrl-C.

A **non-finite loss** (NaN or inf) stops training at the step it appears, before that
step's backward pass and update:
[`NonFiniteLossGuard`][seqkit.training.faults.NonFiniteLossGuard] reads each step's loss
once on the host and, while it is finite, copies the weights (and floating buffers) the
step started from into one preallocated set of tensors (one ``torch._foreach_copy_``; the
model's size in memory once more). At the first non-finite
loss it copies back the weights of the last step whose loss was finite and raises
[`NonFiniteLossError`][seqkit.errors.NonFiniteLossError]; ``fit`` turns that into a
[`NonFiniteLossWarning`][seqkit.training.faults.NonFiniteLossWarning] naming the epoch, the
step and the usual causes, and returns the History of the finished epochs.

**Ctrl-C**: Lightning catches ``KeyboardInterrupt``, ignores further SIGINTs and exits
with ``SystemExit(1)``. [`fit_faults`][seqkit.training.faults.fit_faults] turns that back
into ``KeyboardInterrupt`` and leaves the model in eval mode (its History, with the
finished epochs, is at ``model.history``).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from typing import Any

import pytorch_lightning as pl
import torch
from torch import Tensor, nn

from seqkit.errors import NonFiniteLossError

__all__ = ["NonFiniteLossGuard", "NonFiniteLossWarning", "fit_faults", "nan_guard"]

CAUSES = (
    "Usual causes: a learning rate too high (try a 10x smaller lr=, or "
    "gradient_clip_val=1.0), targets on a large scale (scale them, e.g. to unit variance), "
    "or NaN/inf values in the data (check np.isfinite(x).all() and y, or what your "
    "DataLoader yields)."
)


class NonFiniteLossWarning(UserWarning):
    """``fit`` stopped at a non-finite training loss (``stop_on_nan=True``)."""


class NonFiniteLossGuard(pl.Callback):
    """Stops training at the first non-finite training loss and puts back the weights of the
    last step whose loss was finite. ``fit`` adds one unless ``stop_on_nan=False``.

    Per step it costs one host read of the loss and one copy of the weights (see the module
    docstring); the copy is taken before the update, so after a stop the model predicts with
    weights whose training loss was finite.

    Examples:
        A target of inf in a user's DataLoader (seqkit's own arrays refuse it earlier):

        >>> import torch, warnings, seqkit as sk
        >>> x, y = torch.ones(16, 4), torch.ones(16, 1)
        >>> y[12] = float("inf")
        >>> data = torch.utils.data.TensorDataset(x, y)
        >>> loader = torch.utils.data.DataLoader(data, batch_size=8)
        >>> model = sk.Sequential([sk.Input((4,)), sk.Dense(1)], loss="mse")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always", NonFiniteLossWarning)
        ...     history = model.fit(loader, epochs=3, verbose=0)
        >>> print([str(w.message)[:58] for w in caught
        ...        if w.category is NonFiniteLossWarning][0])
        Training stopped: the training loss is inf at epoch 1/3, s
        >>> history.epoch, model.training
        ([], False)
    """

    def __init__(self) -> None:
        super().__init__()
        self.stopped: NonFiniteLossError | None = None
        self._tensors: list[Tensor] | None = None
        self._copies: list[Tensor] | None = None
        self._kept: tuple[int, int] | None = None  # (epoch, step) of the copy
        self._step = 0

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.stopped, self._tensors, self._copies, self._kept = None, None, None, None

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                             batch: Any, batch_idx: int) -> None:
        self._step = batch_idx

    def on_before_backward(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                           loss: Tensor) -> None:
        # The one host read per step (.item() costs ~0.3 us, torch.isfinite ~20 us).
        value = loss.item() if loss.numel() == 1 else float(loss.detach().float().sum())
        finite = math.isfinite(value)
        if trainer.world_size > 1:  # all processes stop at the same step (the others
            # would wait for this one's gradients in the all-reduce forever)
            finite = trainer.strategy.reduce_boolean_decision(finite, all=True)
        if finite:
            self._keep(pl_module)
            self._kept = (trainer.current_epoch, self._step)
            return
        restored = self._restore()
        self.stopped = NonFiniteLossError(
            _message(trainer, self._step, value, self._kept, restored),
            epoch=trainer.current_epoch, step=self._step, global_step=trainer.global_step,
            loss=value)
        raise self.stopped

    def _keep(self, module: nn.Module) -> None:
        if self._tensors is None:  # detached views: copies without autograd's bookkeeping
            self._tensors = [t.detach() for t in (*module.parameters(), *module.buffers())
                             if t.is_floating_point()]
            self._copies = [t.clone() for t in self._tensors]
            return
        torch._foreach_copy_(self._copies, self._tensors)  # type: ignore[attr-defined]

    def _restore(self) -> bool:
        if self._tensors is None or self._copies is None:
            return False  # the first step: nothing was updated yet
        torch._foreach_copy_(self._tensors, self._copies)  # type: ignore[attr-defined]
        return True


def _message(trainer: pl.Trainer, step: int, loss: float,
             kept: tuple[int, int] | None, restored: bool) -> str:
    epochs = trainer.max_epochs if trainer.max_epochs and trainer.max_epochs > 0 else "?"
    where = (f"epoch {trainer.current_epoch + 1}/{epochs}, step {step + 1} of the epoch "
             f"(global step {trainer.global_step})")
    kind = ("nan" if math.isnan(loss) else "inf" if loss == math.inf else "-inf"
            if loss == -math.inf else "NaN or inf in another process")
    if restored and kept is not None:
        weights = (f"the model keeps the weights of the last finite step (epoch "
                   f"{kept[0] + 1}, step {kept[1] + 1})")
    else:
        weights = "no update was made yet: the model keeps its starting weights"
    return (f"Training stopped: the training loss is {kind} at {where}; {weights}. {CAUSES} "
            "Pass fit(stop_on_nan=False) to train on regardless.")


@contextlib.contextmanager
def fit_faults(module: nn.Module) -> Iterator[None]:
    """Runs a ``Trainer.fit`` so that its faults reach the caller as Keras users expect.

    - [`NonFiniteLossError`][seqkit.errors.NonFiniteLossError] becomes a
      [`NonFiniteLossWarning`][seqkit.training.faults.NonFiniteLossWarning] (the weights
      are already the last finite ones).
    - Lightning's ``SystemExit(1)`` after a ``KeyboardInterrupt`` becomes the
      ``KeyboardInterrupt`` again, with ``module`` in eval mode (Lightning's teardown has
      put back the SIGINT handler it replaced with ``SIG_IGN``).

    Examples:
        >>> import warnings
        >>> from torch import nn
        >>> module = nn.Linear(2, 1)
        >>> with warnings.catch_warnings(record=True) as caught, fit_faults(module):
        ...     warnings.simplefilter("always")
        ...     raise NonFiniteLossError("loss is nan", epoch=0, step=3, global_step=3,
        ...                              loss=float("nan"))
        >>> caught[0].category.__name__, str(caught[0].message), module.training
        ('NonFiniteLossWarning', 'loss is nan', False)
    """
    try:
        yield
    except NonFiniteLossError as error:
        module.eval()
        warnings.warn(str(error), NonFiniteLossWarning, stacklevel=4)
    except SystemExit as error:
        if not isinstance(error.__context__, KeyboardInterrupt):
            raise
        module.eval()
        raise KeyboardInterrupt from None
    except KeyboardInterrupt:  # raised where Lightning does not catch it
        module.eval()
        raise


def nan_guard(stop_on_nan: bool, callbacks: list[Any]) -> NonFiniteLossGuard | None:
    """The guard ``fit`` adds: ``None`` with ``stop_on_nan=False`` or when ``callbacks``
    already hold one (such as ``TerminateOnNaN``).

    Examples:
        >>> guard = NonFiniteLossGuard()
        >>> nan_guard(True, []) is not None, nan_guard(False, []), nan_guard(True, [guard])
        (True, None, None)
    """
    if not stop_on_nan or any(isinstance(c, NonFiniteLossGuard) for c in callbacks):
        return None
    return NonFiniteLossGuard()
