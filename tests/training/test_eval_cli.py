import json
import shlex

import numpy as np
import pytest

from core.strokes import iter_ndjson
from tests.training.conftest import EVAL_REPORT_KEYS as KEYS
from ui.cli import main


def test_eval_writes_the_report_and_plots(trained_run, glyph_dir, tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(
        [
            "eval",
            "--model",
            str(trained_run.run_dir / "best.pt"),
            "--data",
            str(glyph_dir),
            "--json",
            str(out),
            "--plots",
            str(tmp_path / "plots"),
            "--threshold",
            "0.7",
        ]
    )
    assert code == 0
    rep = json.loads(out.read_text())
    assert list(rep) == KEYS
    live, at = rep["accuracy_at_stroke_live"], rep["accuracy_at_stroke"]
    assert [(r["k"], r["n"]) for r in live] == [(r["k"], r["n"]) for r in at]
    assert all(0 <= r["top1"] <= 1 for r in live if r["n"])
    total = sum(1 for f in glyph_dir.glob("*.ndjson") for _ in iter_ndjson(f))
    assert rep["n"] == total == 18 * 20
    assert rep["top1"] > 0.5  # the tiny model learnt the glyphs
    assert rep["snap"]["threshold"] == 0.7
    assert {"threshold", "precision", "recall", "strokes_saved", "sweep"} <= set(rep["snap"])
    assert sum(map(sum, rep["confusion"]["matrix"])) == total
    wrong = rep["snap"]["wrong_snaps"]
    assert len(wrong) == rep["snap"]["wrong"]
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "accuracy_at_stroke.png",
        "confusion.png",
        "snap_sweep.png",
        "wrong_snaps.png",  # with no wrong snap, a line saying so
    ]
    text = capsys.readouterr().out
    assert "accuracy after k strokes" in text and "confusion" in text
    assert "window: at k" in text and "normalised on their own bounding box" in text
    assert "no ending prior" not in text  # training stored one
    assert ("wrong snaps" in text) == (rep["snap"]["wrong"] > 0)
    keys = {d.key_id for f in glyph_dir.glob("*.ndjson") for d in iter_ndjson(f)}
    for w in wrong:  # each named by its key_id, in the table as in the JSON
        assert w["key_id"] in keys and w["key_id"] in text
        assert w["true"] != w["snapped"]


def test_wrong_snaps_are_listed_and_drawn(trained_run, glyph_dir, tmp_path, capsys):
    """A low threshold makes the tiny model snap wrongly; each wrong snap is a row of the
    table and a panel of wrong_snaps.png."""
    from PIL import Image

    out, plots = tmp_path / "r.json", tmp_path / "plots"
    model = str(trained_run.run_dir / "best.pt")
    flags = ["--threshold", "0.3", "--steady-steps", "1", "--json", str(out), "--plots", str(plots)]
    assert main(["eval", "--model", model, "--data", str(glyph_dir), *flags]) == 0
    snap = json.loads(out.read_text())["snap"]
    assert snap["wrong"] > 0 and len(snap["wrong_snaps"]) == snap["wrong"]
    text = capsys.readouterr().out
    assert "wrong snaps (threshold 0.30)" in text
    rows = [
        line for line in text.splitlines() if any(w["key_id"] in line for w in snap["wrong_snaps"])
    ]
    assert len(rows) == snap["wrong"]
    image = np.asarray(Image.open(plots / "wrong_snaps.png").convert("L"))
    assert image.shape[0] > 200 and (image < 128).mean() > 0.001  # ink, not a blank page


def test_a_checkpoint_without_an_ending_prior_says_so(trained_run, glyph_dir, tmp_path, capsys):
    from core.checkpoint import load_checkpoint, save_checkpoint

    best = load_checkpoint(trained_run.run_dir / "best.pt")
    old = save_checkpoint(tmp_path / "old.pt", best.model, temperature=best.temperature)
    assert main(["eval", "--model", str(old), "--data", str(glyph_dir), "--limit", "1"]) == 0
    assert f"frankenstein calibrate {old}` adds it" in capsys.readouterr().out.replace("\n", "")


def test_the_calibrate_command_it_gives_pastes(trained_run, glyph_dir, tmp_path, capsys):
    """`frankenstein calibrate /.../my runs/ünïcode/old one.pt` split at its spaces when
    pasted (and rich broke the line at one of them): quoted, on one line, it reads back."""
    from core.checkpoint import load_checkpoint, save_checkpoint
    from tests.pasted import ODD_DIR, quoted
    from ui.cli import build_parser

    best = load_checkpoint(trained_run.run_dir / "best.pt")
    folder = tmp_path.joinpath(*ODD_DIR)
    folder.mkdir(parents=True)
    old = save_checkpoint(folder / "old one.pt", best.model, temperature=best.temperature)
    assert main(["eval", "--model", str(old), "--data", str(glyph_dir), "--limit", "1"]) == 0
    (hint,) = [line for line in capsys.readouterr().out.splitlines() if "no ending prior" in line]
    args = build_parser().parse_args(shlex.split(quoted(hint))[1:])
    assert (args.command, args.checkpoint) == ("calibrate", str(old))


def test_a_run_folder_names_its_best_checkpoint(trained_run, glyph_dir, capsys):
    assert (
        main(
            ["eval", "--model", str(trained_run.run_dir), "--data", str(glyph_dir), "--limit", "2"]
        )
        == 0
    )
    assert "36" in capsys.readouterr().out  # 2 drawings a class


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        ("broken", "glyphs", "not a checkpoint file"),
        ("missing", "glyphs", "no such checkpoint"),
        ("trained", "nowhere", "data directory not found"),
    ],
)
def test_bad_inputs_are_one_line_errors(
    trained_run, glyph_dir, tmp_path, capsys, model, data, message
):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    paths = {
        "broken": broken,
        "missing": tmp_path / "missing.pt",
        "trained": trained_run.run_dir / "best.pt",
        "glyphs": glyph_dir,
        "nowhere": tmp_path / "nowhere",
    }
    code = main(["eval", "--model", str(paths[model]), "--data", str(paths[data])])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("frankenstein: error: ") and message in err and "\n" not in err


def test_bad_lines_are_named_under_the_report(trained_run, glyph_dir, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    good = (glyph_dir / "circle.ndjson").read_text().splitlines()[:2]
    bad = ["not json", '{"word": "circle", "drawing": [[[1, 2], [3]]]}']
    (data / "circle.ndjson").write_text("\n".join([*good, *bad]) + "\n")
    assert main(["eval", "--model", str(trained_run.run_dir), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "2 bad lines skipped while reading" in out
    assert "circle.ndjson:3: not valid JSON" in out
    assert "circle.ndjson:4: stroke 0 has 2 x but 1 y values" in out


def test_a_directory_of_only_bad_lines_says_why(trained_run, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "circle.ndjson").write_text("not json\n{}\n")
    assert main(["eval", "--model", str(trained_run.run_dir), "--data", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert "no drawings to evaluate (2 bad lines skipped, the first: " in err
    assert "circle.ndjson:1: not valid JSON" in err and "\n" not in err


def test_the_steadiness_rule_can_be_set_and_is_recorded(trained_run, glyph_dir, tmp_path, capsys):
    model, data = str(trained_run.run_dir / "best.pt"), str(glyph_dir)
    reports = {}
    for name, flags in {
        "default": [],
        "looser": ["--steady-steps", "2", "--steady-override", "0.99"],
    }.items():
        out = tmp_path / f"{name}.json"
        assert main(["eval", "--model", model, "--data", data, "--json", str(out), *flags]) == 0
        reports[name] = json.loads(out.read_text())["snap"]
    assert (reports["default"]["steady_steps"], reports["default"]["steady_override"]) == (3, 1.0)
    assert (reports["looser"]["steady_steps"], reports["looser"]["steady_override"]) == (2, 0.99)
    # whatever the default (stricter) rule snaps, the looser one snaps too (then or sooner)
    assert reports["default"]["snaps"] <= reports["looser"]["snaps"]
    capsys.readouterr()
    for flags, message in (
        (["--steady-steps", "0"], "--steady-steps 0: input should be greater than or equal to 1"),
        (["--steady-override", "1.5"], "--steady-override 1.5: input should be less than"),
    ):
        assert main(["eval", "--model", model, "--data", data, *flags]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("frankenstein: error: ") and message in err and "\n" not in err


def test_compare_replays_both_models_and_pairs_them(trained_run, glyph_dir, tmp_path, capsys):
    from core.checkpoint import load_checkpoint, save_checkpoint

    best = load_checkpoint(trained_run.run_dir / "best.pt")
    # a copy of the same model: the same guesses, so the two never disagree
    copy = save_checkpoint(
        tmp_path / "copy.pt", best.model, temperature=best.temperature, ending=best.ending
    )
    out = tmp_path / "r.json"
    args = ["eval", "--model", str(trained_run.run_dir), "--data", str(glyph_dir), "--limit", "3"]
    assert main([*args, "--compare", str(copy), "--json", str(out)]) == 0
    rep = json.loads(out.read_text())
    assert list(rep) == [*KEYS, "compare"] and rep["compare"]["model"] == str(copy)
    rows = rep["compare"]["rows"]
    assert rows[0]["k"] is None and rows[0]["n"] == rep["n"] == 54
    assert rows[0]["a"] == pytest.approx(rep["top1"]) == pytest.approx(rows[0]["b"])
    assert all(r["only_a"] == r["only_b"] == 0 and r["p"] == 1.0 for r in rows)
    at = {r["k"]: r["top1"] for r in rep["accuracy_at_stroke"]}
    assert all(r["a"] == at[r["k"]] for r in rows[1:])
    text = capsys.readouterr().out
    assert "drawing by drawing" in text and "McNemar" in text and "95% intervals" in text


def test_compare_with_a_missing_model_fails_before_replaying(trained_run, glyph_dir, capsys):
    args = ["eval", "--model", str(trained_run.run_dir), "--data", str(glyph_dir)]
    assert main([*args, "--compare", "frankenstien"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("frankenstein: error: ") and "did you mean 'frankenstein'?" in err


@pytest.mark.parametrize("flag", ["--threads", "--limit"])
@pytest.mark.parametrize("value", ["0", "-3"])
def test_threads_or_limit_below_one_are_a_one_line_error(glyph_dir, capsys, flag, value):
    args = ["eval", "--model", "cnn", "--data", str(glyph_dir), flag, value]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"frankenstein: error: {flag} {value}: must be at least 1"


def test_eval_shows_its_progress_on_stderr_and_the_report_on_stdout(glyph_dir):
    """Reading a real directory and computing the report of its replays take seconds to
    minutes: each says what it does on the terminal, never in the report."""
    from tests.terminal import run_cli

    r = run_cli(["eval", "--model", "cnn", "--data", str(glyph_dir), "--limit", "2"])
    assert r.returncode == 0, r.err
    assert "reading triangle.ndjson" in r.err  # the last file read, bytes of all
    assert "replaying cnn" in r.err and "36/36" in r.err  # the replay's bar, filled
    assert "computing the report of 36 replays" in r.err
    assert "top-1" in r.out and "reading" not in r.out and "replaying" not in r.out


def test_off_a_terminal_eval_draws_no_bar_at_all(glyph_dir, capsys):
    """stderr a pipe or a file: no bar, not even the blank line rich leaves behind one."""
    assert main(["eval", "--model", "cnn", "--data", str(glyph_dir), "--limit", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "top-1" in out


def test_the_heading_of_one_wrong_snap_fits_its_figure(real_dev, tmp_path, capsys):
    """A figure of one panel is 2.2 inches wide: its heading ran off both sides
    ("aps (true -> snapped; grey:"); it is wrapped to the figure's width."""
    from PIL import Image

    data = tmp_path / "one"
    data.mkdir()
    line = (real_dev / "raw" / "hexagon.ndjson").read_text().splitlines()[2]
    (data / "hexagon.ndjson").write_text(line + "\n")  # the bundled model snaps: octagon
    out, plots = tmp_path / "r.json", tmp_path / "plots"
    args = ["eval", "--model", "frankenstein", "--data", str(data), "--json", str(out)]
    assert main([*args, "--plots", str(plots)]) == 0
    assert json.loads(out.read_text())["snap"]["wrong"] == 1
    image = np.asarray(Image.open(plots / "wrong_snaps.png").convert("L"))
    assert image.shape[1] < 300  # one panel wide
    assert (image[:, :4] > 200).all() and (image[:, -4:] > 200).all()  # no text cut off


def _held_out(glyph_dir, split: str) -> dict[str, int]:
    """Drawings a class of `split`, by training/split.py's rule."""
    from collections import Counter

    from training.split import split_of

    return Counter(
        d.word for f in glyph_dir.glob("*.ndjson") for d in iter_ndjson(f) if split_of(d) == split
    )


def test_a_folder_the_model_trained_on_is_warned_of(trained_run, glyph_dir, monkeypatch, capsys):
    """--data that is one of the checkpoint's data.sources (by any path) scores drawings it
    trained on: one warning line, as train gives for such an eval_data folder."""
    monkeypatch.chdir(glyph_dir.parent)
    assert (
        main(["eval", "--model", str(trained_run.run_dir), "--data", "data", "--limit", "1"]) == 0
    )
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        f"frankenstein: warning: --data 'data' is also in {trained_run.run_dir}'s "
        "data.sources: its report scores drawings the model trained on, which measures "
        "nothing; --split test scores only the drawings the run held out"
    ]


def test_a_source_stored_relative_is_recognised(
    trained_run, glyph_dir, tmp_path, monkeypatch, capsys
):
    """A run from before sources were stored absolute keeps them as typed: read from
    here, as calibrate reads them."""
    from core.checkpoint import load_checkpoint, save_checkpoint

    best = load_checkpoint(trained_run.run_dir / "best.pt")
    old = save_checkpoint(tmp_path / "old.pt", best.model, meta={**best.meta, "data": ["data"]})
    monkeypatch.chdir(glyph_dir.parent)
    assert main(["eval", "--model", str(old), "--data", str(glyph_dir), "--limit", "1"]) == 0
    assert "is also in" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    (other / "circle.ndjson").write_text((glyph_dir / "circle.ndjson").read_text())
    assert main(["eval", "--model", str(old), "--data", str(other), "--limit", "1"]) == 0
    assert "warning" not in capsys.readouterr().err  # another folder: nothing to say


def test_an_ensemble_is_warned_of_by_its_members_sources(trained_run, glyph_dir, tmp_path, capsys):
    from core.checkpoint import export_ensemble

    best = trained_run.run_dir / "best.pt"
    both = export_ensemble([best, best], tmp_path / "both.pt")
    assert main(["eval", "--model", str(both), "--data", str(glyph_dir), "--limit", "1"]) == 0
    assert f"is also in {both}'s data.sources" in capsys.readouterr().err


@pytest.mark.parametrize("split", ["test", "val"])
def test_split_scores_only_that_split_and_says_so(trained_run, glyph_dir, tmp_path, capsys, split):
    """--split test replays the drawings the run held out (the cache's rule), with no
    warning although the folder is a source; the title and the JSON name the split."""
    out = tmp_path / "r.json"
    args = ["eval", "--model", str(trained_run.run_dir), "--data", str(glyph_dir)]
    assert main([*args, "--split", split, "--json", str(out)]) == 0
    rep = json.loads(out.read_text())
    held = _held_out(glyph_dir, split)
    assert rep["n"] == sum(held.values()) < 18 * 20 // 5 and rep["split"] == split
    assert {k: v["n"] for k, v in rep["per_class"].items() if v["n"]} == dict(held)
    if split == "test":  # the run's own report of its held-out split: the same drawings
        assert rep["n"] == json.loads((trained_run.run_dir / "eval.json").read_text())["test"]["n"]
    out_text, err = capsys.readouterr()
    assert f"on {glyph_dir} ({split} split)" in " ".join(out_text.split())  # the title
    assert "warning" not in err


def test_a_split_with_no_drawing_is_named(tmp_path, real_dev, capsys):
    """A folder of a few drawings, none in the test split, was said to have "no drawings
    to evaluate", as if it were empty."""
    from core.strokes import iter_ndjson
    from training.split import split_of

    path = real_dev / "simplified" / "circle.ndjson"
    lines = path.read_text().splitlines()
    kept = [x for x, d in zip(lines, iter_ndjson(path), strict=True) if split_of(d) != "test"]
    data = tmp_path / "few"
    data.mkdir()
    (data / "circle.ndjson").write_text("\n".join(kept[:2]) + "\n")
    args = ["eval", "--model", "frankenstein", "--data", str(data), "--split", "test"]
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        f"frankenstein: error: {data}: no drawings to evaluate in its test split (about 10% "
        "of them, by key_id)"
    )


def test_split_train_is_still_warned_of(trained_run, glyph_dir, capsys):
    args = ["eval", "--model", str(trained_run.run_dir), "--data", str(glyph_dir)]
    assert main([*args, "--split", "train", "--limit", "1"]) == 0
    assert "is also in" in capsys.readouterr().err


def test_limit_counts_within_the_split_and_compare_pairs_it(
    trained_run, glyph_dir, tmp_path, capsys
):
    """--limit takes the first N of each class among the split's drawings, and --compare
    replays the same ones."""
    from core.checkpoint import load_checkpoint, save_checkpoint

    best = load_checkpoint(trained_run.run_dir / "best.pt")
    copy = save_checkpoint(tmp_path / "copy.pt", best.model, temperature=best.temperature)
    out = tmp_path / "r.json"
    args = ["eval", "--model", str(trained_run.run_dir), "--data", str(glyph_dir)]
    flags = ["--split", "test", "--limit", "1", "--compare", str(copy), "--json", str(out)]
    assert main([*args, *flags]) == 0
    rep = json.loads(out.read_text())
    held = _held_out(glyph_dir, "test")
    assert rep["n"] == len(held) == rep["compare"]["rows"][0]["n"]
    assert all(v["n"] == (1 if k in held else 0) for k, v in rep["per_class"].items())
    assert rep["split"] == "test"


def test_many_wrong_snaps_print_the_first_and_keep_all_in_the_json(glyph_dir, tmp_path, capsys):
    """A random model, made sure of itself, snaps wrongly on most drawings: the table shows the first 20 and
    says how many more the JSON holds (a 216k-drawing folder printed some 2,000 rows)."""
    from core.checkpoint import save_checkpoint
    from tests.core.tiny_models import tiny_model

    model = save_checkpoint(tmp_path / "random.pt", tiny_model(), temperature=0.01)
    out = tmp_path / "r.json"
    flags = ["--threshold", "0.05", "--steady-steps", "1", "--json", str(out)]
    assert main(["eval", "--model", str(model), "--data", str(glyph_dir), *flags]) == 0
    wrong = json.loads(out.read_text())["snap"]["wrong_snaps"]
    assert len(wrong) > 20
    text = capsys.readouterr().out
    rows = [w for w in wrong if w["key_id"] in text.split()]
    assert rows == wrong[:20]
    assert f"and {len(wrong) - 20:,} more (all of them in --json's report)" in text
