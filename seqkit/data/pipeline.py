"""The input pipeline: user data in, checked batch-major data (and loaders) out.

One path for every entry point, in this order::

    adapters ─ layout ─ split ─ adapt ─ text → ids ─ lengths ─ checks ─ build ─ targets
             ─ weights ─ loader (per batch: dtypes, numeric steps, target scaling)

``models/`` calls [`fit_data`][seqkit.data.pipeline.fit_data] once per ``fit`` and
[`call_data`][seqkit.data.pipeline.call_data] once per ``evaluate`` / ``predict`` /
``stream`` step, handing in a [`DataContract`][seqkit.data.contract.DataContract]. Arrays are
never copied whole: tensors share the user's memory, checks read it in blocks, and dtypes
are converted per batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqkit.data.adapters import to_tensor
from seqkit.data.batch import Batch
from seqkit.data.checks import (
    check_finite,
    check_ids,
    check_input_dtype,
    check_lengths,
    check_same_count,
    check_steps_and_features,
    check_targets,
    row_blocks,
)
from seqkit.data.contract import DataContract
from seqkit.data.label_kind import check_label_kind
from seqkit.data.layout import from_model_layout
from seqkit.data.preprocess import adapt_inputs, adapt_targets, encode_text, needs_label_encoder
from seqkit.data.split import rows, sample_count, split_point
from seqkit.data.weights import sample_weights
from seqkit.errors import InputError, InputTypeError, explain
from seqkit.layers.embedding import lengths_from_padding

__all__ = ["call_data", "data_input_shape", "fit_data", "forward_inputs", "validation_tuple"]


def fit_data(
    contract: DataContract,
    x: Any,
    y: Any,
    *,
    lengths: Any = None,
    sample_weight: Any = None,
    class_weight: Mapping[Any, float] | str | None = None,
    validation_split: float = 0.0,
) -> tuple[Batch, Batch | None]:
    """Training data, and the held-out last ``validation_split`` of the samples.

    The split is taken on the samples (the second axis of time-major arrays) before
    anything is adapted, so the preprocessing steps, label encoder and target scaler learn
    from the training rows only. Builds the model from ``x`` if it is not built yet.

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(2), sk.Dense(1)], batch_first=False, loss="mse")
        >>> x, y = np.zeros((6, 10, 3), np.float32), np.zeros(10)  # (time, batch, features)
        >>> train, val = fit_data(model.data_contract(), x, y, validation_split=0.2)
        >>> tuple(train.x.shape), tuple(val.x.shape)  # batch-major views, 8 + 2 sequences
        ((8, 6, 3), (2, 6, 3))
    """
    x_source, ragged = _source_inputs(contract, x)
    n = sample_count(x_source, "x")
    given = _given_lengths(lengths)
    for name, per_sample in (("lengths", given), ("sample_weight", sample_weight)):
        if per_sample is not None:  # before splitting, which would hide a wrong count
            check_same_count(name, sample_count(per_sample, name), n)
    known_lengths = given if given is not None else ragged
    cut = split_point(n, validation_split) if validation_split > 0 else n
    train_lengths = rows(known_lengths, 0, cut)
    adapt_inputs(contract, rows(x_source, 0, cut), train_lengths)
    train_x, train_lengths = _inputs(contract, rows(x_source, 0, cut), train_lengths)
    targets = _source_targets(contract, y, n)
    adapt_targets(contract, rows(targets, 0, cut))
    train = _with_targets(contract, train_x, train_lengths, rows(targets, 0, cut),
                          rows(sample_weight, 0, cut), class_weight)
    if cut == n:
        return train, None
    val_x, val_lengths = _inputs(contract, rows(x_source, cut, n), rows(known_lengths, cut, n))
    val = _with_targets(contract, val_x, val_lengths, rows(targets, cut, n),
                        rows(sample_weight, cut, n), None)
    return train, val


def call_data(contract: DataContract, x: Any, y: Any = None, *, lengths: Any = None,
              sample_weight: Any = None) -> Batch:
    """Checked batch-major data for ``evaluate``, ``predict``, a stream step or
    ``validation_data`` (nothing is adapted; builds the model if it is not built yet).

    Examples:
        >>> import seqkit as sk
        >>> model = sk.Sequential([sk.GRU(2)])
        >>> data = call_data(model.data_contract(), [[[1.0], [2.0]], [[3.0]]])  # ragged
        >>> tuple(data.x.shape), data.lengths.tolist()
        ((2, 2, 1), [2, 1])
    """
    x_source, ragged = _source_inputs(contract, x)
    given = _given_lengths(lengths)
    values, found = _inputs(contract, x_source, given if given is not None else ragged)
    if y is None:
        if sample_weight is not None:
            raise InputError(explain("sample_weight", expected="targets y to weigh",
                                     received="y=None",
                                     fix="pass y too, or leave sample_weight out"))
        return Batch(values, None, found)
    targets = _source_targets(contract, y, values.shape[0])
    return _with_targets(contract, values, found, targets, sample_weight, None)


def validation_tuple(validation_data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` of Keras's ``validation_data=(x, y)`` or
    ``(x, y, sample_weight)``.

    Examples:
        >>> validation_tuple(([1], [2]))
        ([1], [2], None)
    """
    if isinstance(validation_data, tuple | list) and len(validation_data) in (2, 3):
        x, y, *weight = validation_data
        return x, y, weight[0] if weight else None
    received = (f"a {type(validation_data).__name__} of length {len(validation_data)}"
                if isinstance(validation_data, tuple | list)
                else f"a {type(validation_data).__name__}")
    raise InputError(explain("fit validation_data",
                             expected="(x_val, y_val), (x_val, y_val, sample_weight) or a "
                             "DataLoader", received=received,
                             fix="pass the targets too: validation_data=(x_val, y_val)"))


def forward_inputs(contract: DataContract, x: Any, lengths: Any = None
                   ) -> tuple[Tensor, Tensor | None]:
    """``model(x)``'s input as tensors, in the model's layout, for ``x`` that is not a
    tensor: float32 values, or int64 ids when the model starts with an ``Embedding``;
    ragged rows are padded and their lengths used unless ``lengths`` is given. Values,
    ids and lengths are checked as for ``predict``; no preprocessing step runs (as for a
    tensor given to ``model(x)``).

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(2)])
        >>> x, lengths = forward_inputs(model.data_contract(), np.zeros((4, 6, 3)))
        >>> x.dtype, x.shape, lengths
        (torch.float32, torch.Size([4, 6, 3]), None)
    """
    tensor, ragged = to_tensor(x, "x")
    rows = from_model_layout(tensor, contract.batch_first) if ragged is None else tensor
    check_input_dtype(rows, contract.token_ids)  # as predict checks its inputs
    check_steps_and_features(rows, contract.token_ids)
    check_finite(rows, "x")
    if contract.token_ids is not None:
        check_ids(rows, contract.token_ids)
    given = _given_lengths(lengths)
    found = ragged if given is None else check_lengths(
        given, rows.shape[0], rows.shape[1] if rows.dim() >= 2 else None)
    tensor = tensor.long() if contract.token_ids is not None else tensor.float()
    return tensor, found


def data_input_shape(contract: DataContract, x: Tensor, padded: bool
                     ) -> tuple[int | None, ...]:
    """The batch-major shape to build a model for from data ``x``: the batch axis
    ``None``, and the time axis ``None`` too when ``padded`` (rows padded to the longest of
    this call or batch: ragged lists, text, a loader's lengths), since its size is the
    data's, not the model's. A ``TextVectorizer`` with ``output_sequence_length`` keeps it,
    as Keras shows it.

    Examples:
        >>> import torch, seqkit as sk
        >>> contract = sk.Sequential([sk.LSTM(2)]).data_contract()
        >>> data_input_shape(contract, torch.zeros(4, 6, 3), padded=True)
        (None, None, 3)
        >>> data_input_shape(contract, torch.zeros(4, 6, 3), padded=False)
        (None, 6, 3)
    """
    if padded and not contract.fixed_length and x.dim() >= 2:
        return (None, None, *x.shape[2:])
    return (None, *x.shape[1:])


def _source_inputs(contract: DataContract, x: Any) -> tuple[Any, Tensor | None]:
    """``x`` as a batch-major tensor sharing the user's memory (raw strings for a text
    model), and the lengths of ragged rows."""
    if contract.text_input:
        if isinstance(x, str) or not hasattr(x, "__len__"):
            raise InputTypeError(explain("x", expected="a list or array of texts",
                                         received=f"a {type(x).__name__}",
                                         fix="wrap a single text in a list: [text]"))
        return x, None
    tensor, ragged = to_tensor(x, "x")
    return (tensor if ragged is not None else from_model_layout(tensor, contract.batch_first),
            ragged)


def _inputs(contract: DataContract, x: Any, lengths: Tensor | None
            ) -> tuple[Tensor, Tensor | None]:
    """Inputs ready for batching: text turned into ids, dtypes and values checked, lengths
    found; builds the model from them if it is not built yet."""
    if contract.text_input:
        x, text_lengths = encode_text(contract, x)
        lengths = text_lengths if lengths is None else lengths
    n = x.shape[0]
    check_input_dtype(x, contract.token_ids)
    check_steps_and_features(x, contract.token_ids)
    check_finite(x, "x")
    if lengths is not None:
        lengths = check_lengths(lengths, n, x.shape[1] if x.dim() >= 2 else None)
    contract.check_input_shape(tuple(x.shape))
    if contract.build is not None:
        contract.build(data_input_shape(contract, x, padded=lengths is not None))
        contract.build = None
    ids = contract.token_ids
    if ids is not None:
        check_ids(x, ids)
        if lengths is None and ids.mask_zero and x.dim() == 2:
            # The Embedding would find the same lengths on the device, per batch; found
            # here on the host once, they also let batches be cut after their longest.
            lengths = torch.cat([lengths_from_padding(block) for _, block in row_blocks(x)])
    return x, lengths


def _source_targets(contract: DataContract, y: Any, n: int) -> Any:
    """``y`` batch-major (a tensor sharing the user's memory, or raw labels to encode),
    checked to have ``n`` samples. Per-step targets of a time-major model are time-major."""
    if y is None:
        raise InputError(explain("y", expected="targets for x", received="y=None"))
    layout = contract.targets()
    per_step = layout.per_step
    if contract.label_encoder is not None or needs_label_encoder(y):
        labels = y.to_numpy() if hasattr(y, "to_numpy") else y
        check_label_kind(labels, layout)
        if per_step and not contract.batch_first and np.ndim(labels) >= 2:
            labels = np.swapaxes(np.asarray(labels), 0, 1)
        check_same_count("y", sample_count(labels, "y"), n)
        return labels
    tensor, ragged = to_tensor(y, "y")
    if ragged is None and per_step:
        tensor = from_model_layout(tensor, contract.batch_first)
    check_same_count("y", tensor.shape[0], n)
    return tensor


def _with_targets(contract: DataContract, x: Tensor, lengths: Tensor | None, targets: Any,
                  sample_weight: Any, class_weight: Mapping[Any, float] | str | None
                  ) -> Batch:
    encoder = contract.label_encoder
    y = encoder.encode(targets) if encoder is not None else targets
    check_targets(y, contract.targets(), x.shape[1] if x.dim() >= 2 else None)
    weight = sample_weights(sample_weight, class_weight, y, x.shape[0], encoder,
                            layout=contract.targets())
    return Batch(x, y, lengths, weight)


def _given_lengths(lengths: Any) -> Tensor | None:
    return None if lengths is None else to_tensor(lengths, "lengths")[0]
