"""What file ``save`` writes: its name (no foreign suffix extended) and its permissions."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

import seqkit as sk
from seqkit.errors import ConfigError
from seqkit.saving import load_model


@pytest.fixture
def model() -> sk.Sequential:
    built = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
    built.build((None, 4, 2))
    return built


@pytest.mark.parametrize(("name", "written"), [("model", "model.seqkit"),
                                               ("model.seqkit", "model.seqkit"),
                                               ("Model.SEQKIT", "Model.SEQKIT")])
def test_a_seqkit_name_or_no_suffix(tmp_path: Path, model: sk.Sequential, name: str,
                                    written: str) -> None:
    path = model.save(tmp_path / name)
    assert path == tmp_path / written
    assert os.listdir(tmp_path) == [written]
    assert load_model(path).get_config() == model.get_config()


@pytest.mark.parametrize(("name", "suggested"), [("m.keras", "m.seqkit"),
                                                 ("weights.pt", "weights.seqkit"),
                                                 ("model.v2", "model.seqkit")])
def test_a_foreign_suffix_is_refused(tmp_path: Path, model: sk.Sequential, name: str,
                                     suggested: str) -> None:
    with pytest.raises(ConfigError) as caught:
        model.save(str(tmp_path / name))
    message = str(caught.value)
    assert "expected a .seqkit name or no suffix" in message
    assert f"received '{tmp_path / name}'" in message
    assert message.endswith(f'use "{suggested}"')
    assert isinstance(caught.value, ValueError)
    assert os.listdir(tmp_path) == []  # nothing written, no temporary file left


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
                         ids=["umask-022", "umask-077", "umask-002"])
def test_the_file_mode_follows_the_umask_like_open(tmp_path: Path, model: sk.Sequential,
                                                   umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        path = model.save(tmp_path / "model.seqkit")
        with (tmp_path / "plain").open("w"):
            pass
        path = model.save(path)  # replacing an existing file too
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == mode  # as open() gives
    assert sorted(os.listdir(tmp_path)) == ["model.seqkit", "plain"]
