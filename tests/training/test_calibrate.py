"""The ending prior of a run, and `frankenstein calibrate` for checkpoints made before it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.checkpoint import load_checkpoint, save_checkpoint
from core.ending import EndingPrior
from tests.core.tiny_models import tiny_model
from tests.training.conftest import tiny_settings
from training.cache import directory_files, read_split
from training.calibration import collect_step_log_probs, fit_temperature
from training.config import load_config
from training.data import build_data
from training.dataset import BatchDataset, SyntheticSource, eval_batches
from training.finish import ending_prior
from training.loop import train
from training.metrics import final_log_probs
from ui.cli import main


def _train_split_prior(glyph_dir) -> EndingPrior:
    strokes, labels = read_split(directory_files(glyph_dir), "train")
    return EndingPrior.from_drawings(labels, [len(s) for s in strokes])


def test_a_run_stores_its_training_data_stroke_counts(trained_run, glyph_dir):
    best = load_checkpoint(trained_run.run_dir / "best.pt")
    assert best.ending is not None
    np.testing.assert_array_equal(best.ending.counts, _train_split_prior(glyph_dir).counts)


def test_synthetic_sources_count_one_epoch_of_their_doodles():
    source = SyntheticSource(per_class=3, seed=5)
    train = BatchDataset([source], pad_len=8, m=32, augmenter=None, seed=0)
    seen = []
    prior = ending_prior(train, lambda done, total, what: seen.append((done, total)))
    batch = source.strokes(0, np.arange(len(source)))
    expected = EndingPrior.from_drawings(source.labels(np.arange(len(source))), batch.n_strokes)
    np.testing.assert_array_equal(prior.counts, expected.counts)
    assert prior.counts.sum(axis=1).tolist() == [3] * 18
    assert seen[-1] == (54, 54)


def test_calibrate_restores_what_training_fitted(trained_run, tmp_path, capsys):
    src = load_checkpoint(trained_run.run_dir / "best.pt")
    old = tmp_path / "old.pt"  # as saved before the ending prior existed, in half precision
    save_checkpoint(old, src.model, temperature=1.0, meta=src.meta, metrics=src.metrics, half=True)
    assert main(["calibrate", str(old)]) == 0
    assert "ending prior from" in capsys.readouterr().out
    again = load_checkpoint(old)
    np.testing.assert_array_equal(again.ending.counts, src.ending.counts)
    assert again.temperature == pytest.approx(src.temperature, rel=0.05)
    assert again.half and again.meta == src.meta


def test_calibrate_needs_the_training_config(tmp_path, capsys):
    bare = save_checkpoint(tmp_path / "bare.pt", tiny_model(), meta={"run": "x"})
    assert main(["calibrate", str(bare)]) == 2
    assert "bare.pt: holds no training config" in capsys.readouterr().err
    assert load_checkpoint(bare).ending is None


def test_calibrate_leaves_a_bundled_model_named_by_its_name_alone(tmp_path, monkeypatch, capsys):
    """`calibrate cnn`, from any folder, rewrote the installed package's cnn.pt; its
    path still refits it (how the bundled checkpoints were made). A stand-in for the
    package's folder: a regression must not touch the real one."""
    from core import checkpoint_file

    monkeypatch.setattr(checkpoint_file, "WEIGHTS_DIR", tmp_path)
    shipped = save_checkpoint(tmp_path / "cnn.pt", tiny_model(), meta={"run": "x"})
    before = shipped.read_bytes()
    assert main(["calibrate", "cnn"]) == 2
    err = capsys.readouterr().err
    assert "'cnn' is a bundled model" in err and str(shipped) in err
    assert shipped.read_bytes() == before
    assert main(["calibrate", str(shipped)]) == 2  # its path is taken (and this one is bare)
    assert "cnn.pt: holds no training config" in capsys.readouterr().err


def test_calibrate_names_a_missing_data_directory(trained_run, tmp_path, capsys):
    src = load_checkpoint(trained_run.run_dir / "best.pt")
    moved = tmp_path / "data"
    cfg = dict(src.meta["config"])
    cfg["data"] = {**cfg["data"], "sources": [str(moved)]}
    path = save_checkpoint(tmp_path / "c.pt", src.model, meta={**src.meta, "config": cfg})
    assert main(["calibrate", str(path)]) == 2
    assert f"{moved}: data directory not found" in capsys.readouterr().err


def test_calibrate_refuses_a_folder_it_cannot_write_before_rebuilding_data(
    trained_run, tmp_path, capsys
):
    """A checkpoint in a read-only folder (here an immutable one, which binds root too)
    is refused at once, not after the minutes of rebuilding its data."""
    locked = tmp_path / "locked"
    locked.mkdir()
    ckpt = locked / "best.pt"
    ckpt.write_bytes((trained_run.run_dir / "best.pt").read_bytes())
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        code = main(["calibrate", str(ckpt)])
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    err = capsys.readouterr().err
    assert not (tmp_path / "cache").exists()  # its data was not rebuilt
    assert code == 2 and f"cannot write into {locked}" in err
    assert ckpt.read_bytes() == (trained_run.run_dir / "best.pt").read_bytes()


def test_final_stroke_runs_calibrate_on_final_strokes_and_store_no_prior(
    glyph_dir, tmp_path, capsys
):
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, loss_at="final"), "name=f"])
    assert train(cfg).status == "completed"
    path = tmp_path / "f" / "best.pt"
    best = load_checkpoint(path)
    assert best.ending is None  # its guesses already say "if it ends here"
    cpu = torch.device("cpu")
    batches = list(eval_batches(build_data(cfg).val, 64))
    finals, labels = collect_step_log_probs(best.model, batches, cpu, at="final")
    every, every_labels = collect_step_log_probs(best.model, batches, cpu)
    frames, lengths, first_labels = batches[0]
    with torch.no_grad():
        first = final_log_probs(best.model(frames, lengths), lengths)
    torch.testing.assert_close(finals[: len(first)], first)
    assert torch.equal(labels[: len(first)], first_labels) and len(finals) < len(every)
    assert best.temperature == pytest.approx(fit_temperature(finals, labels), rel=1e-6)
    assert best.temperature != pytest.approx(fit_temperature(every, every_labels), rel=0.01)
    # `frankenstein calibrate` refits it the same way
    save_checkpoint(path, best.model, temperature=1.0, meta=best.meta, metrics=best.metrics)
    assert main(["calibrate", str(path)]) == 0
    assert "no ending prior (trained at the final stroke only)" in capsys.readouterr().out
    again = load_checkpoint(path)
    assert again.ending is None and again.temperature == pytest.approx(best.temperature)
    # and `frankenstein eval` says why it has no prior, without the advice to calibrate
    assert main(["eval", "--model", str(path), "--data", str(glyph_dir), "--limit", "1"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "trained at the final stroke only" in said and "adds it" not in said


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_calibrate_shows_its_progress_on_stderr_and_ctrl_c_leaves_the_checkpoint(
    trained_run, tmp_path, sig
):
    """Rebuilding a real run's data, replaying its validation set and fitting take
    minutes: a bar on stderr says which (stdout: the result line only). Ctrl-C (or
    SIGTERM) in any of them leaves the checkpoint as it was, with one line and exit
    status 130."""
    import shutil

    from tests.terminal import run_cli

    ckpt = tmp_path / "best.pt"
    shutil.copy(trained_run.run_dir / "best.pt", ckpt)
    before = ckpt.read_bytes()
    env = {"FRANKENSTEIN_CACHE": str(tmp_path / "cache")}  # prepared again: seconds
    stopped = run_cli(
        ["calibrate", str(ckpt)], env=env, interrupt_on=": reading ", interrupt_with=sig
    )
    assert stopped.returncode == 130, stopped.err
    assert stopped.err_lines[-1] == "frankenstein: interrupted" and "Traceback" not in stopped.err
    assert ckpt.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "best.pt",
        "cache",
    ]
    assert not list((tmp_path / "cache" / "prepared").iterdir())  # no half-prepared split

    r = run_cli(["calibrate", str(ckpt)], env=env)
    assert r.returncode == 0, r.err
    for what in (
        "/54 val: reading circle",
        "calibrating best.pt: the validation set's log-probabilities",
        "calibrating best.pt: fitting the temperature",
        "fitting familiarity",
    ):
        assert what in r.err
    (line,) = r.out.splitlines()
    assert line.startswith(f"{ckpt}: temperature ")


@pytest.mark.parametrize("sig", ["INT", "TERM"], ids=["SIGINT", "SIGTERM"])
def test_a_signal_as_calibrate_replaces_the_checkpoint_leaves_it_as_it_was(
    trained_run, tmp_path, sig
):
    """The new checkpoint is written whole beside the old one; Ctrl-C or SIGTERM before
    it is renamed into place: the old one stays, and the temporary file goes."""
    import shutil

    child = Path(__file__).resolve().parents[1] / "signal_at.py"
    folder = tmp_path / "run"
    folder.mkdir()
    ckpt = folder / "best.pt"
    shutil.copy(trained_run.run_dir / "best.pt", ckpt)
    before = ckpt.read_bytes()
    r = subprocess.run(
        [sys.executable, str(child), sig, "rename:best.pt", "calibrate", str(ckpt)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (r.returncode, r.stdout) == (130, ""), r.stderr
    assert r.stderr.splitlines()[-1] == "frankenstein: interrupted"
    assert "Traceback" not in r.stderr
    assert ckpt.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["best.pt"]  # no .best.pt.*.tmp


def test_calibrate_says_a_relative_data_folder_is_from_where_the_run_was_trained(
    trained_run, tmp_path, monkeypatch, capsys
):
    """A checkpoint of a run made before its data folders were kept absolute names them
    from the folder it was trained in: from another, calibrate says so."""
    src = load_checkpoint(trained_run.run_dir / "best.pt")
    cfg = dict(src.meta["config"])
    cfg["data"] = {**cfg["data"], "sources": ["data/mine"]}
    path = save_checkpoint(tmp_path / "c.pt", src.model, meta={**src.meta, "config": cfg})
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {path}: its training config: data.sources 'data/mine' is "
        f"relative to the folder the run was trained in, and not found from here "
        f"({tmp_path}): if the run was trained elsewhere, calibrate from there\n"
    )
