"""Lightning checkpoints that rebuild a ``Sequential`` from the checkpoint alone."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import torch

from seqkit.errors import ModelFileError, explain
from seqkit.saving.checkpoint_file import read_checkpoint
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
        Its architecture is checked like a ``.seqkit`` file's (schema, then shapes against
        the checkpoint's tensors before any memory is allocated). To resume training
        (optimizer, epoch, History), pass ``ckpt_path=`` to ``fit``.

        Args:
            checkpoint_path: A ``.ckpt`` file (e.g. from ``ModelCheckpoint``).
            map_location: Where to load tensors (default: CPU).

        Returns:
            The model, in eval mode.

        Raises:
            ModelFileNotFoundError: There is no such file.
            ModelFileError: The file is not a safe checkpoint (a pickle, a damaged file),
                holds no seqkit architecture, or its weights do not fit it.
        """
        checkpoint = read_checkpoint(checkpoint_path, map_location=map_location)
        path = os.fspath(checkpoint_path)  # a valid path: read_checkpoint checked it
        config = checkpoint.get(CHECKPOINT_KEY)
        weights = checkpoint.get("state_dict")
        if config is None or not isinstance(weights, dict) or not all(
                isinstance(value, torch.Tensor) for value in weights.values()):
            raise ModelFileError(explain(
                "load_from_checkpoint", expected="a checkpoint written by a seqkit model",
                received=f"{path!r} without seqkit's architecture entry (a model holding a "
                "callable, such as kernel_initializer=my_function, stores none)",
                fix="build the model yourself and load checkpoint['state_dict'] into it"))
        shapes = {name: (tuple(value.shape), value.dtype) for name, value in weights.items()}
        model = model_from_config(config, path, shapes)
        with torch.no_grad():
            for name, target in model.state_dict().items():
                target.copy_(weights[name])
        return model.eval()


def _json_safe(config: Any) -> bool:
    try:
        json.dumps(config)
    except (TypeError, ValueError):
        return False
    return True
