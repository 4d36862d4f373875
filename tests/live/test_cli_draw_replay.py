"""`frankenstein draw --replay`: bad lines are skipped and named, as every reader does."""

import pytest

from core.checkpoint import save_checkpoint
from ui.cli import main


def test_replay_skips_bad_lines_and_names_them(tmp_path, tiny_models, real_dev, capsys):
    ckpt = tmp_path / "tiny.pt"
    save_checkpoint(ckpt, tiny_models["frankenstein"])
    good = (real_dev / "raw" / "circle.ndjson").read_text().splitlines()[:2]
    doodles = tmp_path / "circle.ndjson"
    no_strokes = '{"word": "circle", "drawing": []}'
    doodles.write_text("\n".join([good[0], no_strokes, good[1]]) + "\n")
    out = tmp_path / "shot.png"
    args = ["draw", "--checkpoint", str(ckpt), "--replay", str(doodles)]
    assert main([*args, "--screenshot", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"wrote {out}" in captured.out and out.stat().st_size > 0
    assert "frankenstein: warning: 1 bad line skipped while reading:" in captured.err
    assert f"{doodles}:2: drawing has no strokes" in captured.err
    doodles.write_text(no_strokes + "\n")
    assert main([*args, "--screenshot", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"frankenstein: error: {doodles}: no drawings to replay (1 bad line skipped, the "
        f"first: {doodles}:1: drawing has no strokes)"
    )


def test_the_limit_help_says_what_it_counts(capsys):
    with pytest.raises(SystemExit):
        main(["draw", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--limit N with --replay, the doodles to replay (default 6); with --score, the " in text
    assert "doodles a class (default all)" in text and "or a class to score" not in text


def test_the_score_help_says_what_it_reports(capsys):
    """Per class it reports recall only; precision is over every snap."""
    with pytest.raises(SystemExit):
        main(["draw", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(the checkpoint used; precision and recall, recall per class, each wrong snap)" in text


def test_an_empty_replay_file_and_a_limit_below_one_are_errors(tmp_path, capsys):
    empty = tmp_path / "circle.ndjson"
    empty.write_text("")
    shot = ["--screenshot", str(tmp_path / "shot.png")]
    assert main(["draw", "--replay", str(empty), *shot]) == 2
    assert capsys.readouterr().err.strip() == (
        f"frankenstein: error: {empty}: no drawings to replay"
    )
    for limit in ("0", "-3"):
        assert main(["draw", "--replay", str(empty), "--limit", limit, *shot]) == 2
        assert f"--limit {limit}: must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "shot.png").exists()
