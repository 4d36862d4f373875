"""The results table from fixture run folders (hand-written eval.json, config.json, ...)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
from pathlib import Path

import pytest

from experiments.results import study_rows, write_results
from experiments.runner import write_status
from experiments.spec import spec_from_dict

EVAL_DIR = "/data/real"


def report(top1: float, so_far: list[float], precision: float | None, recall: float) -> dict:
    return {
        "n": 300,
        "top1": top1,
        "top3": 0.9,
        "accuracy_at_stroke": [
            {"k": k, "n": 10, "top1": 0.5, "so_far": so_far[min(k, len(so_far)) - 1]}
            for k in range(1, 9)
        ],
        "snap": {"threshold": 0.8, "precision": precision, "recall": recall},
    }


def write_run(study, run_id, model, rep, seconds, status="done"):
    from training.config import TrainConfig

    d = study / run_id
    d.mkdir(parents=True)
    cfg = TrainConfig(name=run_id, out_dir=str(study), model=model, eval_data=(EVAL_DIR,))
    (d / "config.json").write_text(json.dumps(cfg.model_dump(mode="json")))
    rows = [{"epoch": i + 1, "seconds": s} for i, s in enumerate(seconds)]
    (d / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    synthetic_test = report(0.99, [0.99], 1.0, 1.0)  # not the table's: the real set is
    (d / "eval.json").write_text(json.dumps({"test": synthetic_test, "eval_data": {EVAL_DIR: rep}}))
    write_status(d, {"status": status, "error": None, "seconds": sum(seconds)})


@pytest.fixture
def study(tmp_path):
    spec = spec_from_dict(
        {
            "name": "fixture",
            "description": "LSTM against CNN.",
            "variants": {"lstm": {"model": "frankenstein"}, "cnn": {"model": "cnn"}},
            "seeds": [0, 1, 2],
            "peers": ["dollar_p"],
        }
    )
    d = tmp_path / "fixture"
    d.mkdir()
    (d / "spec.json").write_text(json.dumps({"spec": spec.model_dump(mode="json"), "quick": True}))
    write_run(d, "lstm-s0", "frankenstein", report(0.70, [0.5, 0.6, 0.7], 0.9, 0.6), [10, 20])
    write_run(d, "lstm-s1", "frankenstein", report(0.80, [0.6, 0.7, 0.8], 0.8, 0.7), [20, 30])
    write_run(d, "lstm-s2", "frankenstein", report(0.10, [0.1], 0.1, 0.1), [1], status="failed")
    write_run(d, "cnn-s0", "cnn", report(0.60, [0.55, 0.58, 0.6], None, 0.5), [5])
    # cnn-s1 and cnn-s2 never ran; the $P peer's report is there
    peer = report(0.6667, [0.5, 0.617, 0.64], None, 0.0)
    peer.update(label="$P (leave-one-out)", ms_per_drawing=38.4)
    (d / "peers").mkdir()
    (d / "peers" / "dollar_p.json").write_text(json.dumps(peer))
    return d


def lstm_parameters() -> int:
    from core.modelconfig import model_config
    from core.models import build_model, count_parameters

    return count_parameters(build_model(model_config("frankenstein")))


def test_rows_hold_mean_and_spread_over_the_finished_seeds(study):
    lstm, cnn, peer = study_rows(study)
    assert (lstm["variant"], lstm["runs"], lstm["seeds"]) == ("lstm", 2, 3)  # s2 failed
    assert lstm["top1"] == pytest.approx(0.75)
    assert lstm["top1_std"] == pytest.approx(0.0707107, abs=1e-6)  # sample std of .7, .8
    assert lstm["acc1"] == pytest.approx(0.55) and lstm["acc3"] == pytest.approx(0.75)
    assert lstm["snap_precision"] == pytest.approx(0.85)
    assert lstm["snap_recall"] == pytest.approx(0.65)
    assert lstm["train_seconds"] == pytest.approx(40.0) and lstm[
        "train_seconds_std"
    ] == pytest.approx(14.1421356)
    assert lstm["parameters"] == lstm_parameters()
    assert lstm["latency_ms"] is None  # no best.pt to time
    assert [m for m, _s in lstm["curve"]][3:] == pytest.approx([0.75] * 5)  # finished drawings
    assert (cnn["runs"], cnn["top1"], cnn["top1_std"]) == (1, 0.6, None)  # one seed: no spread
    assert cnn["snap_precision"] is None  # no snaps: no precision
    assert cnn["parameters"] < lstm["parameters"]
    assert (peer["kind"], peer["variant"]) == ("peer", "$P (leave-one-out)")
    assert peer["top1"] == 0.6667 and peer["acc2"] == 0.617 and peer["latency_ms"] == 38.4


def test_markdown_csv_and_plot_are_written(study):
    files = write_results(study)
    assert [f.name for f in files] == ["results.md", "results.csv", "accuracy_by_stroke.png"]
    md = (study / "results.md").read_text()
    assert md.startswith("# fixture (quick)\n\nLSTM against CNN.\n")
    assert (
        "| lstm | 2/3 | 75.0 ± 7.1% | 55.0 ± 7.1% | 65.0 ± 7.1% | 75.0 ± 7.1% | 85.0 ± 7.1% |" in md
    )
    assert "| cnn | 1/3 | 60.0% | 55.0% | 58.0% | 60.0% | – | 50.0% |" in md
    assert (
        "| $P (leave-one-out) | – | 66.7% | 50.0% | 61.7% | 64.0% | – | – | – | – | 38.40 |" in md
    )
    rows = list(csv.DictReader(io.StringIO((study / "results.csv").read_text())))
    assert [r["variant"] for r in rows] == ["lstm", "cnn", "$P (leave-one-out)"]
    assert float(rows[0]["top1_mean"]) == pytest.approx(0.75)
    assert rows[1]["top1_std"] == "" and rows[2]["kind"] == "peer"
    assert float(rows[0]["after_8_mean"]) == pytest.approx(0.75)
    assert rows[0]["parameters_mean"] == str(lstm_parameters())  # exact, not 2.32e+06
    assert (study / "accuracy_by_stroke.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_signal_while_the_files_are_written_waits_until_all_three_are_in(study, monkeypatch):
    """Ctrl-C (or SIGTERM) as results.csv is about to be put in place: results.md is
    already new, so the other two follow before the signal acts; no mixed set."""

    class Stopped(Exception):
        pass

    def stop(*_):
        raise Stopped

    replace = os.replace

    def signal_at_the_csv(src, dst, *args, **kwargs):
        if Path(dst).name == "results.csv":
            signal.raise_signal(signal.SIGINT)  # its handler runs as this call returns
        return replace(src, dst, *args, **kwargs)

    old = signal.signal(signal.SIGINT, stop)
    monkeypatch.setattr(os, "replace", signal_at_the_csv)
    try:
        with pytest.raises(Stopped):
            write_results(study)
    finally:
        signal.signal(signal.SIGINT, old)
    assert "| lstm | 2/3 |" in (study / "results.md").read_text()
    assert (study / "results.csv").read_text().startswith("variant,")
    assert (study / "accuracy_by_stroke.png").read_bytes()[:4] == b"\x89PNG"


def test_a_folder_without_a_spec_is_a_clear_error(tmp_path):
    from experiments.spec import SpecError

    with pytest.raises(
        SpecError, match=r"spec\.json: missing or unreadable; is .* a study folder\?"
    ):
        study_rows(tmp_path)


def test_writing_the_table_says_what_takes_its_time(study, eval_dir):
    """The peers' evaluation ($P: half a minute on the real dev doodles) and each run's
    latency, the first time, are followed by `progress` (ablate shows it as a bar)."""
    saved = json.loads((study / "spec.json").read_text())
    saved["spec"]["eval_data"] = [str(eval_dir)]
    (study / "spec.json").write_text(json.dumps(saved))
    (study / "peers" / "dollar_p.json").unlink()  # evaluated again, on 36 drawings
    seen = []
    write_results(study, progress=lambda done, total, what: seen.append((done, total, what)))
    peer = [s for s in seen if s[2] == f"evaluating dollar_p on {eval_dir}"]
    assert peer[-1] == (36, 36, f"evaluating dollar_p on {eval_dir}")
    runs = [s[2] for s in seen if s[2].startswith("reading ")]
    assert runs == [
        f"reading {r} (its latency, once)" for r in ("lstm-s0", "lstm-s1", "lstm-s2")
    ] + [f"reading {r} (its latency, once)" for r in ("cnn-s0", "cnn-s1", "cnn-s2")]
    assert (study / "peers" / "dollar_p.json").is_file()


def test_a_peer_on_one_drawing_a_class_has_no_score_in_the_table(study, tmp_path):
    """An eval_data of one doodle a class: $P's leave-one-out read 0.0% with nothing
    said (no template of a query's class is left); results.md and the TUI's rows say
    n/a and why."""
    from core.strokes import write_ndjson
    from training.synth import generate_drawings

    one = tmp_path / "one"
    for drawing in generate_drawings(1, seed=7):
        write_ndjson([drawing], one / f"{drawing.word}.ndjson")
    saved = json.loads((study / "spec.json").read_text())
    saved["spec"]["eval_data"] = [str(one)]
    (study / "spec.json").write_text(json.dumps(saved))
    (study / "peers" / "dollar_p.json").unlink()
    write_results(study)
    md = (study / "results.md").read_text()
    row = next(line for line in md.splitlines() if line.startswith("| $P"))
    assert row.split(" | ")[2] == "n/a: one drawing a class" and "0.0%" not in row
    assert "$P (leave-one-out): every drawing is alone in its class" in md
    *_, peer = study_rows(study, latency=False)
    assert (peer["top1"], peer["top1_note"], peer["acc1"]) == (
        None,
        "n/a: one drawing a class",
        None,
    )


def test_a_peer_row_says_how_many_drawings_were_alone_in_their_class(study):
    """Some alone: counted wrong, as the models' set is scored whole, and said."""
    from experiments.results import markdown_table

    peer = json.loads((study / "peers" / "dollar_p.json").read_text())
    (study / "peers" / "dollar_p.json").write_text(json.dumps({**peer, "alone": 3}))
    md = markdown_table(study_rows(study, latency=False))
    assert md.endswith(
        "\n$P (leave-one-out): 3 drawings alone in their class, with no template of it once "
        "left out, counted wrong.\n"
    )
    assert "66.7%" in md


def test_a_status_json_that_is_not_an_object_reads_as_a_missing_one(study):
    """`[1]` (not an object) was an AttributeError; like a cut-off file, it says nothing,
    and a run with its eval.json counts."""
    (study / "lstm-s0" / "status.json").write_text("[1]\n")
    (study / "lstm-s1" / "status.json").write_text("{cut off")
    lstm, _cnn, _peer = study_rows(study)
    assert (lstm["runs"], lstm["top1"]) == (2, pytest.approx(0.75))


def test_the_legend_names_the_folder_the_accuracies_are_on(study):
    """It said "the real dev doodles" whatever the spec's eval_data was."""
    from experiments.spec import REAL_DEV

    write_results(study)  # the spec's default eval_data: the real dev doodles
    said = " ".join((study / "results.md").read_text().split())
    assert f"first eval_data directory, `{REAL_DEV}` (the real dev doodles);" in said
    saved = json.loads((study / "spec.json").read_text())
    saved["spec"]["eval_data"] = ["data/own-doodles"]
    (study / "spec.json").write_text(json.dumps(saved))
    write_results(study)
    said = " ".join((study / "results.md").read_text().split())
    assert "Accuracies are on the study's first eval_data directory, `data/own-doodles`;" in said
    assert "real dev doodles" not in said


def test_the_legend_knows_the_real_dev_doodles_wherever_they_are(study, tmp_path, monkeypatch):
    """Given by another path (`ablate --eval-data`, absolute) they were called the
    real dev doodles only where ../shared was beside the checkout."""
    saved = json.loads((study / "spec.json").read_text())

    def legend_of(first: Path) -> str:
        saved["spec"]["eval_data"] = [str(first)]
        (study / "spec.json").write_text(json.dumps(saved))
        write_results(study)
        return " ".join((study / "results.md").read_text().split())

    dev = tmp_path / "elsewhere" / "dev"
    (dev / "simplified").mkdir(parents=True)
    monkeypatch.setenv("FRANKENSTEIN_REAL_DEV", str(dev))
    assert f"`{dev / 'simplified'}` (the real dev doodles);" in legend_of(dev / "simplified")
    named = tmp_path / "copy" / "quickdraw-real-dev" / "simplified"  # theirs by name
    named.mkdir(parents=True)
    assert f"`{named}` (the real dev doodles);" in legend_of(named)
    own = tmp_path / "own" / "simplified"
    own.mkdir(parents=True)
    assert "real dev doodles" not in legend_of(own)
    monkeypatch.setenv("FRANKENSTEIN_REAL_DEV", str(tmp_path / "gone"))  # not an error here
    assert "real dev doodles" not in legend_of(own)


def test_the_top1_header_and_the_plot_name_what_was_evaluated(study):
    """An `--eval-data synth` study was headed "real top-1" and plotted as "top-1 on
    real doodles": both now name the spec's first eval_data folder, and say real
    only on the real dev doodles."""
    from experiments.results import measured_on

    def header() -> str:
        md = (study / "results.md").read_text()
        return next(line for line in md.splitlines() if line.startswith("| variant"))

    write_results(study)  # the spec's default eval_data: the real dev doodles
    assert header().startswith("| variant | seeds | real top-1 | after 1 stroke |")
    saved = json.loads((study / "spec.json").read_text())
    saved["spec"]["eval_data"] = ["/tmp/somewhere/synth"]
    (study / "spec.json").write_text(json.dumps(saved))
    write_results(study)
    assert header().startswith("| variant | seeds | top-1 on synth | after 1 stroke |")
    said = " ".join((study / "results.md").read_text().split())
    assert "$P uses the same doodles as templates" in said
    assert measured_on(["/tmp/somewhere/synth"]) == "synth"
    assert measured_on(["data/own/simplified"]) == "own/simplified"
    assert measured_on([]) is None
    from experiments.spec import REAL_DEV

    assert measured_on([REAL_DEV]) == "the real dev doodles"
