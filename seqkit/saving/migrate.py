"""Reading configs written by older seqkit versions: each format's changes, undone.

Format 2 (this seqkit) changed what two arguments mean, to match Keras:

* ``LSTM`` / ``GRU`` ``dropout`` is Keras's input dropout; format 1's ``dropout`` (between
  stacked layers) is ``stack_dropout`` now.
* Layers start from Keras's initial weights; a format-1 layer is rebuilt with torch's own
  (``"torch"`` initialisers, no ``unit_forget_bias``), as it was made. An ``Embedding``'s
  format-1 ``"normal"`` (torch's N(0, 1)) is ``"torch"`` now (``"normal"`` is Keras's
  N(0, 0.05²)).

A loaded file's weights are its own either way; the initialisers matter when its config
builds fresh layers (``model_from_config``, ``Ensemble`` members).
"""

from __future__ import annotations

from typing import Any

__all__ = ["upgrade_layer_spec"]

_RECURRENT = frozenset({"LSTM", "GRU"})
_TORCH_RECURRENT = {"kernel_initializer": "torch", "recurrent_initializer": "torch",
                    "bias_initializer": "torch"}
_TORCH_DENSE = {"kernel_initializer": "torch", "bias_initializer": "torch"}


def upgrade_layer_spec(spec: Any, version: int) -> Any:
    """``{"class_name": ..., "config": ...}`` of format ``version`` in this format.

    Nested layers (``Bidirectional``'s ``layer``, ``Ensemble``'s ``layers``) are upgraded
    too; anything that is not a layer spec is returned as it is (the loader refuses it).

    Examples:
        >>> old = {"class_name": "LSTM", "config": {"units": 4, "num_layers": 2,
        ...                                         "dropout": 0.1}}
        >>> new = upgrade_layer_spec(old, 1)["config"]
        >>> new["stack_dropout"], new["dropout"], new["kernel_initializer"]
        (0.1, 0.0, 'torch')
    """
    if version >= 2 or not isinstance(spec, dict) or not isinstance(spec.get("config"), dict):
        return spec
    name, config = spec.get("class_name"), dict(spec["config"])
    if name in _RECURRENT:
        config["stack_dropout"] = config.pop("dropout", 0.0)
        config["dropout"] = 0.0  # format 1 had no input dropout
        config = {**_TORCH_RECURRENT, **config}
        if name == "LSTM":
            config.setdefault("unit_forget_bias", False)
    elif name == "Dense":
        config = {**_TORCH_DENSE, **config}
    elif name == "Embedding":
        if config.get("embeddings_initializer", "normal") == "normal":
            config["embeddings_initializer"] = "torch"
    elif name == "Bidirectional":
        config["layer"] = upgrade_layer_spec(config.get("layer"), version)
    elif name == "Ensemble" and isinstance(config.get("layers"), list):
        config["layers"] = [upgrade_layer_spec(layer, version) for layer in config["layers"]]
    return {**spec, "config": config}
