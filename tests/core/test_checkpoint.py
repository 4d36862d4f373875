import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest
import torch

import core.checkpoint as checkpoint
import core.checkpoint_file as checkpoint_file
from core.checkpoint import (
    CheckpointError,
    export_checkpoint,
    load_checkpoint,
    resolve_checkpoint,
    save_checkpoint,
)
from core.classes import CLASSES
from core.ending import EndingPrior
from core.modelconfig import model_config
from core.models import build_model
from tests.core.tiny_models import random_strokes, tiny_familiarity, tiny_model


@pytest.fixture(scope="module")
def frames():
    from core.raster import rasterize_batch

    rng = np.random.default_rng(3)
    f, n = rasterize_batch([random_strokes(rng, k) for k in (1, 4, 9)], 8, 64)
    return torch.from_numpy(f), torch.from_numpy(n)


def _outputs(model, frames):
    with torch.no_grad():
        return model(*frames)


@pytest.mark.parametrize("arch, thicken", [("frankenstein", 1), ("cnn", 1), ("cnn", 3)])
def test_round_trip_is_exact_in_fp32(tmp_path, arch, thicken, frames):
    model = tiny_model(arch, thicken=thicken)
    path = save_checkpoint(
        tmp_path / "run" / "best.pt",
        model,
        temperature=1.3,
        meta={"epoch": np.int64(4), "run": "r1", "data": tmp_path, "seeds": (1, 2)},
        metrics={"val_top1": np.float32(0.75), "per_class": np.arange(3)},
    )
    ckpt = load_checkpoint(path)
    assert ckpt.cfg == model.cfg and ckpt.classes == CLASSES and ckpt.path == path
    assert not ckpt.model.training
    assert ckpt.temperature == pytest.approx(1.3)
    assert ckpt.meta == {"epoch": 4, "run": "r1", "data": str(tmp_path), "seeds": (1, 2)}
    assert ckpt.metrics["val_top1"] == pytest.approx(0.75)
    assert torch.equal(ckpt.metrics["per_class"], torch.arange(3))
    assert ckpt.extra is None
    torch.testing.assert_close(
        _outputs(ckpt.model, frames), _outputs(model, frames), rtol=0, atol=0
    )


def test_half_precision_halves_the_file_and_loads_as_fp32(tmp_path, frames):
    model = tiny_model("frankenstein", channels=(8, 16, 32), lstm_hidden=32, lstm_proj=16)
    full = save_checkpoint(tmp_path / "full.pt", model)
    half = save_checkpoint(tmp_path / "half.pt", model, half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded = load_checkpoint(half).model
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    torch.testing.assert_close(_outputs(loaded, frames), _outputs(model, frames), atol=2e-2, rtol=0)


def test_extra_holds_optimiser_state_for_resume(tmp_path, frames):
    model = tiny_model("frankenstein")
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(*frames).sum().backward()
    opt.step()
    path = save_checkpoint(
        tmp_path / "last.pt", model, extra={"optimizer": opt.state_dict(), "epoch": 3}
    )
    ckpt = load_checkpoint(path)
    opt2 = torch.optim.AdamW(ckpt.model.parameters(), lr=1e-3)
    opt2.load_state_dict(ckpt.extra["optimizer"])
    assert ckpt.extra["epoch"] == 3
    assert opt2.state_dict()["state"][0]["step"] == opt.state_dict()["state"][0]["step"]


def test_export_drops_resume_state_and_keeps_what_the_classifier_needs(tmp_path, frames):
    model = tiny_model("frankenstein", channels=(8, 16, 32), lstm_hidden=32, lstm_proj=16)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(*frames).sum().backward()
    opt.step()
    last = save_checkpoint(
        tmp_path / "run" / "last.pt",
        model,
        temperature=1.7,
        meta={"run": "r1"},
        metrics={"val_acc": 0.5},
        extra={"optimizer": opt.state_dict()},
    )
    out = export_checkpoint(last, tmp_path / "weights" / "shipped.pt")
    assert out.stat().st_size < 0.3 * last.stat().st_size
    ckpt = load_checkpoint(out)
    assert ckpt.extra is None and ckpt.temperature == pytest.approx(1.7)
    assert ckpt.meta == {"run": "r1", "exported_from": "last.pt"}
    assert ckpt.metrics == {"val_acc": 0.5}
    torch.testing.assert_close(
        _outputs(ckpt.model, frames), _outputs(model.eval(), frames), atol=2e-2, rtol=0
    )


def test_export_command_names_a_broken_source(tmp_path, capsys):
    from ui.cli import main

    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert main(["export", str(bad), str(tmp_path / "out.pt")]) == 2
    assert "broken.pt: truncated or corrupt checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "out.pt").exists()


def test_export_refuses_to_replace_a_source_or_a_runs_checkpoint(tmp_path, capsys):
    """`export a/best.pt b/best.pt` (an ensemble's OUT left out) used to replace run b's
    checkpoint with a float16 copy of a's; an input named as OUT was overwritten, and a
    member named twice made an "ensemble of 2"."""
    from ui.cli import main

    runs = {}
    for name, seed in (("a", 1), ("b", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
        runs[name] = save_checkpoint(tmp_path / name / "best.pt", tiny_model("cnn", seed=seed))
    before = {name: path.read_bytes() for name, path in runs.items()}
    a, b = str(runs["a"]), str(runs["b"])
    cases = [
        ([a, b], "is the best.pt of the run"),
        ([a, a], "is one of the checkpoints it is made from"),
        ([a, str(tmp_path / "a"), str(tmp_path / "e.pt")], "is named twice"),
    ]
    for argv, said in cases:
        assert main(["export", *argv]) == 2
        assert said in capsys.readouterr().err
    assert {name: path.read_bytes() for name, path in runs.items()} == before
    assert not (tmp_path / "e.pt").exists()
    assert main(["export", a, b, str(tmp_path / "e.pt")]) == 0


def test_weights_float16_cannot_hold_are_refused_before_writing(tmp_path, capsys):
    """A weight past float16's range (65504) would be stored as infinity, a file that
    every later load refuses; the export says so and keeps float32 possible."""
    from ui.cli import main

    model = tiny_model()
    with torch.no_grad():
        model.head[3].bias[0] = 1e5
    src = save_checkpoint(tmp_path / "big.pt", model)
    out = tmp_path / "out.pt"
    assert main(["export", str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert "head.3.bias" in err and "float16" in err and "--full" in err
    assert not out.exists()
    assert main(["export", str(src), str(out), "--full"]) == 0
    assert load_checkpoint(out).model.head[3].bias[0] == 1e5


def test_unstorable_metadata_is_refused_before_writing(tmp_path):
    path = tmp_path / "c.pt"
    with pytest.raises(CheckpointError, match=r"meta\['fn'\]"):
        save_checkpoint(path, tiny_model(), meta={"fn": print})
    assert not path.exists()


def test_a_failed_save_leaves_the_old_file(tmp_path, monkeypatch, frames):
    old = tiny_model("cnn", seed=1)
    path = save_checkpoint(tmp_path / "best.pt", old)

    def crash_mid_write(obj, f, *args, **kwargs):
        f.write(b"PK\x03\x04 half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint.torch, "save", crash_mid_write)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, tiny_model("cnn", seed=2))
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["best.pt"]  # no temp file left
    loaded = load_checkpoint(path).model
    torch.testing.assert_close(_outputs(loaded, frames), _outputs(old, frames), rtol=0, atol=0)


def test_truncated_files_are_named(tmp_path):
    data = save_checkpoint(tmp_path / "good.pt", tiny_model()).read_bytes()
    for cut in (10, len(data) // 2, len(data) - 30):
        bad = tmp_path / f"cut{cut}.pt"
        bad.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match=r"cut\d+\.pt: truncated or corrupt"):
            load_checkpoint(bad)


def test_flipped_bytes_in_a_weight_are_refused(tmp_path):
    """torch.load does not check the zip's CRCs: bytes changed inside a weight would load
    as other, finite weights, and every answer of the model would be silently wrong."""
    path = save_checkpoint(tmp_path / "flip.pt", tiny_model())
    with zipfile.ZipFile(path) as archive:
        weight = max(
            (i for i in archive.infolist() if "/data/" in i.filename), key=lambda i: i.file_size
        )
    start = weight.header_offset
    data = bytearray(path.read_bytes())
    # the entry's bytes follow its local header (30 bytes, the name, the extra field)
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
    middle = start + 30 + name_len + extra_len + weight.file_size // 2
    for i in range(middle, middle + 8):
        data[i] ^= 0x01  # the lowest bit: the weights stay finite numbers
    path.write_bytes(bytes(data))
    with pytest.raises(
        CheckpointError, match=rf"flip\.pt: corrupt checkpoint: a CRC mismatch in {weight.filename}"
    ):
        load_checkpoint(path)


def test_a_plain_pickle_is_refused_without_torchs_warning(tmp_path):
    """torch warns "Detected pickle protocol 4 ..." (two lines) of any plain pickle before
    it refuses it; the one-line error is all the user needs."""
    path = tmp_path / "pickle.pt"
    path.write_bytes(pickle.dumps({"a": 1}, protocol=4))
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CheckpointError, match=r"pickle\.pt: not a checkpoint file"):
            load_checkpoint(path)
    assert [str(w.message) for w in caught] == []
    assert warnings.filters == filters  # silenced around torch.load only


class Evil:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.parametrize(
    ("name", "write", "problem"),
    [
        ("notes.pt", lambda p: p.write_text("hello\n"), "not a checkpoint file"),
        ("empty.pt", lambda p: p.write_bytes(b""), r"not a checkpoint file \(empty file\)"),
        ("dict.pkl", lambda p: p.write_bytes(pickle.dumps({"a": 1})), "not a checkpoint"),
        ("other.pt", lambda p: torch.save({"w": torch.zeros(2)}, p), "not a Frankenstein"),
        ("evil.pt", lambda p: torch.save({"x": Evil()}, p), "refused to load"),
    ],
)
def test_foreign_files_are_named(tmp_path, capsys, name, write, problem):
    path = tmp_path / name
    write(path)
    with pytest.raises(CheckpointError, match=rf"{name}: {problem}"):
        load_checkpoint(path)
    assert "never run" not in capsys.readouterr().out


def _tamper(tmp_path, change, model=None):
    """A real checkpoint with one thing changed in its payload."""
    path = save_checkpoint(tmp_path / "t.pt", model or tiny_model())
    payload = torch.load(path, weights_only=True)
    change(payload)
    torch.save(payload, path)
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda p: p.update(classes=list(reversed(CLASSES))), "class list .* another order"),
        (lambda p: p.update(classes=[*CLASSES[:-1], "star"]), r"unknown \['star'\]"),
        (lambda p: p["config"].update(lstm_proj=99), "invalid model config: .*lstm_proj"),
        (lambda p: p["config"].update(colour=1), "invalid model config: colour"),
        (lambda p: p["config"].update(lstm_hidden=16), "weight shapes do not match"),
        (lambda p: p["config"].update(arch="cnn"), "weights do not match"),
        (lambda p: p["state_dict"].pop("head.3.bias"), r"missing \['head.3.bias'\]"),
        (lambda p: p.update(version=3), "newer than this code"),
        (lambda p: p.pop("classes"), "lacks classes"),
        (lambda p: p.update(temperature=-1.0), "temperature"),
        (lambda p: p["state_dict"]["head.3.bias"].fill_(float("nan")), "NaN"),
    ],
)
def test_mismatched_checkpoints_are_named(tmp_path, change, problem):
    path = _tamper(tmp_path, change)
    with pytest.raises(CheckpointError, match=rf"t\.pt: .*{problem}"):
        load_checkpoint(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match=r"nope\.pt: no such checkpoint file"):
        load_checkpoint(tmp_path / "nope.pt")


def test_resolve_bundled_names_runs_and_paths(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint_file, "WEIGHTS_DIR", tmp_path / "weights")
    with pytest.raises(CheckpointError, match="bundled 'cnn' checkpoint is missing"):
        resolve_checkpoint("cnn")
    bundled = save_checkpoint(tmp_path / "weights" / "cnn.pt", tiny_model("cnn"))
    assert resolve_checkpoint("cnn") == bundled
    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    with pytest.raises(CheckpointError, match=r"r1: a folder with no best\.pt"):
        resolve_checkpoint(run)
    last = save_checkpoint(run / "last.pt", tiny_model())
    assert resolve_checkpoint(run) == last
    best = save_checkpoint(run / "best.pt", tiny_model())
    assert resolve_checkpoint(str(run)) == best
    assert resolve_checkpoint(best) == best
    with pytest.raises(CheckpointError, match=r"gone\.pt: no such checkpoint \(give a file"):
        resolve_checkpoint(tmp_path / "gone.pt")
    with pytest.raises(CheckpointError, match=r"frankenstien: .*did you mean 'frankenstein'"):
        resolve_checkpoint("frankenstien")


def test_default_model_checkpoint_is_a_few_megabytes_in_half(tmp_path):
    path = save_checkpoint(tmp_path / "f.pt", build_model(model_config("frankenstein")), half=True)
    assert path.stat().st_size < 6_000_000
    assert load_checkpoint(path).cfg == model_config("frankenstein")


def test_the_ending_prior_and_precision_round_trip_and_survive_export(tmp_path):
    prior = EndingPrior.from_drawings([0, 0, 5], [1, 2, 7])
    path = save_checkpoint(tmp_path / "c.pt", tiny_model(), ending=prior, half=True)
    ckpt = load_checkpoint(path)
    assert ckpt.half
    np.testing.assert_array_equal(ckpt.ending.counts, prior.counts)
    shipped = load_checkpoint(export_checkpoint(path, tmp_path / "shipped.pt"))
    np.testing.assert_array_equal(shipped.ending.counts, prior.counts)
    assert load_checkpoint(save_checkpoint(tmp_path / "plain.pt", tiny_model())).ending is None


@pytest.mark.parametrize(
    ("counts", "problem"),
    [([[1, 2]], r"\(18, K\)"), ("many", r"\(18, K\)"), ([[-1]] * 18, "whole numbers")],
)
def test_bad_stroke_counts_are_named(tmp_path, counts, problem):
    path = _tamper(tmp_path, lambda p: p.update(stroke_counts=counts))
    with pytest.raises(CheckpointError, match=rf"t\.pt: bad stroke_counts: .*{problem}"):
        load_checkpoint(path)


def test_familiarity_round_trips_survives_export_and_is_checked(tmp_path):
    model = tiny_model()
    fam = tiny_familiarity(model, limit=2.5)
    fam = type(fam)(
        fam.means, fam.precision, fam.background_mean, fam.background_precision, 2.5, 0.99
    )
    path = save_checkpoint(tmp_path / "c.pt", model, familiarity=fam, half=True)
    shipped = load_checkpoint(export_checkpoint(path, tmp_path / "shipped.pt"))
    for ckpt in (load_checkpoint(path), shipped):
        assert (ckpt.familiarity.limit, ckpt.familiarity.quantile) == (2.5, 0.99)
        np.testing.assert_allclose(ckpt.familiarity.means, fam.means, rtol=1e-6)
    assert load_checkpoint(save_checkpoint(tmp_path / "p.pt", model)).familiarity is None
    other = tiny_familiarity(tiny_model(head_hidden=6))
    wrong = save_checkpoint(tmp_path / "w.pt", model, familiarity=other)
    with pytest.raises(CheckpointError, match=r"w\.pt: familiarity statistics of shape"):
        load_checkpoint(wrong)
    path = _tamper(tmp_path, lambda p: p.update(familiarity={"means": [1.0]}))
    with pytest.raises(CheckpointError, match=r"t\.pt: bad familiarity statistics: .*must hold"):
        load_checkpoint(path)
