"""Lightning checkpoints that rebuild a ``Sequential`` from the checkpoint alone."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import torch

from seqkit.errors import ModelFileError, ModelFileNotFoundError, explain
from seqkit.saving.load import model_from_config
from seqkit.saving.save import model_config

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["CheckpointMixin"]

CHECKPOINT_KEY = "seqkit"
RNG_KEY = "seqkit_torch_rng_state"


class CheckpointMixin:
    """Adds the architecture to every Lightning checkpoint, and rebuilds from it."""

    def on_save_checkpoint(self: Sequential, checkpoint: dict[str, Any]) -> None:
        config = model_config(self)
        if _json_safe(config):
            # A callable in a layer (kernel_initializer=my_function) would be pickled,
            # and no checkpoint could be read with weights_only=True: leave it out.
            checkpoint[CHECKPOINT_KEY] = config
        # Dropout draws from torch's generator: restoring it makes a resumed run match an
        # unbroken one (Lightning does not save it).
        checkpoint[RNG_KEY] = torch.get_rng_state()

    def on_load_checkpoint(self: Sequential, checkpoint: dict[str, Any]) -> None:
        if RNG_KEY in checkpoint:
            torch.set_rng_state(checkpoint[RNG_KEY])

    @classmethod
    def load_from_checkpoint(  # type: ignore[override]
        cls,
        checkpoint_path: str | os.PathLike[str],
        map_location: Any = None,
        **_: Any,
    ) -> Sequential:
        """Rebuilds architecture and compile settings from a Lightning checkpoint written
        while training a seqkit model, then loads its weights.

        The checkpoint is read with ``torch.load(weights_only=True)``: no pickled code runs.
        To resume training (optimizer, epoch, History), pass ``ckpt_path=`` to ``fit``.

        Args:
            checkpoint_path: A ``.ckpt`` file (e.g. from ``ModelCheckpoint``).
            map_location: Where to load tensors (default: CPU).

        Returns:
            The model, in eval mode.
        """
        path = os.fspath(checkpoint_path)
        if not os.path.isfile(path):
            raise ModelFileNotFoundError(explain(
                "load_from_checkpoint", expected="an existing checkpoint file",
                received=f"path {path!r}, which does not exist"))
        checkpoint = torch.load(path, map_location=map_location or "cpu", weights_only=True)
        config = checkpoint.get(CHECKPOINT_KEY) if isinstance(checkpoint, dict) else None
        if config is None:
            raise ModelFileError(explain(
                "load_from_checkpoint", expected="a checkpoint written by a seqkit model",
                received=f"{path!r} without seqkit's architecture entry (a model holding a "
                "callable, such as kernel_initializer=my_function, stores none)",
                fix="build the model yourself and load checkpoint['state_dict'] into it"))
        model = model_from_config(config, path)
        model.load_state_dict(checkpoint["state_dict"])
        return model.eval()


def _json_safe(config: Any) -> bool:
    try:
        json.dumps(config)
    except (TypeError, ValueError):
        return False
    return True
