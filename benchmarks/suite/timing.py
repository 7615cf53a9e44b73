"""Wall-clock timing that waits for the GPU (``torch.cuda.synchronize``) when there is one."""

from __future__ import annotations

import time

import torch

__all__ = ["Stopwatch"]


class Stopwatch:
    """Collects the seconds of successive ``start()`` / ``stop()`` intervals."""

    def __init__(self, device: str) -> None:
        self.cuda = device.startswith("cuda")
        self.seconds: list[float] = []
        self._started = 0.0

    def start(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()
        self._started = time.perf_counter()

    def stop(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()
        self.seconds.append(time.perf_counter() - self._started)
