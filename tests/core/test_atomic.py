import os
import signal
import stat
import sys
from pathlib import Path

import pytest

from core.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from core.signals import term_interrupts
from tests.lock_holder import held_by_another_process


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_files_get_the_mode_open_gives_them(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic_write_text(tmp_path / "a.txt", "hello")
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_text() == "hello"
    assert _mode(tmp_path / "a.txt") == _mode(plain) == _mode(tmp_path / "b.bin")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "drawing.ndjson"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as f:
        f.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["drawing.ndjson"]


def test_outputs_that_cannot_be_written_are_refused_up_front(tmp_path):
    from core.atomic import OutputError, check_output_dir, check_output_file

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert check_output_file(tmp_path / "new" / "deeper" / "r.json") == tmp_path / "new" / (
        "deeper/r.json"
    )
    assert check_output_dir(tmp_path / "plots") == tmp_path / "plots"
    assert not (tmp_path / "new").exists() and not (tmp_path / "plots").exists()
    with pytest.raises(OutputError, match=r"^cannot write .* \(Is a directory\)$"):
        check_output_file(tmp_path)
    with pytest.raises(OutputError, match=r"file.txt is not a directory\)$"):
        check_output_file(a_file / "r.json")
    with pytest.raises(OutputError, match=r"^cannot write into .*file.txt \(Not a directory\)$"):
        check_output_dir(a_file)
    with pytest.raises(OutputError, match=r"file.txt is not a directory\)$"):
        check_output_dir(a_file / "sub")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # no probe left


def test_the_folder_is_synced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):  # the real fsync, noting what it synced
        st = os.fstat(fd)
        synced.append("folder" if stat.S_ISDIR(st.st_mode) else "file")
        if synced[-1] == "folder":
            assert (tmp_path / "a.txt").read_text() == "hello"  # after the rename
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic_write_text(tmp_path / "a.txt", "hello")
    assert synced == ["file", "folder"]


def test_a_folder_that_cannot_be_opened_still_gets_the_file(tmp_path, monkeypatch):
    real_open = os.open

    def no_folders(path, flags, *args):  # as on Windows: a folder cannot be opened
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_folders)
    atomic_write_text(tmp_path / "a.txt", "hello")
    assert (tmp_path / "a.txt").read_text() == "hello"


FULL_DISK_WRITES = """
import sys
from pathlib import Path

import torch

from core.atomic import WriteError, atomic_open, atomic_write_text

folder = Path(sys.argv[1])
for name, write in [
    ("notes.txt", lambda: atomic_write_text(folder / "notes.txt", "x" * 5000)),
    ("weights.pt", lambda: torch.save({"w": torch.zeros(5000)}, f)),
]:
    try:
        if name == "weights.pt":
            with atomic_open(folder / name, "wb") as f:
                write()
        else:
            write()
    except WriteError as e:
        print(f"{type(e).__name__} {e.errno} {isinstance(e, OSError)}: {e}")
"""


def test_a_full_disk_is_a_one_line_write_error_and_the_old_file_stays(tmp_path):
    """A real write failing for want of room (a file size limit in a child process): the
    error names the file and the reason, even when torch.save wraps it, and the file
    before is whole, with no temporary beside it."""
    import errno

    from tests.full_disk import run_with_full_disk, temporaries

    (tmp_path / "notes.txt").write_text("old notes")
    (tmp_path / "weights.pt").write_bytes(b"old weights")
    done = run_with_full_disk(["-c", FULL_DISK_WRITES, str(tmp_path)], 1000)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"WriteError {errno.EFBIG} True: cannot write {tmp_path / name} (File too large)"
        for name in ("notes.txt", "weights.pt")
    ]
    assert (tmp_path / "notes.txt").read_text() == "old notes"
    assert (tmp_path / "weights.pt").read_bytes() == b"old weights"
    assert temporaries(tmp_path) == []


def test_a_write_that_cannot_start_or_replace_is_a_write_error(tmp_path):
    from core.atomic import WriteError

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(
        WriteError, match=r"^cannot write .*file.txt/out.json \(.*file.txt is not a directory\)$"
    ):
        atomic_write_text(a_file / "out.json", "{}")
    (tmp_path / "out").mkdir()
    with pytest.raises(WriteError, match=r"^cannot write .*out \(Is a directory\)$"):
        atomic_write_text(tmp_path / "out", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "out"]


def test_other_errors_in_the_block_are_left_as_they_are(tmp_path):
    """A read failing inside the block is not the write's failure: not renamed."""
    with pytest.raises(FileNotFoundError), atomic_open(tmp_path / "a.txt") as f:
        f.write((tmp_path / "missing").read_text())
    assert list(tmp_path.iterdir()) == []


def test_one_process_at_a_time_and_the_second_is_told_the_first_ones_pid(tmp_path):
    from core.atomic import Busy, one_process

    lock = tmp_path / ".work.lock"
    with held_by_another_process(lock) as first:
        with pytest.raises(Busy) as busy, one_process(lock):
            pass
        assert busy.value.holder == str(first.pid)
    with one_process(lock, remove=True):
        assert lock.read_text() == f"{os.getpid()}\n"
    assert not lock.exists()
    with one_process(lock):  # without remove the file stays, unlocked
        pass
    assert lock.read_text() == f"{os.getpid()}\n"


def test_a_lock_file_removed_or_replaced_is_not_the_one_held(tmp_path):
    from core.atomic import _is_at

    lock = tmp_path / ".work.lock"
    lock.write_text("")
    fd = os.open(lock, os.O_RDWR)
    try:
        assert _is_at(fd, lock)
        lock.unlink()  # its last holder removed it as this process locked it
        assert not _is_at(fd, lock)
        lock.write_text("")  # and the next process made a new one
        assert not _is_at(fd, lock)
    finally:
        os.close(fd)


def test_a_lock_files_holder_is_named_only_while_it_lives(tmp_path):
    from core.atomic import live_holder

    lock = tmp_path / ".work.lock"
    assert live_holder(lock) is None  # no file
    lock.write_text("not a pid\n")
    assert live_holder(lock) is None
    lock.write_text(f"{os.getpid()}\n")  # a live process, as a reused pid is, not holding it
    assert live_holder(lock) is None
    with held_by_another_process(lock) as first:
        assert live_holder(lock) == first.pid
        assert lock.read_text() == f"{first.pid}\n"  # read, not locked: still its
    assert lock.read_text() == f"{first.pid}\n"  # the killed holder's file stays
    assert live_holder(lock) is None


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_as_the_temporary_is_created_leaves_no_temporary(tmp_path, sig):
    """The signal comes right after the temporary's open() returns, before its name is
    back with the code that removes it (a profile hook raises it there, as a signal that
    came during that system call is acted on there): it still interrupts the write, and
    no hidden temporary is left (before, one was: a SIGTERM while a run prepared its
    data left `.progress.json.*.tmp` in its folder)."""

    def hook(frame, event, arg):
        if event == "c_return" and arg is os.open:
            sys.setprofile(None)
            signal.raise_signal(getattr(signal, sig))

    with term_interrupts(), pytest.raises(KeyboardInterrupt):
        sys.setprofile(hook)
        try:
            atomic_write_text(tmp_path / "x.json", "{}")
        finally:
            sys.setprofile(None)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_symlinked_output_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "kept").mkdir()
    target = tmp_path / "kept" / "report.json"
    target.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    dangling = tmp_path / "later.json"
    dangling.symlink_to(tmp_path / "kept" / "later.json")
    atomic_write_text(link, "new")
    atomic_write_text(dangling, "made")
    assert link.is_symlink() and dangling.is_symlink()
    assert target.read_text() == "new" and (tmp_path / "kept" / "later.json").read_text() == "made"
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["later.json", "report.json"]


def test_a_named_pipe_is_written_into_and_not_replaced(tmp_path):
    """A reader at the other end gets the text (a rename over the pipe used to replace
    it with a file, and the reader got nothing)."""
    import threading

    pipe = tmp_path / "report.json"
    os.mkfifo(pipe)
    got = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text()), daemon=True)
    reader.start()
    atomic_write_text(pipe, "through the pipe")
    reader.join(timeout=10)
    assert got == ["through the pipe"]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_device_or_pipe_output_is_accepted_up_front(tmp_path):
    """Only checked, never written: a regression that renamed over /dev/null would
    replace it with a file for the whole machine (the pipe test above writes)."""
    from core.atomic import check_output_file

    pipe = tmp_path / "out.json"
    os.mkfifo(pipe)
    assert check_output_file("/dev/null") == Path("/dev/null")
    assert check_output_file(pipe) == pipe
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(pipe).st_mode)
