import subprocess
import sys

import pytest

from ui.cli import COMMANDS, main


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    assert len(capsys.readouterr().out) > 100


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["trian"], "invalid choice: 'trian'; did you mean 'train'?"),
        (["data", "infoo"], "invalid choice: 'infoo'; did you mean 'info'?"),
        (["draw", "--model", "cnnn"], "invalid choice: 'cnnn'; did you mean 'cnn'?"),
    ],
)
def test_a_mistyped_choice_gets_the_nearest_one(argv, suggestion, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert suggestion in err
    assert "(choose from " in err  # the whole list still follows


def test_a_choice_like_none_gets_only_the_list(capsys):
    with pytest.raises(SystemExit):
        main(["draw", "--model", "xyz"])
    err = capsys.readouterr().err
    assert "invalid choice: 'xyz' (choose from 'frankenstein', 'cnn')" in err
    assert "did you mean" not in err


@pytest.mark.parametrize(
    ("argv", "listed"), [([], COMMANDS), (["data"], ("info", "synth", "compare"))]
)
def test_a_missing_command_prints_the_help_that_lists_them(argv, listed, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    help_text, _, last = captured.err.rstrip("\n").rpartition("\n")
    for name in listed:
        assert f"\n    {name} " in help_text or f"\n    {name}\n" in help_text
    assert last.endswith(
        "error: the following arguments are required: " + ("ACTION" if argv else "COMMAND")
    )


def test_user_errors_are_one_line_without_traceback(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "ui.cli", "data", "info", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == f"frankenstein: error: {tmp_path / 'nope'}: not a directory"


def test_data_info_counts_the_real_dev_doodles(real_dev, capsys):
    assert main(["data", "info", str(real_dev / "simplified")]) == 0
    out = capsys.readouterr().out
    assert "300 drawings of 18 classes in 18 files, 0 bad lines skipped" in out
    assert "pausing" not in out  # simplified files carry no timing


def test_data_info_reports_how_long_people_pause_between_strokes(real_dev, capsys):
    assert main(["data", "info", str(real_dev / "raw")]) == 0
    out = capsys.readouterr().out
    assert "drawings pausing between two strokes: 17% over 1 s, 6% over 1.5 s" in out


def test_a_replay_prints_no_onednn_warning(real_dev, tmp_path):
    """torch warns once a process that the projected LSTM has no oneDNN kernel; the
    command line keeps that out of the user's terminal."""
    data = tmp_path / "one"
    data.mkdir()
    line = (real_dev / "simplified" / "circle.ndjson").read_text().splitlines()[0]
    (data / "circle.ndjson").write_text(line + "\n")
    r = subprocess.run(
        [sys.executable, "-m", "ui.cli", "eval", "--model", "frankenstein", "--data", str(data)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "drawings" in r.stdout and "oneDNN" not in r.stderr


def test_settings_after_a_flag_are_settings_too():
    from ui.cli import build_parser

    args = build_parser().parse_args(["train", "model=cnn", "--dry-run", "epochs=1", "name=x"])
    assert args.dry_run and args.settings == ["model=cnn", "epochs=1", "name=x"]


@pytest.mark.parametrize(
    "argv, said",
    [
        (
            ["runs", "--jsn"],
            "frankenstein runs: error: unrecognized arguments: --jsn (did you mean --json?)",
        ),
        (
            ["calibrate", "x.pt", "extra"],
            "frankenstein calibrate: error: unrecognized arguments: extra",
        ),
        (
            ["eval", "--modle", "cnn", "--data", "d"],
            "frankenstein eval: error: unrecognized arguments: --modle (did you mean --model?); "
            "the following arguments are required: --model",
        ),
    ],
)
def test_what_a_command_does_not_know_is_its_own_error(argv, said, capsys):
    """Under the command's usage line (it was the program's: `usage: frankenstein [-h]
    COMMAND ...`), with the nearest option; a missing option's cause named first."""
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: frankenstein {argv[0]} ")
    assert err.rstrip().endswith(said)


def test_paths_with_brackets_are_printed_as_they_are(real_dev, tmp_path, monkeypatch, capsys):
    """rich read a folder's [brackets] as markup: `x[/b]` raised MarkupError after the
    whole evaluation (its --json never written), and `real[old]` lost its "[old]"."""
    monkeypatch.setenv("COLUMNS", "400")  # one line a title, whatever tmp_path's length
    line = (real_dev / "simplified" / "circle.ndjson").read_text().splitlines()[0]
    folders = [tmp_path / "real[old]", tmp_path / "x[" / "b]"]
    for folder in folders:
        folder.mkdir(parents=True)
        (folder / "circle.ndjson").write_text(line + "\n")
    real, odd = map(str, folders)
    assert main(["data", "info", odd]) == 0
    assert odd in capsys.readouterr().out
    assert main(["data", "compare", real, odd]) == 0
    out = capsys.readouterr().out  # the title is wrapped to the table's width
    assert "real[old]" in out and "x[/b]" in out
    assert "\n1 class; total variation" in out  # not "1 classes"
    report = tmp_path / "report.json"
    assert main(["eval", "--model", "cnn", "--data", odd, "--json", str(report)]) == 0
    assert f"on {odd}" in capsys.readouterr().out
    assert report.is_file()


def test_a_reader_gone_before_the_output_is_exit_status_1_without_a_traceback(tmp_path):
    """`frankenstein runs | head -1`, the reader gone before the rest was written, ended
    in a BrokenPipeError traceback (as rich's commands end: 1, nothing said)."""
    run = tmp_path / "runs" / "a"
    run.mkdir(parents=True)
    (run / "config.json").write_text('{"model": {"name": "cnn"}, "epochs": 2}')
    child = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "runs", "--runs", str(tmp_path / "runs")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdout.close()  # gone before the first line
    err = child.stderr.read()
    assert child.wait(timeout=60) == 1
    assert err == ""


def test_an_empty_path_is_refused(tmp_path, monkeypatch, capsys):
    """`--out "$OUT"` with OUT unset: Path("") is the current folder, and `data synth
    --replace` removed the data files there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.ndjson").write_text("kept\n")
    with pytest.raises(SystemExit) as ended:
        main(["data", "synth", "--per-class", "1", "--out", "", "--replace"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("argument --out: an empty path (''): name a file or folder")
    assert (tmp_path / "mine.ndjson").read_text() == "kept\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "--model", "", "--data", "DATA"],
        ["eval", "--model", "cnn", "--compare", " ", "--data", "DATA"],
        ["calibrate", ""],
        ["export", "", "out.pt"],
    ],
    ids=["eval", "compare", "calibrate", "export"],
)
def test_an_empty_checkpoint_is_refused(tmp_path, monkeypatch, capsys, argv):
    """Path("") is the current folder, taken for a run folder: its best.pt was the model."""
    from tests.training.shapes import write_shapes_dir

    data = write_shapes_dir(tmp_path / "data", per_class=1)
    monkeypatch.chdir(tmp_path)
    argv = [str(data) if a == "DATA" else a for a in argv]
    assert main(argv) == 2
    empty = next(a for a in argv if not a.strip())
    assert capsys.readouterr().err.endswith(
        f"error: an empty path ({empty!r}): name a checkpoint, a run folder, or one of "
        "frankenstein, cnn\n"
    )


@pytest.mark.parametrize(
    "variable, argv",
    [
        ("FRANKENSTEIN_RUNS", ["runs"]),
        ("FRANKENSTEIN_RUNS", ["train", "--dry-run"]),
        ("FRANKENSTEIN_CACHE", ["train", "--dry-run", "out_dir=runs", "data.sources=DATA"]),
        (
            "FRANKENSTEIN_STUDIES",
            ["ablate", "lstm-vs-cnn", "--eval-data", "DATA", "--launcher", "false"],
        ),
    ],
    ids=["runs", "train", "cache", "studies"],
)
def test_a_path_variable_set_but_empty_is_refused(tmp_path, monkeypatch, capsys, variable, argv):
    """`FRANKENSTEIN_RUNS=` made `runs` say "no runs in ./ yet" and `train` write its run
    into the current folder; `FRANKENSTEIN_CACHE=` put prepared/ there."""
    from tests.training.shapes import write_shapes_dir

    data = write_shapes_dir(tmp_path / "data", per_class=2)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv(variable, "")
    assert main([a.replace("DATA", str(data)) for a in argv]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {variable} is set but empty ('', the current folder): name "
        "a folder, or unset it for the default\n"
    )
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(
    "variable, where",
    [
        ("FRANKENSTEIN_DATA", "data_dir"),
        ("FRANKENSTEIN_RUNS", "runs_dir"),
        ("FRANKENSTEIN_CACHE", "cache_dir"),
        ("FRANKENSTEIN_CONFIG", "config_dir"),
        ("FRANKENSTEIN_REAL_DEV", "real_dev_dir"),
        ("FRANKENSTEIN_STUDIES", "studies_dir"),
    ],
)
def test_every_path_variable_set_but_empty_is_named(monkeypatch, variable, where):
    from core import paths

    monkeypatch.setenv(variable, " ")
    with pytest.raises(paths.EmptyPathVariable, match=f"^{variable} is set but empty"):
        getattr(paths, where)()
    monkeypatch.delenv(variable)
    assert getattr(paths, where)() != paths.Path(".")
