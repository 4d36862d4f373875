"""Saving drawings as Quick, Draw! ndjson and exporting the canvas as a PNG."""

import numpy as np
import pytest
from PIL import Image

from core.classes import UnknownClassError
from core.errors import FrankensteinError
from core.strokes import iter_ndjson, normalize_strokes
from tests.live.helpers import circle, draw, line

H = 600


def test_save_writes_raw_and_simplified_files_with_the_confirmed_label(make_controller):
    c = make_controller(frankenstein="circle")
    ring = circle(200, 300, 80)
    draw(c, ring, t0=10.0, dt=0.02)  # snaps: label "circle"
    c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 400), t0=11.0)  # not snapped: its top guess, also circle
    draw(c, line(600, 400, 700, 100), t0=11.5)
    paths = c.save()
    root = c.settings.save_dir
    assert sorted(paths) == [root / "raw" / "circle.ndjson", root / "simplified" / "circle.ndjson"]
    raw = list(iter_ndjson(root / "raw" / "circle.ndjson", strict=True))
    simple = list(iter_ndjson(root / "simplified" / "circle.ndjson", strict=True))
    assert [d.word for d in raw] == [d.word for d in simple] == ["circle", "circle"]
    assert [d.n_strokes for d in raw] == [1, 2] and raw[0].recognized and not raw[1].recognized
    # raw: canvas pixels with y down, ms since the shape's first point
    np.testing.assert_allclose(raw[0].strokes[0][:, 0], ring[:, 0], atol=0.06)
    np.testing.assert_allclose(raw[0].strokes[0][:, 1], H - ring[:, 1], atol=0.06)
    np.testing.assert_allclose(raw[0].times[0], 20.0 * np.arange(len(ring)), atol=0.06)
    assert raw[1].times[1][0] == pytest.approx(500.0)
    # simplified: exactly core's normalisation of the raw strokes
    for r, s in zip(raw, simple, strict=True):
        for a, b in zip(normalize_strokes(r.strokes), s.strokes, strict=True):
            np.testing.assert_array_equal(a, b)
        assert s.points().min() >= 0 and s.points().max() <= 255
    assert raw[0].key_id != raw[1].key_id
    draw(c, line(100, 550, 140, 550), t0=12.0)  # a new shape: saving again appends it
    assert c.save() == [root / "raw" / "circle.ndjson", root / "simplified" / "circle.ndjson"]
    assert len(list(iter_ndjson(root / "raw" / "circle.ndjson"))) == 3
    assert c.status.endswith("(2 saved before)")


def test_the_status_names_each_word_saved_and_how_sure_an_unsnapped_guess_was(make_controller):
    """It said only "saved 2 shapes to ...": a drawing filed under a 12% guess went
    unseen until the data was read."""
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=10.0, dt=0.02)  # snaps: circle
    c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 400), t0=11.0)  # not snapped: under its top guess
    guess = c.shapes[1].guess
    sure = f"{guess.probs[guess.index]:.0%}"
    c.save()
    assert c.status == (
        f"saved 2 shapes as circle, circle (a {sure} guess) to {c.settings.save_dir}"
    )
    draw(c, line(100, 550, 140, 550), t0=12.0)
    c.save(label="line")  # a label given is the person's word, not a guess
    assert c.status.startswith("saved 1 shape as line to ")


def test_a_save_label_files_every_shape_under_it_snapped_or_not(make_controller):
    """With no way to say what was drawn, a doodle went under whatever the model
    guessed or snapped to (a square under circle at 12%): draw --label OCTAGON files
    every shape of the session under octagon, as the status says."""
    c = make_controller(frankenstein="circle", save_label="octagon")
    draw(c, circle(200, 300, 80), t0=10.0, dt=0.02)  # snaps, to circle
    assert c.shapes[0].snap is not None
    c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 400), t0=11.0)  # a guess, circle
    c.perform("save")
    root = c.settings.save_dir
    assert sorted(p.name for p in (root / "raw").iterdir()) == ["octagon.ndjson"]
    raw = list(iter_ndjson(root / "raw" / "octagon.ndjson", strict=True))
    assert [d.word for d in raw] == ["octagon", "octagon"]
    assert c.status.startswith("saved 2 shapes as octagon, octagon to ")


def test_saving_twice_writes_each_shape_once(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=1.0)
    c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 400), t0=2.0)
    c.perform("save")
    root = c.settings.save_dir
    files = [root / kind / "circle.ndjson" for kind in ("raw", "simplified")]
    saved = [f.read_bytes() for f in files]
    c.perform("save")  # nothing changed: nothing appended
    assert [f.read_bytes() for f in files] == saved
    assert c.status.startswith("nothing new to save") and not c.scene().panel.status_error
    assert not c.unsaved
    draw(c, line(600, 400, 700, 100), t0=3.0)  # the cross changed: saved again
    assert c.unsaved
    c.perform("save")
    raw = list(iter_ndjson(files[0], strict=True))
    assert [d.n_strokes for d in raw] == [1, 1, 2] and len(list(iter_ndjson(files[1]))) == 3


def test_a_failed_save_writes_no_file_and_says_so_in_red(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=1.0)
    root = c.settings.save_dir
    root.mkdir(parents=True)
    (root / "simplified").write_text("not a folder")  # raw/ could be written, this not
    c.perform("save")
    assert not (root / "raw").exists()  # raw and simplified never disagree
    assert "cannot save the drawing" in c.status and c.scene().panel.status_error
    assert c.unsaved
    (root / "simplified").unlink()
    c.perform("save")
    assert c.status.startswith("saved 1 shape") and not c.scene().panel.status_error
    assert len(list(iter_ndjson(root / "raw" / "circle.ndjson"))) == 1


def test_an_explicit_label_names_unsnapped_shapes(make_controller):
    c = make_controller(auto_snap=False)
    draw(c, line(100, 100, 300, 300))
    paths = c.save("Hockey_Stick")
    assert {p.name for p in paths} == {"hockey stick.ndjson"}
    with pytest.raises(UnknownClassError, match="did you mean"):
        c.save("hockey stik")


def test_saving_an_empty_canvas_says_so(make_controller):
    c = make_controller()
    with pytest.raises(FrankensteinError, match="nothing to save"):
        c.save()
    c.perform("save")  # from a key: a status line, not an exception
    assert "nothing to save" in c.status


def test_a_save_that_cannot_write_names_the_file(make_controller, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    c = make_controller(save_dir=blocker)
    draw(c, line(100, 100, 300, 300))
    with pytest.raises(FrankensteinError, match=r"file/raw/.*cannot save"):
        c.save("line")


def test_export_png_paints_the_canvas_with_the_ink(make_controller, tmp_path):
    c = make_controller(auto_snap=False)
    draw(c, line(100, 500, 700, 500))  # a horizontal stroke 100 px below the top
    draw(c, [(400, 300)])  # a dot
    path = c.export_png(tmp_path / "out" / "drawing.png")
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert image.shape == (600, 800, 3)
    assert image[100, 400].sum() < 150  # ink (y flipped: canvas y 500 -> row 100)
    assert image[300, 400].sum() < 150  # the dot
    assert image[500, 400].sum() == 3 * 255  # blank canvas
    assert (image.sum(axis=2) < 150).sum() > 600 * 2  # a stroke, not a speck


def test_export_without_a_path_goes_to_the_save_dir(make_controller):
    c = make_controller(auto_snap=False)
    draw(c, line(100, 100, 300, 300))
    c.perform("export")
    (png,) = (c.settings.save_dir / "png").glob("drawing-*.png")
    assert Image.open(png).size == (800, 600) and png.name in c.status


def test_ink_saved_under_a_label_given_is_not_unsaved(make_controller):
    c = make_controller(frankenstein="circle", auto_snap=False)
    draw(c, line(100, 100, 300, 300))
    assert c.unsaved
    c.save("line")
    assert not c.unsaved and c.may_quit()


def test_a_write_failing_midway_puts_back_the_files_already_written(make_controller, monkeypatch):
    """A disk that fills up between the raw and the simplified file (no real part can
    do that on cue, so the writer fails on purpose): raw/ gets its old content back."""
    import live.save

    c = make_controller(frankenstein="circle", auto_snap=False)
    draw(c, line(100, 100, 300, 300))
    c.save()
    root = c.settings.save_dir
    before = (root / "raw" / "circle.ndjson").read_bytes()
    draw(c, circle(600, 300, 80), t0=2.0)
    real = live.save.atomic_write_bytes

    def full_disk(path, data):
        if "simplified" in str(path):
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(live.save, "atomic_write_bytes", full_disk)
    c.perform("save")
    assert "No space left on device" in c.status and c.scene().panel.status_error
    assert (root / "raw" / "circle.ndjson").read_bytes() == before


def _save_many(save_dir, worker: int, saves: int) -> None:
    """One window's saves, in a process of its own: `saves` one-stroke circles."""
    from live.canvas import Shape, Stroke
    from live.save import save_shapes

    for k in range(saves):
        ring = circle(200 + worker, 300 + k, 80)
        stroke = Stroke(ring.astype(np.float32), 0.01 * np.arange(len(ring)))
        save_shapes([(Shape(id=k, strokes=[stroke]), "circle")], save_dir, H)


def test_windows_saving_into_one_folder_at_once_keep_every_drawing(tmp_path):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")  # real processes, as two windows would be
    workers, saves = 3, 12
    procs = [ctx.Process(target=_save_many, args=(tmp_path, w, saves)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * workers
    for kind in ("raw", "simplified"):
        drawings = list(iter_ndjson(tmp_path / kind / "circle.ndjson", strict=True))
        assert len(drawings) == workers * saves  # read-modify-write lost none
        assert len({d.key_id for d in drawings}) == workers * saves


SAVE_ON_A_FULL_DISK = """
import json
import sys
from pathlib import Path

import torch

from core.modelconfig import model_config

from core.models import build_model
from live.controller import Controller
from live.settings import LiveSettings
from tests.full_disk import make_room
from tests.live.helpers import biased, circle, draw, loader_of

torch.manual_seed(0)
size = dict(channels=(4, 8, 8), head_hidden=16, dropout=0.0)
model = build_model(model_config("frankenstein", lstm_hidden=16, lstm_proj=8, **size)).eval()
settings = LiveSettings(save_dir=Path(sys.argv[1]), transition_s=0.3, steady_override=0.99)
c = Controller(settings, loader=loader_of({"frankenstein": biased(model, "circle")}))
draw(c, circle(200, 300, 80), t0=1.0)
said = []
for action in ("save", "export", "room", "save"):
    if action == "room":
        make_room()
        continue
    c.perform(action)
    said.append([c.status, c.scene().panel.status_error, c.unsaved, len(c.shapes)])
print(json.dumps(said))
"""


def test_a_save_on_a_full_disk_says_so_keeps_the_drawing_and_saves_it_once_there_is_room(
    tmp_path,
):
    """A real full disk (a file size limit in a child process) under the window's save
    and export: the status line says so in red, the shape stays on the canvas, unsaved,
    no file or temporary is left, and the next S (room made) saves it."""
    import json
    import re

    from tests.full_disk import run_with_full_disk, temporaries

    done = run_with_full_disk(["-c", SAVE_ON_A_FULL_DISK, str(tmp_path / "drawings")], 300)
    assert done.returncode == 0, done.stderr
    full, export, roomy = json.loads(done.stdout)
    raw = tmp_path / "drawings" / "raw" / "circle.ndjson"
    assert full == [f"{raw}: cannot save the drawing (File too large)", True, True, 1]
    assert re.fullmatch(
        r".*/png/drawing-.*\.png: cannot write the PNG \(File too large\)", export[0]
    )
    assert export[1:] == [True, True, 1]
    assert not (tmp_path / "drawings" / "png").exists() or not any(
        (tmp_path / "drawings" / "png").iterdir()
    )
    assert roomy[0].startswith("saved 1 shape") and roomy[1:] == [False, False, 1]
    assert len(list(iter_ndjson(raw, strict=True))) == 1
    assert temporaries(tmp_path) == []


KILLED_WHILE_SAVING = """
import os
import signal
import sys
from pathlib import Path

import numpy as np

from live.canvas import Shape, Stroke
from live.save import save_shapes
from tests.live.helpers import circle

def killed(fd):  # the save's first file is written, not yet in place: SIGKILL now
    os.kill(os.getpid(), signal.SIGKILL)

os.fsync = killed
ring = circle(200, 300, 80)
stroke = Stroke(ring.astype(np.float32), 0.01 * np.arange(len(ring)))
save_shapes([(Shape(id=0, strokes=[stroke]), "circle")], Path(sys.argv[1]), 600)
"""


def test_a_save_removes_what_a_window_killed_while_saving_left(tmp_path):
    """A window SIGKILLed in the middle of its save leaves the hidden temporary of the
    file it was writing; the next save (which holds the lock every save holds) removes
    it, and leaves alone a hidden file that no save writes."""
    import os
    import signal
    import subprocess
    import sys

    from live.canvas import Shape, Stroke
    from live.save import save_shapes
    from tests.full_disk import ROOT

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_SAVING, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = list((tmp_path / "raw").glob(".circle.ndjson.*.tmp"))
    assert len(left) == 1 and not (tmp_path / "raw" / "circle.ndjson").exists()
    other = tmp_path / "raw" / ".notes.txt.x1.tmp"  # not a save's: stays
    other.write_text("mine")
    ring = circle(100, 100, 50)
    stroke = Stroke(ring.astype(np.float32), 0.01 * np.arange(len(ring)))
    save_shapes([(Shape(id=0, strokes=[stroke]), "square")], tmp_path, H)
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == [
        ".notes.txt.x1.tmp",
        "square.ndjson",
    ]
    assert other.read_text() == "mine"
    assert len(list(iter_ndjson(tmp_path / "simplified" / "square.ndjson", strict=True))) == 1


def test_a_speck_is_not_saved_as_a_drawing(make_controller):
    """A stray click is no drawing of any class (it never snaps): saved, it became a
    one-point "drawing" labelled with whatever the model guessed of it."""
    c = make_controller(frankenstein="square")
    draw(c, line(100, 100, 300, 100), t0=0.0)
    draw(c, [(650, 500)], t0=1.0)  # a click far away: a shape of its own
    assert len(c.shapes) == 2 and c.unsaved
    c.perform("save")
    (drawing,) = iter_ndjson(c.settings.save_dir / "raw" / "square.ndjson", strict=True)
    assert drawing.n_strokes == 1 and len(drawing.strokes[0]) > 1
    assert c.status.endswith("(1 speck skipped)") and not c.unsaved  # nothing S could save
    c.clear()
    draw(c, [(400, 300)], t0=2.0)
    c.perform("save")
    assert c.status.startswith("nothing to save: only 1 speck")


def test_ink_saved_once_is_not_saved_again_under_another_label(make_controller):
    """The model switched (M) after a save: the same strokes saved again under the other
    model's guess were one doodle with two labels in the data."""
    c = make_controller(frankenstein="cloud", cnn="sun", auto_snap=False)
    draw(c, circle(300, 300, 80))
    c.perform("save")
    assert c.switch_model() and c.shapes[0].label() == "sun"
    c.perform("save")
    root = c.settings.save_dir
    assert not (root / "raw" / "sun.ndjson").exists()
    assert len(list(iter_ndjson(root / "raw" / "cloud.ndjson"))) == 1
    assert c.status == "nothing new to save: 1 shape saved already, as cloud"
    draw(c, line(600, 100, 700, 400), t0=2.0)  # another shape: saved, the first not
    c.perform("save")
    assert c.status.endswith("(1 shape saved already, as cloud)")
    assert len(list(iter_ndjson(root / "raw" / "sun.ndjson"))) == 1


def test_undo_and_redo_back_to_saved_ink_does_not_save_it_again(make_controller):
    """Only the last state saved was remembered: S after a redo back to ink saved
    before wrote the same drawing twice, and Escape asked twice for nothing."""
    c = make_controller(frankenstein="cloud", auto_snap=False)
    draw(c, circle(300, 300, 80))
    draw(c, line(250, 300, 350, 300), t0=2.0)  # across it: the same shape
    assert len(c.shapes) == 1 and c.shapes[0].n_strokes == 2
    c.perform("save")
    assert c.undo() and c.unsaved  # the circle alone was never saved
    c.perform("save")
    assert c.redo() and not c.unsaved  # the two strokes saved first
    c.perform("save")
    assert c.status == "nothing new to save: every shape is saved as it is"
    raw = list(iter_ndjson(c.settings.save_dir / "raw" / "cloud.ndjson", strict=True))
    assert [d.n_strokes for d in raw] == [2, 1]


def test_s_while_the_pen_is_down_waits_for_the_stroke(make_controller):
    """It saved the shape without the stroke being drawn and said "saved 1 shape"."""
    c = make_controller(frankenstein="cloud", auto_snap=False)
    draw(c, circle(300, 300, 80))
    c.pen_down(250, 300, 5.0)
    c.pen_move(350, 300, 5.1)
    assert c.save() == [] and c.status == "finish the stroke first"
    assert not (c.settings.save_dir / "raw").exists()
    c.pen_up(350, 310, 5.2)
    c.perform("save")
    raw = list(iter_ndjson(c.settings.save_dir / "raw" / "cloud.ndjson", strict=True))
    assert [d.n_strokes for d in raw] == [2]


def test_with_no_model_loaded_s_says_why_nothing_is_saved(settings, tmp_path):
    """No model, no class to save under; and the window has no way to give a label
    (`Controller.save(label)` is for code), so the status must not suggest one."""
    from live.controller import Controller

    c = Controller(settings.model_copy(update={"checkpoint": tmp_path / "missing.pt"}))
    draw(c, line(100, 100, 300, 300))
    c.perform("save")
    assert (
        c.status == "nothing saved: no model is loaded, so no shape has a class to be saved under"
    )
    assert c.scene().panel.status_error and not (c.settings.save_dir / "raw").exists()
    assert not c.may_quit()  # and Escape does not point to S either
    assert c.status == "unsaved ink: Esc again quits, E exports it as a PNG"
    assert c.may_quit()


def test_a_save_dir_that_is_a_file_is_named_as_not_a_directory(make_controller, tmp_path):
    """Making the folders under a file reports "File exists", which names nothing."""
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    for save_dir in (blocker, blocker / "sub"):
        c = make_controller(save_dir=save_dir)
        draw(c, line(100, 100, 300, 300))
        with pytest.raises(FrankensteinError, match=f"cannot save the drawing \\({blocker} is not"):
            c.save("line")
