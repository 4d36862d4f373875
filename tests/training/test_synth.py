"""The synthetic doodle generator: valid simplified drawings, determinism, variety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.classes import CLASSES
from core.strokes import ReadReport, iter_ndjson, normalize_strokes
from training.synth import (
    PROGRAMS,
    VARIETIES,
    SynthError,
    generate,
    generate_batch,
    generate_drawings,
    sketch,
)
from training.synth.simplify import normalize_batch
from ui.cli import main


def check_simplified(d, cls: str) -> None:
    """What every simplified Quick, Draw! drawing is: integer points on the 0..255 grid."""
    assert d.word == cls
    assert d.n_strokes >= 1
    assert all(len(s) >= 1 for s in d.strokes)
    pts = d.points()
    assert np.array_equal(pts, np.rint(pts)), "coordinates must be integers"
    assert pts.min() >= 0 and pts.max() <= 255


def test_drawings_are_aligned_to_0_and_span_255():
    """Aligned to 0 and scaled to 255 before RDP, which may then drop an extreme point
    (RDP measures distance to a chord's line, not its segment): real files show minima
    of 0..3 and maxima of 253..255 in all 300 dev doodles; so must nearly all ours."""
    ds = list(generate_drawings(40, seed=9))
    lo = np.array([d.points().min(axis=0).max() for d in ds])
    hi = np.array([d.points().max() for d in ds])
    assert (lo == 0).mean() > 0.6
    assert (lo <= 3).mean() > 0.97
    assert (hi >= 252).mean() > 0.97


def test_every_class_has_a_program():
    assert sorted(PROGRAMS) == sorted(CLASSES)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cls=st.sampled_from(CLASSES), seed=st.integers(0, 2**32 - 1), variety=st.sampled_from(VARIETIES)
)
def test_every_class_draws_valid_simplified_doodles(cls, seed, variety):
    d = generate(cls, np.random.default_rng(seed), variety=variety)
    check_simplified(d, cls)
    # exactly Google's simplification of the hand's ink
    ink = sketch(cls, np.random.default_rng(seed), variety=variety).ink()
    ref = normalize_strokes(ink)
    assert [r.tolist() for r in ref] == [s.tolist() for s in d.strokes]


def test_deterministic_per_seed_and_seeds_differ():
    a = [drawing_key(d) for d in generate_drawings(4, seed=11)]
    b = [drawing_key(d) for d in generate_drawings(4, seed=11)]
    c = [drawing_key(d) for d in generate_drawings(4, seed=12)]
    assert a == b
    assert sum(x != y for x, y in zip(a, c, strict=True)) >= len(a) - 2


def test_generate_batch_equals_generate_one_by_one():
    items = [(CLASSES[i % 18], i) for i in range(40)]
    one = [generate(c, np.random.default_rng(s)) for c, s in items]
    many = generate_batch([(c, np.random.default_rng(s)) for c, s in items])
    assert [drawing_key(d) for d in one] == [drawing_key(d) for d in many]
    assert generate_batch([]) == []


def test_a_class_does_not_depend_on_the_others_asked_for():
    alone = [drawing_key(d) for d in generate_drawings(3, seed=2, classes=["house"])]
    among = [drawing_key(d) for d in generate_drawings(3, seed=2) if d.word == "house"]
    assert alone == among


def test_key_ids_are_unique_and_name_seed_and_class():
    ds = list(generate_drawings(6, seed=7))
    keys = [d.key_id for d in ds]
    assert len(set(keys)) == len(keys) == 6 * len(CLASSES)
    assert keys[0] == f"synth-7-{CLASSES[0]}-0"
    assert Counter(d.word for d in ds) == dict.fromkeys(CLASSES, 6)


def stroke_count_entropy(variety: str, n: int = 150) -> float:
    """Mean over classes of the entropy (bits) of the stroke-count distribution."""
    total = 0.0
    for cls in CLASSES:
        counts = Counter(d.n_strokes for d in generate_drawings(n, 3, [cls], variety))
        p = np.array(list(counts.values())) / n
        total += float(-(p * np.log2(p)).sum())
    return total / len(CLASSES)


@pytest.mark.slow
def test_one_style_has_measurably_less_variety_than_full():
    full, one = stroke_count_entropy("full"), stroke_count_entropy("one-style")
    assert one < 0.6 * full, (one, full)


def test_flat_variety_draws_every_option_more_evenly():
    """A pick's weights are half kept, half uniform: (3, 1) -> (0.625, 0.375)."""
    from training.synth.pen import Sketch

    def share_of_second(**kw) -> float:
        sk = Sketch(np.random.default_rng(5), **kw)
        return float(np.mean([sk.pick((3.0, 1.0)) for _ in range(4000)]))

    assert share_of_second() == pytest.approx(0.25, abs=0.025)
    assert share_of_second(flat=True) == pytest.approx(0.375, abs=0.025)
    assert share_of_second(full=False, flat=True) == 0.0  # one style still wins
    # the same seed draws different doodles once the choices are flattened
    full = [drawing_key(d) for d in generate_drawings(4, seed=11)]
    flat = [drawing_key(d) for d in generate_drawings(4, seed=11, variety="flat")]
    assert full != flat and len(flat) == len(full)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(SynthError, match="unknown variety 'lots'"):
        generate("circle", np.random.default_rng(0), variety="lots")
    with pytest.raises(SynthError, match="per_class"):
        list(generate_drawings(-1, 0))
    with pytest.raises(ValueError, match="unknown class"):
        generate("dragon", np.random.default_rng(0))


def test_batched_normalisation_equals_the_reference_on_real_raw_doodles(real_dev):
    """normalize_batch is core.strokes.normalize_strokes, point for point."""
    drawings = [d for f in sorted((real_dev / "raw").glob("*.ndjson")) for d in iter_ndjson(f)]
    assert len(drawings) == 300
    got = normalize_batch([d.strokes for d in drawings])
    for d, g in zip(drawings, got, strict=True):
        ref = normalize_strokes(d.strokes)
        assert len(ref) == len(g)
        for a, b in zip(ref, g, strict=True):
            np.testing.assert_array_equal(a, b)


def test_batched_normalisation_equals_the_reference_on_odd_strokes():
    rng = np.random.default_rng(0)
    drawings = []
    for _ in range(200):
        strokes = []
        for _ in range(rng.integers(1, 5)):
            n = int(rng.integers(1, 40))
            walk = np.cumsum(rng.normal(size=(n, 2)), axis=0) * rng.uniform(0.1, 40)
            if rng.random() < 0.1:
                walk[:] = walk[0]  # a stroke that never moves
            strokes.append(walk)
        drawings.append(strokes)
    drawings.append([np.array([[3.0, 4.0]])])  # a single point
    for d, g in zip(drawings, normalize_batch(drawings), strict=True):
        ref = normalize_strokes(d)
        assert [r.tolist() for r in ref] == [s.tolist() for s in g]


def test_data_synth_writes_files_every_reader_reads(tmp_path, capsys):
    out = tmp_path / "synth"
    assert main(["data", "synth", "--per-class", "4", "--out", str(out), "--seed", "3"]) == 0
    files = sorted(out.glob("*.ndjson"))
    assert [f.stem for f in files] == sorted(CLASSES)
    for f in files:
        report = ReadReport()
        ds = list(iter_ndjson(f, strict=True, report=report))
        assert report.bad == 0 and len(ds) == 4
        for d in ds:
            check_simplified(d, f.stem)
    assert "72 drawings" in capsys.readouterr().out
    # the same seed writes the same bytes
    again = tmp_path / "again"
    main(["data", "synth", "--per-class", "4", "--out", str(again), "--seed", "3"])
    assert all((again / f.name).read_bytes() == f.read_bytes() for f in files)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--per-class", "0"], "--per-class must be at least 1, got 0"),
        (["--classes", "dragn"], "unknown class 'dragn'"),
        (["--classes", " , "], "--classes: no class names given"),
        (["--seed", "-1"], "--seed must be 0 or more, got -1"),
        (["--out", "{tmp}/a-file"], "{tmp}/a-file: exists and is not a directory"),
        (
            ["--out", "{tmp}/a-file/out"],
            "cannot write into {tmp}/a-file/out ({tmp}/a-file is not a directory)",
        ),
        (["--out", "{tmp}/link"], "{tmp}/link: a link to {tmp}/nowhere/out, which does not exist"),
        (["--out", "{tmp}/full"], "cannot write {tmp}/full/sun.ndjson (Is a directory)"),
    ],
)
def test_data_synth_rejects_bad_arguments(tmp_path, capsys, argv, message):
    """One line on stderr, before any drawing (these were tracebacks, some at the end)."""
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere" / "out")
    (tmp_path / "full" / "sun.ndjson").mkdir(parents=True)
    args = ["data", "synth", "--per-class", "2", "--classes", "sun", "--out", str(tmp_path / "o")]
    assert main([*args, *(a.format(tmp=tmp_path) for a in argv)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("frankenstein: error: ")
    assert message.format(tmp=tmp_path) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "full", "link"]


def test_data_synth_draws_a_class_named_twice_once(tmp_path, capsys):
    args = ["data", "synth", "--per-class", "2", "--out", str(tmp_path / "o")]
    assert main([*args, "--classes", "sun,Sun, sun"]) == 0
    assert "2 drawings" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["sun.ndjson"]


def test_data_synth_one_style_and_a_subset_of_classes(tmp_path):
    args = ["data", "synth", "--per-class", "3", "--out", str(tmp_path), "--variety", "one-style"]
    assert main([*args, "--classes", "sun, paper clip"]) == 0
    assert sorted(f.name for f in tmp_path.iterdir()) == ["paper clip.ndjson", "sun.ndjson"]
    flat = tmp_path / "flat"
    args = ["data", "synth", "--per-class", "3", "--out", str(flat), "--variety", "flat"]
    assert main([*args, "--classes", "house"]) == 0
    assert len(list(iter_ndjson(flat / "house.ndjson"))) == 3


def drawing_key(d) -> tuple:
    return (d.word, d.key_id, tuple(tuple(map(tuple, s.tolist())) for s in d.strokes))


def test_ink_texture_is_smooth_not_fur():
    """The hand's drift is smooth and small: a straight line simplifies to a few points,
    a one-stroke circle to about as many as real ones (20-29 in the dev set), not 100."""
    rng = np.random.default_rng(1)
    lines = [generate("line", rng, variety="one-style") for _ in range(100)]
    assert max(len(s) for d in lines for s in d.strokes) <= 12
    circles = [generate("circle", rng, variety="one-style") for _ in range(100)]
    assert 15 <= np.median([len(d.strokes[0]) for d in circles]) <= 35


def test_data_synth_interrupted_leaves_the_output_folder_as_it_was(tmp_path):
    """Ctrl-C after some classes are written: the folder keeps its old files, no mix of
    old and new seeds, and no hidden leftovers beside it; a rerun then writes them all."""
    out = tmp_path / "synth"
    args = ["data", "synth", "--per-class", "3", "--out", str(out), "--seed", "1"]
    assert main(args) == 0
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "ui.cli", "data", "synth", "--per-class", "400"]
    cmd += ["--out", str(out), "--seed", "2", "--events"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "progress" and event["done"] > 2 * 400:  # two files written
            proc.send_signal(signal.SIGINT)
            break
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]
    assert main([*args[:-1], "2", "--classes", "sun"]) == 0
    assert (out / "sun.ndjson").read_bytes() != before["sun.ndjson"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]


def test_data_synth_draws_its_bar_on_stderr_and_ctrl_c_there_leaves_nothing(tmp_path):
    """From a terminal: the bar on stderr (it was on stdout, and a pipe got its last
    state), the summary alone on stdout; Ctrl-C while drawing: one line, exit 130, no
    --out and nothing hidden beside it."""
    from tests.terminal import run_cli

    out = tmp_path / "synth"
    r = run_cli(["data", "synth", "--per-class", "3", "--classes", "sun,house", "--out", str(out)])
    assert r.returncode == 0, r.err
    assert r.out == f"6 drawings (3 a class, seed 0, variety full) written to {out}\n"
    assert r.err_lines[-1].split() == ["house", "━" * 40, "6/6", "0:00:00"]  # the last drawn
    args = [
        "data",
        "synth",
        "--per-class",
        "3000",
        "--classes",
        "sun",
        "--out",
        str(tmp_path / "big"),
    ]
    stopped = run_cli(args, interrupt_on=r" [1-9]\d*/3000 ")
    assert stopped.returncode == 130, stopped.err
    assert stopped.err_lines[-1] == "frankenstein: interrupted" and stopped.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]


def test_data_synth_replace_leaves_the_new_set_as_the_only_data(tmp_path):
    """--replace drops the folder's other data files once the new ones are in (what the
    TUI's Generate asks for); without it they stay. Files that are not data stay."""
    out = tmp_path / "synth"
    out.mkdir()
    (out / "blob.ndjson").write_text("{}\n")
    (out / "sun.json").write_text("[]")  # seed format: data, the sun counted twice
    (out / "checksums.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    args = ["data", "synth", "--per-class", "2", "--out", str(out), "--classes", "sun,house"]
    assert main(args) == 0
    assert {"blob.ndjson", "sun.json"} <= {p.name for p in out.iterdir()}
    assert main([*args, "--replace"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "checksums.json",
        "house.ndjson",
        "notes.txt",
        "sun.ndjson",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]


def _long_synth(out: Path) -> tuple[list[str], dict[str, str]]:
    """`data synth --events` into `out` as a process (command, environment): far more
    than it can draw before a test signals it, even if the test process is held up while
    the child runs (at 400 a class it once finished first, on a loaded machine)."""
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "ui.cli", "data", "synth", "--per-class", "200000"]
    return [*cmd, "--out", str(out), "--events"], {**os.environ, "PYTHONPATH": str(root)}


def _signal_state(pid: int) -> dict[int, dict[str, str]]:
    """Each thread of process `pid`: its Sig* lines of /proc (pending, blocked, ignored,
    caught) and the process's shared pending set."""
    state = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        lines = (task / "status").read_text().splitlines()
        fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
        keys = ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
        state[int(task.name)] = {k: fields[k] for k in keys if k in fields}
    return state


def test_ctrl_c_interrupts_even_when_the_process_inherited_it_ignored(tmp_path):
    """A background job of a script starts with SIGINT ignored; the TUI's Stop and
    `ablate` stop their children with SIGINT, so the command line listens again."""
    cmd, env = _long_synth(tmp_path / "synth")

    def ignore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `cmd &` in a script does

    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore_sigint,
    )
    try:
        for line in proc.stdout:
            if json.loads(line)["event"] == "progress":
                proc.send_signal(signal.SIGINT)
                break
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        signals = _signal_state(proc.pid)  # caught, pending, blocked: where it went
        proc.kill()  # a child that did not heed the signal would draw for many minutes
        out, err = proc.communicate()
        last = out.splitlines()[-1] if out.strip() else "nothing"
        pytest.fail(
            f"still drawing 60 s after SIGINT (last event: {last}); its threads' signal "
            f"masks: {signals}; stderr: {err[-3000:]}"
        )
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert not (tmp_path / "synth").exists()  # stopped before anything was moved in


def test_only_the_main_thread_takes_ctrl_c_and_sigterm(tmp_path):
    """numpy's BLAS threads block SIGINT and SIGTERM, so the kernel gives them to the
    main thread: CPython 3.11 does not act on one such a thread takes
    (tests/core/test_signals.py)."""
    cmd, env = _long_synth(tmp_path / "synth")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert json.loads(proc.stdout.readline())["event"] == "progress"  # drawing now
        blocked = {tid: int(s["SigBlk"], 16) for tid, s in _signal_state(proc.pid).items()}
    finally:
        proc.kill()
        proc.communicate()
    both = 1 << (signal.SIGINT - 1) | 1 << (signal.SIGTERM - 1)
    assert blocked.pop(proc.pid) & both == 0  # the main thread takes them
    assert all(mask & both == both for mask in blocked.values()), blocked


# `data synth`, with a Ctrl-C (or the signal named by $SIGNAL) sent while numpy.random's
# compiled modules register their classes with collections.abc (Cython's module
# start-up, which clears any error there).
CTRL_C_DURING_NUMPY_RANDOM_IMPORT = """
import collections.abc
import os
import signal
import sys

def ctrl_c_in_numpy_random(frame, event, arg):
    # Cython's start-up of numpy.random._generator registers its memoryview classes as
    # Sequences, and clears any error that registering raises
    if event == "call" and frame.f_code.co_name == "register":
        cls, subclass = frame.f_locals.get("cls"), frame.f_locals.get("subclass")
        if cls is collections.abc.Sequence and subclass.__module__.startswith("numpy.random"):
            sys.setprofile(None)
            os.kill(os.getpid(), getattr(signal, os.environ.get("SIGNAL", "SIGINT")))

sys.setprofile(ctrl_c_in_numpy_random)
sys.argv = ["frankenstein", *sys.argv[1:]]
from ui.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_ctrl_c_while_numpy_random_is_imported_is_not_lost(tmp_path, signame):
    """A Ctrl-C whose handler ran inside numpy.random's import was swallowed there: the
    Stop of a `data synth` that had just started (numpy imports numpy.random the first
    time it is used) went unheeded, about one time in fifty, and it drew on. The command
    line imports numpy.random with the signals held, so one that comes meanwhile acts
    once the import is done; a SIGTERM then too is "interrupted", as at any later time
    (it ended the process by SIGTERM's default action while the handler was not yet
    there)."""
    out = tmp_path / "synth"
    args = ["data", "synth", "--per-class", "20", "--classes", "circle", "--out", str(out)]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_DURING_NUMPY_RANDOM_IMPORT, *args],
        env={**os.environ, "PYTHONPATH": str(root), "SIGNAL": signame},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (130, "frankenstein: interrupted\n")
    assert list(tmp_path.iterdir()) == []


def test_sigterm_while_drawing_interrupts_as_ctrl_c_does(tmp_path):
    """SIGTERM (a supervisor, `kill`) ends a run that is drawing as Ctrl-C does: one
    line, exit 130, and no staging folder left for the next run to clear away."""
    cmd, env = _long_synth(tmp_path / "synth")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if json.loads(line)["event"] == "progress":
                proc.send_signal(signal.SIGTERM)
                break
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err == "frankenstein: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_data_synth_into_a_writable_folder_inside_a_locked_one(tmp_path):
    """The hidden folder cannot go beside --out (its parent takes no new entries: an
    immutable folder, which binds root too): it goes inside, and is gone afterwards."""
    locked, out = tmp_path / "locked", tmp_path / "locked" / "out"
    out.mkdir(parents=True)
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        args = ["data", "synth", "--per-class", "2", "--classes", "sun", "--out", str(out)]
        assert main(args) == 0
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert sorted(p.name for p in out.iterdir()) == ["sun.ndjson"]
    assert sorted(p.name for p in locked.iterdir()) == ["out"]


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run_but_a_live_ones_is_not(
    tmp_path, capsys
):
    """SIGKILL leaves the hidden staging folder (and its lock file) beside --out; a run
    for the same --out as a live one is refused and leaves that one's alone; once its
    writer is gone, the next run for the same --out removes it with one line on stderr."""
    import time

    out = tmp_path / "synth"
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "ui.cli", "data", "synth", "--per-class", "1000000"]
    cmd += ["--out", str(out), "--classes", "circle", "--events"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        # circle.ndjson is being written (atomically, under a temporary name)
        while not list(tmp_path.glob(".synth.*.partial/.circle.ndjson.*.tmp")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the generation never started"
            time.sleep(0.02)
        (staging,) = tmp_path.glob(".synth.*.partial")
        lock = staging.with_name(staging.name + ".lock")
        assert lock.read_text() == f"{proc.pid}\n"
        # a second run while the first is drawing: refused, and the first's folder stays
        args = ["data", "synth", "--per-class", "2", "--classes", "sun", "--out", str(out)]
        assert main(args) == 2
        assert f"another process (pid {proc.pid}) is generating" in capsys.readouterr().err
        assert staging.is_dir() and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([staging.name, lock.name])
    args = ["data", "synth", "--per-class", "2", "--classes", "house", "--out", str(out)]
    assert main(args) == 0
    assert capsys.readouterr().err == (
        f"frankenstein: removed {Path(os.path.realpath(staging))}, left behind by an earlier "
        f"run that was killed (pid {proc.pid})\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]
    assert sorted(p.name for p in out.iterdir()) == ["house.ndjson"]


def test_drawing_into_names_each_live_generation_by_its_out(tmp_path):
    """What a TUI shows of a terminal's generations: each held staging lock beside a
    folder, as (that folder, the holder's pid); not a dead run's lock, nor one for a
    hidden folder (an older TUI's), nor any once the runs end."""
    pytest.importorskip("fcntl")
    from ui.commands.data.staging import drawing_into, staging_folder

    tmp_path = Path(os.path.realpath(tmp_path))  # as staging_folder names it
    (tmp_path / ".dead.0123abcd.partial.lock").write_text("4242\n")
    hidden = tmp_path / ".synthetic.partial"
    with (
        staging_folder(tmp_path / "out") as out,
        staging_folder(tmp_path / "v1.2") as v12,
        staging_folder(hidden),
    ):
        assert drawing_into(tmp_path) == [
            (tmp_path / "out", os.getpid(), out),
            (tmp_path / "v1.2", os.getpid(), v12),
        ]
    assert drawing_into(tmp_path) == []
    assert drawing_into(tmp_path / "missing") == []


def test_a_second_generation_for_a_folder_is_refused_while_the_first_draws(tmp_path, capsys):
    """Two `data synth` for one --out both ran, and the last to finish replaced the
    other's files, though each said its set was written: the second is refused, naming
    the first (here this process, holding a staging folder as a live run does)."""
    pytest.importorskip("fcntl")
    from ui.cli import main
    from ui.commands.data.staging import staging_folder

    out = Path(os.path.realpath(tmp_path)) / "synthetic"
    argv = ["data", "synth", "--per-class", "1", "--classes", "circle", "--out", str(out)]
    with staging_folder(out):
        assert main(argv) == 2
        assert capsys.readouterr().err == (
            f"frankenstein: error: {out}: another process (pid {os.getpid()}) is generating "
            "doodles for this folder; wait for it to end or stop it\n"
        )
    assert main(argv) == 0  # the first gone
    assert [p.name for p in out.iterdir()] == ["circle.ndjson"]


def test_a_first_generation_into_a_folder_not_there_yet_waits_for_the_parents_lock(tmp_path):
    """An --out not there yet has no folder to lock, so two runs started in one instant
    could both pass the check above: the parent is locked too while the staging folder
    is made. Here the parent's lock is held (another open file, as another process's
    would be), and the run waits for it, the kernel listing it as waiting, before it
    makes anything."""
    fcntl = pytest.importorskip("fcntl")
    import threading
    import time

    from ui.commands.data.staging import staging_folder

    parent = Path(os.path.realpath(tmp_path))
    out = parent / "synthetic"
    made: list[Path] = []

    def generate() -> None:
        with staging_folder(out) as staging:
            made.append(staging)

    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        run = threading.Thread(target=generate, daemon=True)
        run.start()
        waiting = f":{os.stat(parent).st_ino} "
        deadline = time.monotonic() + 60
        while run.is_alive() and time.monotonic() < deadline:
            locks = Path("/proc/locks").read_text()
            if any(" -> " in line and waiting in line + " " for line in locks.splitlines()):
                break
            time.sleep(0.01)
        assert made == [] and run.is_alive()  # waiting, nothing made
        assert not any(p.name.startswith(".synthetic.") for p in parent.iterdir())
    finally:
        os.close(fd)  # lets go of the lock
    run.join(60)
    assert len(made) == 1 and made[0].parent == parent


@pytest.mark.parametrize("events", [[], ["--events"]], ids=["bar", "events"])
def test_a_generation_keeps_how_far_it_is_in_its_staging_folder(tmp_path, events):
    """progress.json in the staging folder (what the TUI shows of a terminal's
    generation): the drawings made so far, of all, naming the process; it goes with the
    folder when the run is stopped."""
    import time

    from training.progressfile import PROGRESS, read_progress

    cmd = [sys.executable, "-m", "ui.cli", "data", "synth", "--per-class", "1000000"]
    cmd += ["--out", str(tmp_path / "out"), "--classes", "circle,sun", *events]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(f".out.*.partial/{PROGRESS}")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no progress.json"
            time.sleep(0.02)
        (staging,) = tmp_path.glob(".out.*.partial")
        time.sleep(1.5)  # a second write: the first one was of the first drawing
        progress = read_progress(staging, proc.pid)
        assert progress is not None and progress["event"] == "progress"
        assert progress["what"] == "circle" and progress["total"] == 2_000_000
        assert 1 < progress["done"] < 1_000_000
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err.decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_stale_staging_clean_up_takes_only_a_dead_writers_folder(tmp_path, capsys):
    """Left alone: a held lock (a live run), a lock without its folder yet (a run that
    is starting), a folder without a lock file (an older version's), another --out's
    folder; removed: a folder whose lock nobody holds."""
    pytest.importorskip("fcntl")
    from ui.commands.data.staging import remove_stale, staging_folder

    tmp_path = Path(os.path.realpath(tmp_path))  # as staging_folder names it

    def made(name: str, folder=True, lock=True) -> Path:
        path = tmp_path / name
        if folder:
            (path / "x").mkdir(parents=True)
        if lock:
            path.with_name(name + ".lock").write_text("4242\n")
        return path

    stale = made(".out.0123abcd.partial")
    starting = made(".out.22222222.partial", folder=False)
    old_version = made(".out.a1b2c3d4.partial", lock=False)
    other_out = made(".out.b.33333333.partial")
    with staging_folder(tmp_path / "out") as live:
        assert live.name.startswith(".out.") and live.name.endswith(".partial")
        assert not stale.exists()
        assert capsys.readouterr().err == (
            f"frankenstein: removed {stale}, left behind by an earlier run that was killed "
            "(pid 4242)\n"
        )
        # the live one's lock is held
        assert remove_stale(tmp_path, ".out.", tmp_path / "out") == []
        assert live.is_dir()
    assert not live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            starting.name + ".lock",
            old_version.name,
            other_out.name,
            other_out.name + ".lock",
        ]
    )
