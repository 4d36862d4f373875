"""core/fileset.py: several outputs written as one, all or none (the signals: in
tests/test_interrupts.py's eval tests)."""

import pytest

from core.atomic import WriteError
from core.fileset import write_files


def _everything(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_every_file_is_written_and_its_folders_made(tmp_path):
    files = {tmp_path / "a" / "b" / "one.png": b"1", tmp_path / "two.json": b"2"}
    assert write_files(files) == list(files)
    assert {p: p.read_bytes() for p in files} == files
    assert _everything(tmp_path) == ["a", "a/b", "a/b/one.png", "two.json"]


def test_a_file_that_cannot_be_written_leaves_none_nor_a_folder(tmp_path):
    """The first file written whole, the second refused (a file stands where its folder
    should be): neither is in place, an earlier version stays, and the folders made
    for them and the temporaries go."""
    (tmp_path / "old.json").write_bytes(b"earlier")
    (tmp_path / "blocker").write_bytes(b"a file")
    files = {
        tmp_path / "old.json": b"new",
        tmp_path / "new" / "deep" / "x.png": b"x",
        tmp_path / "blocker" / "y.png": b"y",
    }
    with pytest.raises(WriteError, match=r"blocker/y\.png"):
        write_files(files)
    assert _everything(tmp_path) == ["blocker", "old.json"]
    assert (tmp_path / "old.json").read_bytes() == b"earlier"


def test_a_link_is_written_through(tmp_path):
    (tmp_path / "real.json").write_bytes(b"old")
    (tmp_path / "link.json").symlink_to("real.json")
    write_files({tmp_path / "link.json": b"new"})
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_bytes() == b"new"
