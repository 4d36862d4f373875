"""`frankenstein draw`: flags, the headless screenshot, and clear errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from core.checkpoint import save_checkpoint
from ui.cli import main


def test_draw_screenshot_replays_doodles_into_a_png(tmp_path, tiny_models, real_dev, capsys):
    ckpt = tmp_path / "tiny.pt"
    save_checkpoint(ckpt, tiny_models["frankenstein"])
    out = tmp_path / "shot.png"
    args = ["draw", "--checkpoint", str(ckpt), "--threshold", "0.5", "--no-auto-snap"]
    args += ["--replay", str(real_dev / "raw" / "house.ndjson"), "--limit", "3"]
    assert main([*args, "--screenshot", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert image.shape == (600, 1060, 3)
    ink = image[:, :800].sum(axis=2) < 200
    assert ink.sum() > 500  # three houses of ink on the canvas


def test_draw_score_replays_each_doodle_and_reports_its_snaps(tmp_path, real_dev, capsys):
    data = tmp_path / "two"
    data.mkdir()
    for cls in ("square", "sun"):
        (data / f"{cls}.ndjson").write_bytes((real_dev / "raw" / f"{cls}.ndjson").read_bytes())
    assert main(["draw", "--score", str(data), "--limit", "2"]) == 0  # the bundled model
    out = capsys.readouterr().out
    assert "4 doodles replayed through the window" in out
    assert "square        recall" in out and "sun           recall" in out
    assert main(["draw", "--score", str(tmp_path / "nothing")]) == 2
    assert "nothing: data directory not found" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["draw", "--score", str(tmp_path / "empty")]) == 2
    assert "no .ndjson or .json drawing files" in capsys.readouterr().err


def test_draw_score_says_how_many_doodles_had_no_timing(tmp_path, real_dev, capsys):
    """A simplified folder was scored in silence on made-up timing, which the pause
    rule (a snap after 1.5 s) judges: the report says so, and a raw folder's not."""
    for kind in ("raw", "simplified"):
        data = tmp_path / kind
        data.mkdir()
        lines = (real_dev / kind / "square.ndjson").read_bytes().splitlines(keepends=True)
        (data / "square.ndjson").write_bytes(b"".join(lines[:2]))
    assert main(["draw", "--score", str(tmp_path / "raw")]) == 0
    assert "no timing" not in capsys.readouterr().out
    assert main(["draw", "--score", str(tmp_path / "simplified")]) == 0
    assert "(2 of 2 doodles had no timing (simplified drawings): replayed at 10 ms" in (
        capsys.readouterr().out
    )


def test_draw_score_limit_counts_drawings_a_class_as_eval_does(tmp_path, real_dev, capsys):
    data = tmp_path / "split"
    data.mkdir()
    lines = (real_dev / "raw" / "square.ndjson").read_bytes().splitlines(keepends=True)
    (data / "square.ndjson").write_bytes(b"".join(lines[:1]))  # one square here,
    (data / "more.ndjson").write_bytes(b"".join(lines[1:5]))  # four in a mixed file
    assert main(["draw", "--score", str(data), "--limit", "3"]) == 0
    assert "3 doodles replayed through the window" in capsys.readouterr().out
    args = ["eval", "--model", "frankenstein", "--data", str(data), "--limit", "3"]
    assert main([*args, "--json", str(tmp_path / "e.json")]) == 0
    assert json.loads((tmp_path / "e.json").read_text())["n"] == 3


def test_draw_score_skips_bad_lines_and_names_them(tmp_path, real_dev, capsys):
    data = tmp_path / "some"
    data.mkdir()
    good = (real_dev / "raw" / "square.ndjson").read_text().splitlines()[:2]
    (data / "square.ndjson").write_text("\n".join([good[0], "not json", good[1]]) + "\n")
    assert main(["draw", "--score", str(data)]) == 0
    out = capsys.readouterr().out
    assert "2 doodles replayed through the window" in out
    assert "1 bad line skipped while reading:" in out and "square.ndjson:2: not valid JSON" in out
    (data / "square.ndjson").write_text("not json\n")
    assert main(["draw", "--score", str(data)]) == 2
    err = capsys.readouterr().err
    assert "no drawings to score (1 bad line skipped, the first: " in err


def test_draw_score_skips_coordinates_past_float32_and_places_the_widest_it_holds(tmp_path, capsys):
    """A raw x of 1e300 was cast to an infinite float32 and crashed the replay (NaN
    to integer); x from -3e38 to 3e38 is float32, but its span overflowed in the
    placement. The first is a bad line now, the second is drawn."""
    data = tmp_path / "huge"
    data.mkdir()
    lines = [
        {"key_id": "past", "drawing": [[[0, 1e300, 5], [0, 1, 1e39], [0, 10, 20]]]},
        {"key_id": "wide", "drawing": [[[-3e38, 0, 3e38], [0, 3e38, -3e38], [0, 10, 20]]]},
    ]
    (data / "circle.ndjson").write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert main(["draw", "--score", str(data)]) == 0
    out = capsys.readouterr().out
    assert "1 doodles replayed through the window" in out
    assert "circle.ndjson:1: stroke 0 x holds a number too large (past ±3.4e+38)" in out


def test_draw_score_counts_a_doodle_as_its_files_class_and_says_so(tmp_path, real_dev, capsys):
    """The one rule of core/strokes.py: a sun pasted into square.ndjson is a square
    there (as data info, eval and training count it), named in a warning."""
    data = tmp_path / "some"
    data.mkdir()
    square = (real_dev / "raw" / "square.ndjson").read_text().splitlines()[:2]
    sun = (real_dev / "raw" / "sun.ndjson").read_text().splitlines()[0]
    (data / "square.ndjson").write_text("\n".join([*square, sun]) + "\n")
    assert main(["draw", "--score", str(data)]) == 0
    out = capsys.readouterr().out
    assert "3 doodles replayed through the window" in out
    assert "square        recall" in out and "sun           recall" not in out
    assert (
        "(1 drawing whose 'word' names another class than its file's, counted as the file's "
        f"class: {data / 'square.ndjson'}: 1 (the first: line 3, 'sun'))"
    ) in out


def test_a_screenshot_with_a_broken_checkpoint_is_refused_and_writes_nothing(tmp_path):
    """A screenshot of a checkpoint that does not load showed "model: none" and exited 0,
    where --score refused it: it is an error, and no PNG is written (the window, which
    opens before torch, says so in its panel: test_window_loading.py); one that is not
    there is refused before anything is read."""
    out = tmp_path / "shot.png"
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    missing = tmp_path / "nope.pt"

    def draw(ckpt):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "ui.cli",
                "draw",
                "--checkpoint",
                str(ckpt),
                "--screenshot",
                out,
            ],
            capture_output=True,
            text=True,
            env={"PYGLET_HEADLESS": "1", "PATH": ""},
        )

    for ckpt, problem in ((broken, "unreadable pickle data"), (empty, "empty file")):
        r = draw(ckpt)
        assert r.returncode == 2, r.stderr
        assert not out.exists()
        assert r.stderr == f"frankenstein: error: {ckpt}: not a checkpoint file ({problem})\n"
    r = draw(missing)
    assert r.returncode == 2 and not out.exists()
    assert (
        r.stderr
        == f"frankenstein: error: {missing}: no such checkpoint (give a file, a run folder, or one of frankenstein, cnn)\n"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays")
@pytest.mark.parametrize("display", [":987", None])
def test_no_display_is_a_one_line_error(tmp_path, display):
    env = {"PATH": "", "HOME": str(tmp_path)}  # no PYGLET_HEADLESS
    if display is not None:
        env["DISPLAY"] = display  # a display that is not there
    broken = tmp_path / "broken.pt"  # no model to load: quicker
    broken.write_bytes(b"not a checkpoint")
    r = subprocess.run(
        [sys.executable, "-m", "ui.cli", "draw", "--checkpoint", str(broken)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "frankenstein: error: cannot open a window (" in r.stderr
    assert "PYGLET_HEADLESS=1 renders off-screen" in r.stderr


def test_bad_flags_are_one_line_errors(capsys):
    assert main(["draw", "--threshold", "1.5", "--screenshot", "x.png"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "frankenstein: error: --threshold 1.5: input should be less than or equal to 1"


@pytest.mark.parametrize(
    ("flags", "error"),
    [
        (["--limit", "3"], "--limit 3: counts doodles of --replay or --score"),
        (["--score", "d", "--replay", "r.ndjson"], "it takes neither --replay nor --screenshot"),
        (["--score", "d", "--screenshot", "x.png"], "it takes neither --replay nor --screenshot"),
        (["--screenshot", "x.jpg"], "x.jpg: the screenshot is written as a .png file"),
        (
            ["--replay", "d"],
            "d: a directory, not a file (--replay takes one .ndjson file; --score a folder "
            "of them)",
        ),
        (["--label", "octagon", "--score", "d"], "--score and --screenshot save nothing"),
        (
            ["--label", "octogon"],
            "--label octogon: unknown class 'octogon'; did you mean 'octagon'?",
        ),
    ],
)
def test_flags_that_would_be_ignored_are_refused(flags, error, tmp_path, capsys, monkeypatch):
    """--limit alone just opened the window, --score ignored --replay and --screenshot,
    a screenshot named .jpg held PNG bytes, and --replay of a folder said only "cannot
    open (Is a directory)"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    assert main(["draw", *flags]) == 2
    assert error in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_draw_refuses_a_model_its_checkpoint_does_not_hold(tmp_path, tiny_models, capsys):
    """--model frankenstein with a CNN's checkpoint drew with the CNN under the name
    "Frankenstein (CNN+LSTM)" (and M "switched" to a CNN again): refused in one line."""
    ckpt = tmp_path / "tiny-cnn.pt"
    save_checkpoint(ckpt, tiny_models["cnn"])
    out = tmp_path / "shot.png"
    args = ["draw", "--checkpoint", str(ckpt), "--screenshot", str(out)]
    assert main([*args[:3], "--model", "frankenstein", *args[3:]]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"frankenstein: error: --model frankenstein: {ckpt} holds a cnn model; leave out "
        "--model (or give --model cnn) to draw with it"
    )
    assert not out.exists()
    assert main([*args, "--model", "cnn"]) == 0 and out.exists()


def test_label_names_the_class_s_saves_under():
    from ui.cli import build_parser
    from ui.commands.draw import _settings

    parse = build_parser().parse_args
    assert _settings(parse(["draw"])).save_label is None
    assert _settings(parse(["draw", "--label", "Hockey_Stick"])).save_label == "hockey stick"


def test_save_dir_starts_at_the_home_folder_after_a_tilde():
    """As --checkpoint's: `--save-dir ~/x` made a folder named "~" here."""
    from pathlib import Path

    from ui.cli import build_parser
    from ui.commands.draw import _settings

    args = build_parser().parse_args(["draw", "--save-dir", "~/doodles"])
    assert _settings(args).save_dir == Path.home() / "doodles"


def test_no_reopen_restores_a_new_shape_after_every_snap():
    from ui.cli import build_parser
    from ui.commands.draw import _settings

    parse = build_parser().parse_args
    assert _settings(parse(["draw"])).reopen_snaps is True
    assert _settings(parse(["draw", "--no-reopen"])).reopen_snaps is False


def test_the_steadiness_flags_reach_the_window_policy(tiny_models, capsys):
    from live.controller import Controller
    from tests.live.helpers import loader_of
    from ui.cli import build_parser, main
    from ui.commands.draw import _settings

    parse = build_parser().parse_args
    flags = ["draw", "--model", "cnn", "--steady-steps", "2", "--steady-override", "0.99"]
    c = Controller(_settings(parse(flags)), loader=loader_of(tiny_models))
    assert (c.policy.steady_steps, c.policy.steady_override) == (2, 0.99)
    shipped = Controller(
        _settings(parse(["draw", "--model", "cnn"])), loader=loader_of(tiny_models)
    )
    assert (shipped.policy.steady_steps, shipped.policy.steady_override) == (3, 1.0)
    assert main(["draw", "--steady-steps", "0", "--screenshot", "x.png"]) == 2
    assert "--steady-steps 0: input should be greater than or equal to 1" in capsys.readouterr().err


def test_ignore_familiarity_reaches_the_window_policy(tiny_models):
    from live.controller import Controller
    from tests.live.helpers import loader_of
    from ui.cli import build_parser
    from ui.commands.draw import _settings

    parse = build_parser().parse_args
    for argv, heed in ((["draw"], True), (["draw", "--ignore-familiarity"], False)):
        settings = _settings(parse(argv))
        assert settings.heed_familiarity is heed
        assert Controller(settings, loader=loader_of(tiny_models)).policy.heed_familiarity is heed


def test_draw_score_says_so_when_nothing_snaps(tmp_path, real_dev, capsys):
    from tests.core.tiny_models import tiny_model

    ckpt = save_checkpoint(tmp_path / "random.pt", tiny_model("frankenstein", seed=1))
    data = tmp_path / "one"
    data.mkdir()
    (data / "sun.ndjson").write_bytes((real_dev / "raw" / "sun.ndjson").read_bytes())
    assert main(["draw", "--checkpoint", str(ckpt), "--score", str(data), "--limit", "2"]) == 0
    out = capsys.readouterr().out  # a random model never reaches the threshold
    assert "2 doodles replayed through the window: 0 snaps, precision n/a, recall 0.0%" in out


def test_draw_score_says_so_when_the_checkpoint_has_no_familiarity(tmp_path, real_dev, capsys):
    """eval said its snaps were not checked for familiarity; draw --score, whose snaps
    are the window's, said nothing, though its figures differ from a fitted checkpoint's."""
    from core.classifier import StrokeClassifier
    from tests.core.tiny_models import tiny_model

    ckpt = save_checkpoint(tmp_path / "bare.pt", tiny_model("frankenstein", seed=1))
    data = tmp_path / "one"
    data.mkdir()
    (data / "sun.ndjson").write_bytes((real_dev / "raw" / "sun.ndjson").read_bytes())
    note = StrokeClassifier.from_checkpoint(ckpt).unchecked_familiarity(True)
    assert note.startswith("this checkpoint has no familiarity statistics")
    score = ["draw", "--checkpoint", str(ckpt), "--score", str(data), "--limit", "1"]
    assert main(score) == 0
    assert f"({note})\n" in capsys.readouterr().out
    assert main(["eval", "--model", str(ckpt), "--data", str(data), "--limit", "1"]) == 0
    assert f"({note})" in " ".join(capsys.readouterr().out.split())  # the same words
    assert main(["draw", "--score", str(data), "--limit", "1"]) == 0  # the bundled: fitted
    assert "familiarity" not in capsys.readouterr().out


def test_draw_score_lines_up_its_wrong_snaps_whatever_the_key_id(tmp_path, real_dev, capsys):
    """The key_id column was 18 wide: a key_id the window saves (live- and 16 hex digits)
    pushed its row's classes out of line with Quick, Draw!'s 16-digit ones."""
    data = tmp_path / "mixed"
    data.mkdir()
    lines = (real_dev / "raw" / "hexagon.ndjson").read_text().splitlines()
    wrong = json.loads(lines[2])  # the bundled model snaps it to an octagon
    assert wrong["key_id"] == "5643746924298240"
    saved = {**wrong, "key_id": "live-9b49be3db2044cec"}
    (data / "hexagon.ndjson").write_text(f"{json.dumps(wrong)}\n{json.dumps(saved)}\n")
    assert main(["draw", "--score", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = out[out.index("2 wrong snaps (doodle, its class -> the class snapped to):") + 1 :]
    assert rows == [
        "  5643746924298240       hexagon -> octagon",
        "  live-9b49be3db2044cec  hexagon -> octagon",
    ]


def test_draw_score_names_the_checkpoint_it_scored(tmp_path, real_dev, capsys, monkeypatch):
    """A default picked in the TUI (Runs tab, F) changes what `draw --score` replays
    through; the report must say which checkpoint its figures are of."""
    from core.paths import WEIGHTS_DIR
    from live.default_model import write_default_model
    from tests.core.tiny_models import tiny_model

    monkeypatch.setenv("FRANKENSTEIN_CONFIG", str(tmp_path / "config"))
    data = tmp_path / "one"
    data.mkdir()
    (data / "line.ndjson").write_text(
        (real_dev / "raw" / "line.ndjson").read_text().splitlines()[0] + "\n"
    )
    score = ["draw", "--score", str(data)]
    assert main(score) == 0
    bundled = f"model: Frankenstein (CNN+LSTM), the bundled {WEIGHTS_DIR / 'frankenstein.pt'}"
    assert bundled in capsys.readouterr().out
    assert main([*score, "--model", "cnn"]) == 0
    assert f"model: CNN-only, the bundled {WEIGHTS_DIR / 'cnn.pt'}" in capsys.readouterr().out

    ckpt = save_checkpoint(tmp_path / "mine.pt", tiny_model("cnn", seed=1))
    settings_file = write_default_model("cnn", ckpt)
    assert main(score) == 0
    out = capsys.readouterr().out
    assert f"model: CNN-only, {ckpt} (draw's default, set in {settings_file})" in out
    assert main([*score, "--checkpoint", str(ckpt)]) == 0
    out = capsys.readouterr().out
    assert f"model: CNN-only, {ckpt}\n" in out


def test_the_window_reads_with_an_ensemble_checkpoint(tmp_path, real_dev, capsys):
    from core.ensemble import Ensemble
    from tests.core.tiny_models import tiny_model

    ckpt = tmp_path / "pair.pt"
    members = [tiny_model("frankenstein", seed=s) for s in (1, 2)]
    save_checkpoint(ckpt, Ensemble(members, [1.0, 1.2]), half=True)
    data = tmp_path / "one"
    data.mkdir()
    (data / "sun.ndjson").write_bytes((real_dev / "raw" / "sun.ndjson").read_bytes())
    assert main(["draw", "--checkpoint", str(ckpt), "--score", str(data), "--limit", "2"]) == 0
    out = capsys.readouterr().out  # random members never snap
    assert "2 doodles replayed through the window: 0 snaps, precision n/a, recall 0.0%" in out


def test_a_checkpoint_without_model_names_its_own_model(tmp_path):
    """`draw --checkpoint cnn.pt` runs the CNN and the panel must say so, not the
    default Frankenstein; an explicit --model stays, a broken file keeps the default."""
    from core.paths import WEIGHTS_DIR
    from ui.cli import build_parser
    from ui.commands.draw import _settings

    parse = build_parser().parse_args
    cnn = str(WEIGHTS_DIR / "cnn.pt")
    assert _settings(parse(["draw", "--checkpoint", cnn])).model == "cnn"
    frankenstein = str(WEIGHTS_DIR / "frankenstein.pt")
    assert _settings(parse(["draw", "--checkpoint", frankenstein])).model == "frankenstein"
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    assert _settings(parse(["draw", "--checkpoint", str(broken)])).model == "frankenstein"


def test_draw_score_shows_its_progress_on_stderr_and_the_score_on_stdout(tmp_path, real_dev):
    from tests.terminal import run_cli

    data = tmp_path / "one"
    data.mkdir()
    (data / "sun.ndjson").write_bytes((real_dev / "raw" / "sun.ndjson").read_bytes())
    r = run_cli(["draw", "--score", str(data), "--limit", "2", "--model", "cnn"])
    assert r.returncode == 0, r.err
    assert "reading sun.ndjson" in r.err and "replaying through the window" in r.err
    assert "2 doodles replayed through the window" in r.out
    assert "reading" not in r.out and "━" not in r.out


def test_draw_no_preview_starts_with_the_completion_preview_off(tmp_path, real_dev, capsys):
    """Auto-snap off: the last doodle replayed stays ink, with the bundled model's top
    guess faint under it (the template's blue), unless --no-preview."""
    args = ["draw", "--no-auto-snap", "--replay", str(real_dev / "raw" / "square.ndjson")]
    args += ["--limit", "1"]
    blue = {}
    for flag in ("", "--no-preview"):
        out = tmp_path / f"shot{flag}.png"
        assert main([*args, *([flag] if flag else []), "--screenshot", str(out)]) == 0
        image = np.asarray(Image.open(out).convert("RGB")).astype(int)[:, :800]
        r, b = image[..., 0], image[..., 2]
        blue[flag] = int(((b > r + 40) & (r > 60)).sum())
    assert blue[""] > 200 and blue["--no-preview"] == 0


def test_the_help_names_every_key_of_the_window(capsys):
    """`draw --help` lists the keys of every action the window's help overlay lists (it
    left out P, Cmd+Shift+Z and Cmd+S)."""
    import re

    from live.settings import ACTION_HELP, KeyBindings, key_label

    with pytest.raises(SystemExit):
        main(["draw", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    text = out.split("Keys:", 1)[1].split("options:", 1)[0]  # not the usage's metavars
    keys = KeyBindings()
    missing = [
        key_label(k)
        for action in ACTION_HELP
        for k in getattr(keys, action)
        if not re.search(rf"(?<![\w+]){re.escape(key_label(k))}(?![\w+])", text)
    ]
    assert missing == []
