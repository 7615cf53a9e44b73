"""The suite's configurations: sizes, timed passes and variants, per device.

A variant is one way to run the same job: ``A`` a hand-written PyTorch loop over in-memory
index slices, ``B`` PyTorch with ``DataLoader(TensorDataset)``, ``C`` plain Lightning with a
``DataLoader`` and ``self.log`` per step, ``D`` Keras 3 on its torch backend, ``S`` seqkit's
``fit``/``predict``. The text configs replace ``B``/``C`` by ``P``, the raw loop with
``pack_padded_sequence``; their ``A`` pads each batch to its longest sequence and runs the
unpacked kernel, fast but wrong (the backward direction reads the padding first).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["CONFIGS", "VARIANT_LABELS", "Config", "configs_for", "quick"]


@dataclass(frozen=True)
class Config:
    """One benchmark configuration.

    Attributes:
        name: Key on the command line and in the JSON.
        task: ``"regression"`` (train), ``"predict"`` (inference passes), ``"text"``
            (train a BiLSTM classifier on token ids of skewed lengths) or ``"attention"``
            (train a self-attention classifier on the same ids).
        n: Samples.
        steps: Time steps (text: the longest length).
        features: Input features per step (text: unused).
        units: Recurrent units (per direction).
        batch_size: Samples per step.
        passes: Timed epochs (or predict passes) per run; the first is a warm-up, dropped.
        variants: Variant keys run on this config, in interleaving order.
        vocab: Text only: vocabulary size.
        embed: Text only: embedding size.
        min_length: Text only: the shortest sequence.
        heads: Attention only: heads of the self-attention (``embed`` split among them).
    """

    name: str
    task: str
    n: int
    steps: int
    features: int
    units: int
    batch_size: int
    passes: int
    variants: tuple[str, ...]
    vocab: int = 20_000
    embed: int = 128
    min_length: int = 10
    heads: int = 4

    def describe(self) -> str:
        """A one-line summary of the sizes."""
        if self.task == "text":
            return (f"BiLSTM({self.units}) over token ids, vocab {self.vocab}, embedding "
                    f"{self.embed}, N={self.n}, lengths {self.min_length}-{self.steps} "
                    f"(skewed short), batch {self.batch_size}")
        if self.task == "attention":
            return (f"MultiHeadAttention({self.heads} heads)+AttentionPooling1D over token "
                    f"ids, vocab {self.vocab}, embedding {self.embed}, N={self.n}, lengths "
                    f"{self.min_length}-{self.steps} (skewed short), batch {self.batch_size}")
        if self.task == "cnn_lstm":
            return (f"train Conv1D({self.units}, 3, causal)+MaxPooling1D(2)+LSTM("
                    f"{self.units})+Dense, N={self.n}, T={self.steps}, F={self.features}, "
                    f"batch {self.batch_size}")
        job = "predict" if self.task == "predict" else "train"
        return (f"{job} 2xLSTM({self.units})+Dropout+Dense, N={self.n}, T={self.steps}, "
                f"F={self.features}, batch {self.batch_size}")


_DENSE = ("A", "B", "C", "D", "S")
_TEXT = ("A", "P", "D", "S", "L")

CONFIGS: dict[str, dict[str, Config]] = {
    "cpu": {
        "small": Config("small", "regression", 8192, 32, 4, 64, 32, 4, _DENSE),
        "large": Config("large", "regression", 16384, 64, 8, 64, 256, 4, _DENSE),
        "text": Config("text", "text", 256, 400, 0, 128, 64, 3, _TEXT),
        "predict": Config("predict", "predict", 8192, 32, 4, 64, 256, 6, _DENSE),
        "cnn_lstm": Config("cnn_lstm", "cnn_lstm", 8192, 64, 4, 64, 32, 4, ("A", "S")),
        "attention": Config("attention", "attention", 2048, 200, 0, 0, 64, 4, ("A", "S"),
                            embed=64),
    },
    "cuda": {
        "small": Config("small", "regression", 16384, 32, 4, 64, 32, 3, _DENSE),
        "large": Config("large", "regression", 65536, 128, 16, 256, 256, 3, _DENSE),
        "text": Config("text", "text", 1024, 400, 0, 128, 64, 4, _TEXT),
        "predict": Config("predict", "predict", 65536, 128, 16, 256, 1024, 4, _DENSE),
        "cnn_lstm": Config("cnn_lstm", "cnn_lstm", 65536, 128, 16, 256, 256, 3,
                           ("A", "S")),
        "attention": Config("attention", "attention", 16384, 400, 0, 0, 64, 4, ("A", "S"),
                            embed=256, heads=8),
    },
}

VARIANT_LABELS: dict[str, dict[str, str]] = {
    "cnn_lstm": {
        "A": "hand-written loop, index slices, nn.Conv1d + nn.LSTM",
        "S": "seqkit fit, Conv1D + MaxPooling1D + LSTM",
    },
    "regression": {
        "A": "hand-written loop, index slices",
        "B": "PyTorch DataLoader(TensorDataset)",
        "C": "plain Lightning, DataLoader, self.log",
        "D": "Keras 3, torch backend",
        "S": "seqkit fit (progress bar on)",
    },
    "predict": {
        "A": "hand-written loop, slices",
        "B": "PyTorch DataLoader(TensorDataset)",
        "C": "plain Lightning, trainer.predict",
        "D": "Keras 3, model.predict",
        "S": "seqkit model.predict",
    },
    "text": {
        "A": "raw loop, padded, unpacked (wrong)",
        "P": "raw loop, pack_padded_sequence",
        "D": "Keras 3, torch backend, mask_zero",
        "S": "seqkit fit, exact lengths",
        "L": "seqkit fit, exact lengths, bucketed",
    },
    "attention": {
        "A": "hand-written loop, nn.MultiheadAttention, key-padding mask",
        "S": "seqkit fit, MultiHeadAttention + AttentionPooling1D",
    },
}


def configs_for(device: str) -> dict[str, Config]:
    """The configurations for a device type (``"cpu"`` or ``"cuda"``)."""
    return CONFIGS["cuda" if device.startswith("cuda") else "cpu"]


def quick(config: Config) -> Config:
    """A tiny version of ``config`` that checks the mechanism in seconds, not the speed."""
    return dataclasses.replace(config, n=min(config.n, 128), steps=min(config.steps, 24),
                               units=8, passes=2, vocab=200, embed=8, heads=2,
                               min_length=min(config.min_length, 2))
