"""`frankenstein data download` through the command line, against a real local server."""

import json
import signal
import subprocess
import sys
import time

import pytest

from core.classes import CLASSES
from tests.conftest import ROOT
from tests.http_bucket import ndjson_bytes, refused_url, serve
from training.download import MANIFEST
from ui.cli import main


@pytest.fixture
def bucket():
    with serve({f"{c}.ndjson": ndjson_bytes(c, 30) for c in CLASSES}) as b:
        yield b


def test_downloads_the_chosen_classes_and_data_info_reads_them(bucket, tmp_path, capsys):
    out = tmp_path / "qd"
    argv = ["data", "download", "--out", str(out), "--base-url", bucket.url]
    assert main([*argv, "--classes", "Hockey_Stick, sun"]) == 0
    text = capsys.readouterr().out
    assert f"2 files complete in {out} (2 downloaded)" in " ".join(text.split())
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "hockey stick.ndjson", "sun.ndjson"]
    assert main(["data", "info", str(out)]) == 0
    assert "60 drawings of 2 classes in 2 files, 0 bad lines skipped" in capsys.readouterr().out
    # a second run finds both complete and asks the server nothing
    n = len(bucket.requests)
    assert main([*argv, "--classes", "sun,hockey stick"]) == 0
    assert "(2 skipped)" in " ".join(capsys.readouterr().out.split())
    assert len(bucket.requests) == n


def test_the_bars_are_on_stderr_and_the_summary_alone_on_stdout(bucket, tmp_path):
    from tests.terminal import run_cli

    argv = ["data", "download", "--out", str(tmp_path), "--base-url", bucket.url]
    r = run_cli([*argv, "--classes", "sun,circle"])
    assert r.returncode == 0, r.err
    assert (
        r.out.split()
        == f"2 files complete in {tmp_path} (2 downloaded); SHA-256 in {tmp_path / MANIFEST}".split()
    )
    assert "sun.ndjson downloaded" in r.err and "circle.ndjson downloaded" in r.err


def test_all_classes_by_default(bucket, tmp_path, capsys):
    out = tmp_path / "qd"
    assert main(["data", "download", "--out", str(out), "--base-url", bucket.url]) == 0
    assert len(json.loads((out / MANIFEST).read_text())["files"]) == 18
    assert "18 files complete" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--classes", "circel"], "unknown class 'circel'; did you mean 'circle'?"),
        (["--classes", " , "], "--classes: no class names given"),
        (["--classes", "cloud"], "{url}/cloud.ndjson: HTTP 404 Not Found"),
        (["--timeout", "0"], "--timeout 0: must be more than 0 seconds"),
        (["--timeout", "-1"], "--timeout -1: must be more than 0 seconds"),
        (["--retries", "-1"], "--retries -1: must be 0 or more"),
        (["--timeout", "inf"], "--timeout inf: must be at most 86400 seconds (a day)"),
        (["--timeout", "1e12"], "--timeout 1e+12: must be at most 86400 seconds (a day)"),
        (["--base-url", "foo"], "--base-url 'foo': not an http://, https:// or file:// URL"),
        (["--base-url", "http://"], "--base-url 'http://': not an http://, https:// or file://"),
        (["--base-url", "http://[::1"], "--base-url 'http://[::1': not a URL (Invalid IPv6 URL)"),
        # `--base-url "$MIRROR"` with MIRROR unset: it fetched from Google's bucket
        (["--base-url", ""], "--base-url '': an empty URL; name a mirror's folder, or leave"),
        (["--base-url", " "], "--base-url ' ': an empty URL; name a mirror's folder, or leave"),
        (["--out", "{file}"], "{file}: exists and is not a directory"),
        (["--out", "{file}/qd"], "{file}/qd: cannot create the directory (Not a directory)"),
    ],
)
def test_bad_requests_are_one_line_errors(bucket, tmp_path, capsys, argv, message):
    del bucket.files["cloud.ndjson"]
    file = tmp_path / "a-file"
    file.write_text("not a folder")
    argv = [a.format(file=file) for a in argv]
    rc = main(["data", "download", "--out", str(tmp_path), "--base-url", bucket.url, *argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("frankenstein: error: ")
    assert message.format(url=bucket.url, file=file) in err
    assert bucket.hits() == [] or "cloud" in argv  # refused before asking the server


def test_a_class_named_twice_is_fetched_once(bucket, tmp_path, capsys):
    argv = ["data", "download", "--out", str(tmp_path), "--base-url", bucket.url]
    assert main([*argv, "--classes", "sun,circle,Sun"]) == 0
    assert "2 files complete" in capsys.readouterr().out
    assert [r.name for r in bucket.hits()] == ["sun.ndjson", "circle.ndjson"]


def test_offline_is_a_one_line_error(tmp_path, capsys):
    url = refused_url()
    rc = main(["data", "download", "--out", str(tmp_path), "--base-url", url])
    assert rc == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: cannot download {url}/circle.ndjson: "
        "connection refused (offline, or no server there?)\n"
    )


def _download_held_at_2000(bucket, out, **popen) -> subprocess.Popen:
    """`data download --classes circle` into `out` as a real process, returned once the
    server holds its transfer at 2,000 bytes (until `bucket.release` is set)."""
    bucket.hold_after = 2000
    part = out / "circle.ndjson.part"
    cmd = [sys.executable, "-m", "ui.cli", "data", "download", "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--base-url", bucket.url, "--classes", "circle"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    try:
        deadline = time.monotonic() + 60
        while not (part.exists() and part.stat().st_size >= 2000):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    return proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_keeps_a_part_that_the_next_run_resumes(bucket, tmp_path, capsys, sig):
    """A real process, a real SIGINT (or SIGTERM, taken as one) while the server holds
    the transfer half-way."""
    part = tmp_path / "circle.ndjson.part"
    cmd = [sys.executable, "-m", "ui.cli", "data", "download", "--out", str(tmp_path)]
    # as from a terminal: a test run started in the background (`make test &`) ignores
    # SIGINT, and a child would inherit that and never see the Ctrl-C
    proc = _download_held_at_2000(
        bucket, tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    )
    try:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err == (
        f"frankenstein: interrupted; partial files stay in {tmp_path} as .part and resume "
        "on the next run\n"
    )
    assert part.read_bytes() == bucket.files["circle.ndjson"][:2000]
    bucket.hold_after = None
    bucket.release.set()
    assert main([*cmd[3:], "--base-url", bucket.url, "--classes", "circle"]) == 0
    assert "(1 resumed)" in capsys.readouterr().out
    assert bucket.hits()[-1].range == "bytes=2000-"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]


def test_a_server_that_cuts_files_short_is_a_one_line_error(bucket, tmp_path, capsys):
    """No hash, a Content-Length 1,001 bytes short, Range ignored: nothing installed."""
    bucket.send_hash, bucket.ignore_range = False, True
    bucket.short_length = [1001] * 10
    argv = ["data", "download", "--out", str(tmp_path), "--base-url", bucket.url]
    assert main([*argv, "--classes", "circle", "--retries", "0"]) == 2
    err = capsys.readouterr().err
    cut = len(bucket.files["circle.ndjson"]) - 1001
    assert err.count("\n") == 1 and err.startswith("frankenstein: error: cannot download ")
    assert f"ends in the middle of a line after {cut} bytes, so the file was cut short" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circle.ndjson.part"]


def test_a_full_disk_keeps_what_arrived_as_a_part_that_the_next_run_resumes(bucket, tmp_path):
    """Files may not grow past 2,000 bytes in the child (a real write failing, as on a
    full disk): one line naming the .part, which holds exactly the bytes before the
    failure, and a run with room resumes it from there."""
    from tests.full_disk import run_with_full_disk

    argv = ["data", "download", "--out", str(tmp_path), "--base-url", bucket.url]
    done = run_with_full_disk([*argv, "--classes", "circle"], 2000)
    part = tmp_path / "circle.ndjson.part"
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == (
        f"frankenstein: error: cannot write {part} (File too large); what arrived is kept "
        "there: make room, then run again to resume\n"
    )
    assert part.read_bytes() == bucket.files["circle.ndjson"][:2000]
    assert main([*argv, "--classes", "circle"]) == 0
    assert bucket.hits()[-1].range == "bytes=2000-"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]


def test_a_second_download_into_a_folder_being_downloaded_into_is_refused(bucket, tmp_path, capsys):
    """Two downloads into one folder (the TUI's and a terminal's) both appended to the
    same .part: the second is refused in one line naming the first's pid, and the first
    ends as if alone."""
    part = tmp_path / "circle.ndjson.part"
    argv = ["data", "download", "--out", str(tmp_path), "--base-url", bucket.url]
    proc = _download_held_at_2000(bucket, tmp_path)
    try:
        assert main([*argv, "--classes", "circle,sun"]) == 2
        assert capsys.readouterr().err == (
            f"frankenstein: error: {tmp_path}: another process (pid {proc.pid}) is "
            "downloading into this folder; wait for it to end or stop it\n"
        )
        assert part.read_bytes() == bucket.files["circle.ndjson"][:2000]  # untouched
        bucket.release.set()
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]
    assert not (tmp_path / "sun.ndjson").exists()
    bucket.hold_after = None
    assert main([*argv, "--classes", "circle,sun"]) == 0  # the folder is free again
    assert "(1 downloaded, 1 skipped)" in " ".join(capsys.readouterr().out.split())
