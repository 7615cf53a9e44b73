"""Bad paths for load_model and save, a full disk, killed saves' temporaries, and pickle
checkpoints: each a seqkit error that says what to do."""

from __future__ import annotations

import errno
import fcntl
import os
import pickle
import signal
import zipfile
from pathlib import Path

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import ModelFileError, ModelFileNotFoundError, ModelSaveError
from seqkit.saving import load_model
from seqkit.saving.atomic import STALE_AFTER_S


@pytest.fixture
def model() -> sk.Sequential:
    built = sk.Sequential([sk.LSTM(3), sk.Dense(1)], loss="mse")
    built.build((None, 4, 2))
    return built


@pytest.fixture
def alarm():  # a hang detector: opening a FIFO would block
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("load_model blocked"))
    signal.alarm(10)
    yield
    signal.alarm(0)


@pytest.mark.parametrize(("path", "pattern"), [
    (None, "received NoneType None"), (123, "received int 123"),
    (b"model.seqkit", "decode it first"), ("", "received ''")])
def test_a_path_that_is_not_a_path(path: object, pattern: str) -> None:
    with pytest.raises(ModelFileError, match=pattern):
        load_model(path)  # type: ignore[arg-type]


def test_a_folder_a_fifo_and_a_device_are_refused(tmp_path: Path, alarm: None) -> None:
    with pytest.raises(ModelFileError, match="which is a folder; give the file inside it"):
        load_model(tmp_path)
    fifo = tmp_path / "pipe.seqkit"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match="FIFO"):
        load_model(fifo)
    with pytest.raises(ModelFileError, match="character device"):
        load_model("/dev/zero")
    with pytest.raises(ModelFileNotFoundError, match="does not exist"):
        load_model(tmp_path / "missing.seqkit")


def test_save_onto_a_folder_or_under_a_file(tmp_path: Path, model: sk.Sequential) -> None:
    (tmp_path / "taken.seqkit").mkdir()
    with pytest.raises(ModelSaveError, match="is a folder") as info:
        model.save(tmp_path / "taken.seqkit")
    assert isinstance(info.value, OSError) and info.value.errno == errno.EISDIR
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(ModelSaveError, match="a part of the path is a file") as info:
        model.save(tmp_path / "notes.txt" / "model")
    assert info.value.filename == str(tmp_path / "notes.txt" / "model.seqkit")
    with pytest.raises(sk.errors.InputTypeError, match="save path"):
        model.save(None)  # type: ignore[arg-type]


def test_a_full_disk_names_the_path_and_keeps_the_old_file(tmp_path: Path,
                                                          model: sk.Sequential,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    path = model.save(tmp_path / "model")
    before = path.read_bytes()

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ModelSaveError, match="free space on the disk") as info:
        model.save(path)
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert str(path) in str(info.value) and info.value.filename == str(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.seqkit"]


def test_the_next_save_removes_stale_temporaries_only(tmp_path: Path,
                                                      model: sk.Sequential) -> None:
    stale = tmp_path / ".model.seqkit.0123456789ab.tmp"  # a killed save's
    stale.write_bytes(b"PK partial")
    empty_old = tmp_path / ".model.seqkit.00000000000a.tmp"  # killed before writing
    empty_old.touch()
    os.utime(empty_old, (0, 0))
    writing = tmp_path / ".model.seqkit.fedcba987654.tmp"  # another save, writing now
    writing.write_bytes(b"PK")
    empty_new = tmp_path / ".model.seqkit.00000000000b.tmp"  # created an instant ago
    empty_new.touch()
    other = tmp_path / ".other.seqkit.0123456789ab.tmp"  # another target's
    other.write_bytes(b"PK")
    held = os.open(writing, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        model.save(tmp_path / "model")
    finally:
        os.close(held)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([writing.name, empty_new.name, other.name, "model.seqkit"])
    assert STALE_AFTER_S >= 10


def test_a_pickle_checkpoint_is_refused_clearly(tmp_path: Path, regression_data) -> None:
    marker = tmp_path / "pwned"
    bad = tmp_path / "model.ckpt"
    bad.write_bytes(pickle.dumps(_Marker(str(marker))))
    with pytest.raises(ModelFileError, match="never loaded"):
        sk.Sequential.load_from_checkpoint(bad)
    x, y = regression_data
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1)], loss="mse")
    with pytest.raises(ModelFileError, match=r"fit\(ckpt_path=...\)"):
        model.fit(x, y, epochs=1, verbose=0, ckpt_path=str(bad))
    with pytest.raises(ModelFileError, match="refuses"):  # not a checkpoint at all
        sk.Sequential.load_from_checkpoint(_zip(tmp_path / "x.ckpt"))
    with pytest.raises(ModelFileNotFoundError):
        model.fit(x, y, epochs=1, verbose=0, ckpt_path=str(tmp_path / "none.ckpt"))
    assert not marker.exists()


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.pkl", b"junk")
    return path


def test_every_layer_kind_loads_through_the_meta_check(tmp_path: Path) -> None:
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype(np.float32)
    model = sk.Sequential([
        sk.Masking(0.0), sk.LSTM(3, return_sequences=True),
        sk.Bidirectional(sk.GRU(2, return_sequences=True)), sk.GlobalMaxPooling1D(),
        sk.RepeatVector(2), sk.GlobalAveragePooling1D(),
        sk.Ensemble([sk.Dense(4), sk.Dense(2)], members=2)])
    expected = model.predict(x)
    np.testing.assert_array_equal(load_model(model.save(tmp_path / "m")).predict(x), expected)
