import os
import stat

import pytest

from core.atomic import atomic_open, atomic_write_bytes, atomic_write_text


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
