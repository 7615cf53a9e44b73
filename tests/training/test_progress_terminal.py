"""The progress display as a person reads it: a real pseudo-terminal, 80 columns wide, its
bytes rendered by a terminal emulator (pyte); plus the non-terminal forms."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap

import pyte
import pytest
import pytorch_lightning as pl
from rich.console import Console
from rich.progress import Progress

import seqkit as sk
from seqkit.errors import ConfigError
from seqkit.training.batch_progress import BatchProgress
from seqkit.training.progress_row import KerasRowColumn

COLUMNS, ROWS = 80, 40

# A tiny fit; each step sleeps so that the bar is redrawn (in place) within each epoch.
CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    import pytorch_lightning as pl
    import seqkit as sk

    class Slow(pl.Callback):
        def on_train_batch_end(self, *args):
            time.sleep(0.03)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6, 2)).astype("float32")
    y = x[:, -2:, 0].mean(axis=1)
    model = sk.Sequential([sk.LSTM(4), sk.Dense(1)], loss="mse", metrics=["mae"])
    if sys.argv[1] == "fit":
        print("FIT", flush=True)
        model.fit(x, y, epochs=3, verbose=1, validation_split=0.2, batch_size=8, seed=0,
                  callbacks=[Slow()])
    else:  # a user's Trainer with Lightning's default progress bar and model summary
        trainer = pl.Trainer(max_epochs=2, logger=False, enable_checkpointing=False)
        print("FIT", flush=True)
        model.fit(x, y, trainer=trainer, verbose=0)
    print("DONE", flush=True)
""")


def run_in_terminal(argv: list[str], columns: int = COLUMNS, rows: int = ROWS,
                    timeout: float = 240.0) -> bytes:
    """Runs ``argv`` on a pseudo-terminal of ``columns`` x ``rows``; returns its output."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
        env = dict(os.environ, COLUMNS=str(columns), LINES=str(rows), TERM="xterm-256color")
        for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "JUPYTER_COLUMNS"):
            env.pop(name, None)
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                os.kill(pid, 9)
                raise AssertionError(f"no output for {timeout}s: {b''.join(chunks)[-2000:]!r}")
            try:
                data = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    output = b"".join(chunks)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")[-3000:]
    return output


def screen_lines(output: bytes, columns: int = COLUMNS, rows: int = ROWS) -> list[str]:
    """What the terminal shows once ``output`` has been written: the non-empty lines."""
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(output)
    return [line.rstrip() for line in screen.display if line.strip()]


def _child(mode: str) -> list[str]:
    return [sys.executable, "-c", CHILD, mode]


def test_fit_leaves_one_row_per_epoch_in_an_80_column_terminal() -> None:
    output = run_in_terminal(_child("fit"))
    lines = screen_lines(output)
    after = lines[lines.index("FIT") + 1:]
    epochs = [line for line in after if line.startswith("Epoch")]
    assert [line.split()[1] for line in epochs] == ["1/3", "2/3", "3/3"], lines
    assert after == [*epochs, "DONE"], lines  # nothing else left on screen
    for line in epochs:
        assert len(line) <= COLUMNS, line
        assert "20/20" in line  # every step counted
        assert 0 <= line.index("loss:") < line.index("mae:") < line.index("val_loss:") \
            < line.index("val_mae:"), line
        assert "it/s" not in line and "ETA" not in line
    text = output.decode(errors="replace")
    assert "Epoch 0/" not in text and "it/s" not in text
    # The bar was live: rows were redrawn in place (carriage returns) while running.
    assert "ETA" in text and text.count("\r\x1b[2K") > 6


def test_verbose_0_silences_a_user_trainers_bar_and_summary() -> None:
    lines = screen_lines(run_in_terminal(_child("user")))
    assert lines[lines.index("FIT") + 1:] == ["DONE"], lines


def test_verbose_1_off_a_terminal_prints_one_line_per_epoch() -> None:
    child = CHILD.replace("callbacks=[Slow()]", "callbacks=[]")
    done = subprocess.run([sys.executable, "-c", child, "fit"], capture_output=True,
                          text=True, timeout=240, check=True)
    assert "\r" not in done.stdout and "━" not in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("Epoch")]
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for line in lines:
        assert line.index("loss:") < line.index("mae:") < line.index("val_loss:") \
            < line.index("val_mae:"), line


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140, 200])
@pytest.mark.parametrize("finished", [False, True])
def test_a_row_never_wraps(width: int, finished: bool) -> None:
    column = KerasRowColumn()
    column.update({"loss": 123.456789, "mae": 0.5, "accuracy": 0.987654,
                   "val_loss": 0.000012, "val_mae": 0.25, "val_accuracy": 0.5})
    console = Console(width=width, file=io.StringIO(), color_system=None)
    with Progress(column, console=console, auto_refresh=False) as progress:
        task = progress.add_task("Epoch 10/10", total=1000)
        progress.update(task, completed=1000 if finished else 500)
    lines = console.file.getvalue().rstrip("\n").split("\n")
    assert len(lines) == 1, lines
    row = lines[0].rstrip()
    assert len(row) <= width and row.startswith("Epoch 10/10") and "loss:" in row, row
    if width < 140:  # shortened: the values cut with an ellipsis
        assert row.endswith("…") and "━" not in row, row
    else:  # room for every value; at 200 for the bar and 4 decimals too
        assert "val_accuracy: 0.50" in row and not row.endswith("…"), row
        assert row.endswith("val_accuracy: 0.5000") == (width == 200), row
        assert ("━" in row) == (width == 200), row


def test_epoch_line_is_numbered_from_1_in_keras_order(regression_data, capsys) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.GRU(4), sk.Dense(1)], loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=2, verbose=2, validation_split=0.25, seed=0)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Epoch")]
    assert [ln.split(" - ")[0] for ln in lines] == ["Epoch 1/2", "Epoch 2/2"]
    parts = lines[0].split(" - ")
    assert parts[1].endswith("s") and parts[2].endswith("/step")  # elapsed, time per step
    names = [part.split(":")[0] for part in parts[3:]]
    assert names == ["loss", "mae", "val_loss", "val_mae"]


def test_explicit_verbose_with_a_user_trainer_warns_which_display_won(regression_data
                                                                       ) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.GRU(4), sk.Dense(1)], loss="mse")
    trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    with pytest.warns(UserWarning, match="Trainer's own display wins"):
        model.fit(x, y, trainer=trainer, verbose=2)


def test_verbose_0_gives_a_user_trainer_back_as_it_was(regression_data) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.GRU(4), sk.Dense(1)], loss="mse")
    trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False)
    before = list(trainer.callbacks)
    model.fit(x, y, trainer=trainer, verbose=0)
    assert trainer.callbacks[:len(before)] == before
    assert trainer.progress_bar_callback is not None
    assert trainer.progress_bar_callback.is_enabled


def test_evaluate_and_predict_take_keras_verbose(regression_data, capsys) -> None:
    x, y = regression_data
    model = sk.Sequential([sk.GRU(4), sk.Dense(1)], loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    capsys.readouterr()
    quiet = model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    model.evaluate(x, y)  # "auto", not a terminal: silent
    model.predict(x[:3], verbose="auto")
    assert capsys.readouterr().out == ""
    assert model.evaluate(x, y, verbose=2, batch_size=64) == pytest.approx(quiet)
    line = capsys.readouterr().out.strip()
    assert line.startswith("4/4 - ") and "/step - loss: " in line and " - mae: " in line
    model.predict(x, verbose=1, batch_size=64)  # 1 off a terminal: the closing line
    assert capsys.readouterr().out.startswith("4/4 - ")
    with pytest.raises(ConfigError, match="predict verbose"):
        model.predict(x, verbose=3)


def test_batch_bar_appears_only_on_long_runs() -> None:
    def run(delay: float) -> str:
        console_file = io.StringIO()
        console = Console(file=console_file, width=80, color_system=None)
        with BatchProgress(total=3, verbose=1, delay=delay, console=console) as progress:
            for _ in range(3):
                progress.advance()
            progress.finish({"loss": 0.25})
        return console_file.getvalue()

    assert run(delay=3600.0) == ""  # short: nothing drawn
    row = run(delay=0.0).strip()
    assert row.startswith("━━━━━━━━━━━━━━━━━━━━ 3/3 0s "), row
    assert row.endswith("/step - loss: 0.2500"), row
