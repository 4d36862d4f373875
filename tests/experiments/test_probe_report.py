"""The probes' shared summary and JSON output, on a real (small) evaluation."""

from __future__ import annotations

import json

from core.classifier import StrokeClassifier
from core.snap import SnapPolicy
from experiments.probes.report import probe_parser, publish
from training.replay import evaluate, read_eval_drawings


def test_publish_prints_a_line_per_variant_and_writes_the_reports(real_dev, tmp_path, capsys):
    drawings = read_eval_drawings(real_dev / "simplified", limit=2)
    reports = {
        "cnn": evaluate(StrokeClassifier.from_checkpoint("cnn"), drawings, SnapPolicy()),
        "frankenstein": evaluate(
            StrokeClassifier.from_checkpoint("frankenstein"), drawings, SnapPolicy()
        ),
    }
    out = tmp_path / "probe.json"
    publish(reports, out)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["cnn", "frankenstein"]
    for line, r in zip(lines, reports.values(), strict=True):
        assert f"top-1 {r['top1']:.1%}" in line and f"ECE {r['ece']:.3f}" in line
        assert f"at {r['snap']['threshold']}" in line
    assert lines[0].index("top-1") == lines[1].index("top-1")  # names padded to one width
    assert json.loads(out.read_text())["cnn"]["n"] == len(drawings)


def test_every_probe_takes_model_data_limit_and_json():
    args = probe_parser("A probe.\n\nMore.").parse_args(["--data", "d", "--limit", "3"])
    assert (args.model, args.data, args.limit, args.json) == ("frankenstein", "d", 3, None)


def test_a_probe_given_a_bad_input_says_so_in_one_line(real_dev, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = tmp_path / "none.pt"
    probe = [sys.executable, "-m", "experiments.probes.ensemble", "frankenstein"]
    for args, said in (
        ([str(missing), "--data", str(real_dev / "simplified")], f"{missing}: no such checkpoint"),
        (["cnn", "--data", str(tmp_path)], f"{tmp_path}: no .ndjson or .json drawing files"),
    ):
        done = subprocess.run(
            [*probe, *args], cwd=root, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.splitlines()[-1].startswith(f"ensemble: error: {said}")


def test_a_probe_shows_its_steps_on_a_terminal_and_reports_on_stdout(real_dev):
    """Its replays and fits take seconds: a bar says which step runs, on stderr only."""
    from tests.terminal import run_cli

    data = str(real_dev / "simplified")
    args = ["--model", "cnn", "--data", data, "--limit", "1", "--per-class", "1"]
    r = run_cli(args, module="experiments.probes.fit_rerank")
    assert r.returncode == 0, r.err
    assert "replaying the synthetic doodles" in r.err and "18/18" in r.err
    assert f"fitting {data}" in r.err
    assert "chosen on synthetic" in r.out and "replaying" not in r.out


def test_off_a_terminal_a_probe_draws_no_bar(real_dev, capsys):
    from experiments.probes.fit_rerank import main

    data = str(real_dev / "simplified")
    assert main(["--model", "cnn", "--data", data, "--limit", "1", "--per-class", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "chosen on synthetic" in out
