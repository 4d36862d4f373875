"""What is told of a checkpoint without torch (core/checkpoint_file.py): where a name
points, and the model family its file holds, for `draw` to know before its window."""

import io
import os
import pickle
import subprocess
import sys
import zipfile

import pytest
import torch

from core.checkpoint import save_checkpoint
from core.checkpoint_file import CheckpointError, held_model
from core.ensemble import Ensemble
from tests.conftest import ROOT
from tests.core.tiny_models import tiny_model


def test_the_model_a_checkpoint_holds_is_read_from_its_header(tmp_path):
    assert held_model("frankenstein") == "frankenstein" and held_model("cnn") == "cnn"
    cnn = save_checkpoint(tmp_path / "cnn.pt", tiny_model("cnn"), half=True)
    assert held_model(cnn) == "cnn"
    run = tmp_path / "run"
    run.mkdir()
    save_checkpoint(run / "best.pt", tiny_model("frankenstein"))
    assert held_model(run) == "frankenstein"  # a run folder: its best.pt
    pair = Ensemble([tiny_model("cnn", seed=s) for s in (1, 2)], [1.0, 1.2])
    assert held_model(save_checkpoint(tmp_path / "pair.pt", pair)) == "cnn"


def _zip(path, data_pkl: bytes):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", data_pkl)
    return path


def test_a_file_that_does_not_say_is_none_for_the_load_to_explain(tmp_path):
    whole = save_checkpoint(tmp_path / "whole.pt", tiny_model("cnn")).read_bytes()
    files = {
        "garbage": b"not a checkpoint",
        "empty": b"",
        "truncated": whole[: len(whole) // 2],
        "not a torch zip": _zip(io.BytesIO(), b"").getvalue(),
    }
    torch.save({"state_dict": {}}, tmp_path / "foreign.pt")  # no checkpoint header
    torch.save({"format": "frankenstein-checkpoint", "config": {"arch": "rnn"}}, tmp_path / "x.pt")
    for name, data in files.items():
        (tmp_path / f"{name}.pt").write_bytes(data)
    for name in [*files, "foreign", "x"]:
        assert held_model(tmp_path / f"{name}.pt") is None, name


def test_what_the_pickle_names_is_never_imported_nor_run(tmp_path):
    """The header is unpickled with every global made an inert stand-in: a file whose
    pickle calls os.system runs nothing (torch.load(weights_only=True) refuses it)."""
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    data = pickle.dumps({"format": "frankenstein-checkpoint", "config": Payload()})
    assert held_model(_zip(tmp_path / "evil.pt", data)) is None
    assert not marker.exists()


def test_a_checkpoint_that_is_not_there_or_unreadable_is_an_error(tmp_path):
    with pytest.raises(CheckpointError, match=r"nope\.pt: no such checkpoint"):
        held_model(tmp_path / "nope.pt")
    if os.geteuid() != 0:  # root reads any file
        locked = save_checkpoint(tmp_path / "locked.pt", tiny_model("cnn"))
        locked.chmod(0)
        with pytest.raises(CheckpointError, match="cannot read the checkpoint"):
            held_model(locked)


def test_reading_it_imports_no_torch():
    code = "import sys; from core.checkpoint_file import held_model; "
    code += "print(held_model('cnn'), 'torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["cnn", "False"], done.stderr
