"""Ctrl-C during fit: a real SIGINT in a child process reaches the caller as
KeyboardInterrupt (not Lightning's SystemExit(1)), with the finished epochs at
model.history and a model in eval mode that predicts and saves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    import numpy as np
    import pytorch_lightning as pl
    import seqkit as sk

    mode, folder = sys.argv[1], Path(sys.argv[2])

    class Signal(pl.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            if trainer.current_epoch == 1:
                if mode == "self":
                    os.kill(os.getpid(), signal.SIGINT)  # a real signal, delivered now
                else:
                    (folder / "ready").write_text("1")  # the parent sends it

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            if mode == "parent" and trainer.current_epoch >= 2:
                time.sleep(0.05)  # slow steps, so the signal lands mid-epoch

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5, 2)).astype("float32")
    y = x[:, -1, 0]
    model = sk.Sequential([sk.Input((5, 2)), sk.LSTM(4), sk.Dense(1)], loss="mse")
    try:
        model.fit(x, y, epochs=50, batch_size=8, verbose=0, callbacks=[Signal()])
    except KeyboardInterrupt:
        pass
    else:
        sys.exit(3)  # fit returned: the interrupt was lost
    assert model.history.epoch == [0, 1], model.history.epoch
    assert len(model.history.history["loss"]) == 2
    assert not model.training
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    predictions = model.predict(x[:4], verbose=0)
    assert predictions.shape == (4, 1) and np.isfinite(predictions).all()
    path = model.save(folder / "interrupted")
    loaded = sk.load_model(path)
    assert np.allclose(loaded.predict(x[:4], verbose=0), predictions, atol=1e-6)
    sys.exit(42)
""")


def run_child(tmp_path: Path, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, str(script), mode, str(tmp_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_a_sigint_from_the_process_itself(tmp_path: Path) -> None:
    child = run_child(tmp_path, "self")
    output, _ = child.communicate(timeout=120)
    assert child.returncode == 42, output
    assert (tmp_path / "interrupted.seqkit").is_file()


@pytest.mark.slow
def test_a_sigint_from_the_parent_mid_epoch(tmp_path: Path) -> None:
    child = run_child(tmp_path, "parent")
    deadline = time.monotonic() + 120
    while not (tmp_path / "ready").exists():
        assert child.poll() is None, child.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)  # into epoch 2 (0-based), which must not be recorded
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=120)
    assert child.returncode == 42, output
