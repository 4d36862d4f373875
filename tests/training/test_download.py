"""The downloader against a real HTTP server on 127.0.0.1 (tests/http_bucket.py)."""

import hashlib
import json

import pytest

from core.classes import CLASSES, UnknownClassError
from tests.http_bucket import ndjson_bytes, refused_url, serve
from training.download import MANIFEST, DownloadError, class_url, download

FAST = {"retry_wait": 0.0, "timeout": 10.0, "chunk_size": 1024}


@pytest.fixture
def bucket():
    files = {f"{c}.ndjson": ndjson_bytes(c, 40) for c in CLASSES}
    with serve(files) as b:
        yield b


def _get(bucket, out, classes=("circle",), **kwargs):
    events = []
    results = download(
        classes, out, base_url=bucket.url, on_progress=events.append, **(FAST | kwargs)
    )
    return results, events


def test_class_urls_encode_spaces():
    assert class_url("hockey stick", "http://x/s/") == "http://x/s/hockey%20stick.ndjson"
    assert class_url("Ice_Cream").endswith("/full/simplified/ice%20cream.ndjson")
    with pytest.raises(UnknownClassError, match="did you mean 'circle'"):
        class_url("circel")


def test_downloads_every_class_verifies_and_records_checksums(bucket, tmp_path):
    results, events = _get(bucket, tmp_path, CLASSES)
    assert [r.status for r in results] == ["downloaded"] * 18
    for c in CLASSES:
        assert (tmp_path / f"{c}.ndjson").read_bytes() == bucket.files[f"{c}.ndjson"]
    assert not list(tmp_path.glob("*.part"))
    assert "/simplified/hockey%20stick.ndjson" in [r.raw_path for r in bucket.hits()]
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]
    data = bucket.files["paper clip.ndjson"]
    assert manifest["paper clip.ndjson"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["paper clip.ndjson"]["size"] == len(data)
    # progress: bytes rise to the size of each file, then one "done" per file
    circle = [e for e in events if e.name == "circle.ndjson" and e.event == "bytes"]
    assert [e.done for e in circle] == sorted(e.done for e in circle)
    assert circle[-1].done == circle[-1].total == len(bucket.files["circle.ndjson"])
    assert len(circle) > 1
    assert [e.name for e in events if e.event == "done"] == [f"{c}.ndjson" for c in CLASSES]


def test_complete_files_are_verified_and_skipped_without_the_network(bucket, tmp_path):
    _get(bucket, tmp_path, ("circle", "sun"))
    results = download(["circle", "sun"], tmp_path, base_url=refused_url(), **FAST)
    assert [r.status for r in results] == ["skipped", "skipped"]


def test_a_file_that_fails_its_checksum_is_downloaded_again(bucket, tmp_path):
    _get(bucket, tmp_path)
    path = tmp_path / "circle.ndjson"
    path.write_bytes(path.read_bytes().replace(b"1", b"2", 1))
    results, events = _get(bucket, tmp_path)
    assert results[0].status == "downloaded"
    assert path.read_bytes() == bucket.files["circle.ndjson"]
    assert any(e.event == "retry" and MANIFEST in e.message for e in events)


def test_a_file_without_a_manifest_entry_is_checked_against_the_server(bucket, tmp_path):
    (tmp_path / "circle.ndjson").write_bytes(bucket.files["circle.ndjson"])
    (tmp_path / "sun.ndjson").write_bytes(b"not the sun\n")
    results, _ = _get(bucket, tmp_path, ("circle", "sun"))
    assert [r.status for r in results] == ["verified", "downloaded"]
    assert [r.name for r in bucket.hits("HEAD")] == ["circle.ndjson", "sun.ndjson"]
    assert [r.name for r in bucket.hits("GET")] == ["sun.ndjson"]
    assert (tmp_path / "sun.ndjson").read_bytes() == bucket.files["sun.ndjson"]
    assert set(json.loads((tmp_path / MANIFEST).read_text())["files"]) == {
        "circle.ndjson",
        "sun.ndjson",
    }


def test_a_dropped_connection_is_resumed_with_a_range_request(bucket, tmp_path):
    bucket.drop_after = [3000]
    results, events = _get(bucket, tmp_path)
    assert results[0].status == "resumed"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]
    assert [r.range for r in bucket.hits()] == [None, "bytes=3000-"]
    assert any(e.event == "retry" and "connection closed after 3000" in e.message for e in events)


def test_a_connection_that_keeps_failing_leaves_a_part_that_a_later_run_resumes(bucket, tmp_path):
    bucket.drop_after = [3000, 0, 0]
    url = f"{bucket.url}/circle.ndjson"
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path, retries=1)
    assert str(e.value).startswith(f"cannot download {url}: connection closed after 3000 of")
    assert str(e.value).endswith("circle.ndjson.part kept (3000 bytes), run again to resume")
    # the first attempt made progress, so it does not count against the one retry allowed
    assert len(bucket.hits()) == 3
    part = tmp_path / "circle.ndjson.part"
    assert part.read_bytes() == bucket.files["circle.ndjson"][:3000]
    assert not (tmp_path / "circle.ndjson").exists()
    results, _ = _get(bucket, tmp_path)
    assert results[0].status == "resumed"
    assert bucket.hits()[-1].range == "bytes=3000-"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]
    assert not part.exists()


def test_a_server_that_ignores_range_restarts_the_file_cleanly(bucket, tmp_path):
    (tmp_path / "circle.ndjson.part").write_bytes(b"stale bytes from another file")
    bucket.ignore_range = True
    results, events = _get(bucket, tmp_path)
    assert bucket.hits()[0].range == "bytes=29-"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]
    assert any(e.event == "retry" and "ignored the Range" in e.message for e in events)
    assert results[0].size == len(bucket.files["circle.ndjson"])
    assert results[0].status == "downloaded"  # nothing of the stale .part was kept


def test_a_part_longer_than_the_file_is_discarded(bucket, tmp_path):
    (tmp_path / "circle.ndjson.part").write_bytes(b"x" * 100_000)
    _get(bucket, tmp_path)
    assert [r.range for r in bucket.hits()] == ["bytes=100000-", None]
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]


def test_ctrl_c_leaves_a_resumable_part(bucket, tmp_path):
    def interrupt(p):
        if p.event == "bytes" and p.done >= 2048:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download(["circle"], tmp_path, base_url=bucket.url, on_progress=interrupt, **FAST)
    part = tmp_path / "circle.ndjson.part"
    assert part.read_bytes() == bucket.files["circle.ndjson"][:2048]
    results, _ = _get(bucket, tmp_path)
    assert results[0].status == "resumed"
    assert bucket.hits()[-1].range == "bytes=2048-"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]


def test_a_missing_file_is_a_clear_error(bucket, tmp_path):
    del bucket.files["circle.ndjson"]
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path)
    assert str(e.value) == f"cannot download {bucket.url}/circle.ndjson: HTTP 404 Not Found"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_download_into_a_new_folder_leaves_no_empty_folder(bucket, tmp_path):
    """It left the --out folder it made, empty, behind; one with a part to resume from
    stays (test_a_connection_that_keeps_failing_leaves_a_part_...)."""
    del bucket.files["circle.ndjson"]
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(["circle"], tmp_path / "new" / "quickdraw", base_url=bucket.url, **FAST)
    assert list(tmp_path.iterdir()) == []  # nor the parent it made for it
    with pytest.raises(DownloadError, match="connection refused"):
        download(["circle"], tmp_path / "offline", base_url=refused_url(), **FAST)
    assert not (tmp_path / "offline").exists()


def test_server_errors_are_retried_then_reported(bucket, tmp_path):
    bucket.status = 503
    with pytest.raises(DownloadError, match=r"circle.ndjson: HTTP 503 Service Unavailable$"):
        _get(bucket, tmp_path, retries=2)
    assert len(bucket.hits()) == 3


def test_offline_is_a_clear_error(tmp_path):
    url = refused_url()
    with pytest.raises(DownloadError) as e:
        download(["circle"], tmp_path, base_url=url, **FAST)
    assert str(e.value) == (
        f"cannot download {url}/circle.ndjson: connection refused (offline, or no server there?)"
    )


def test_a_wrong_md5_from_the_server_rejects_the_download(bucket, tmp_path):
    bucket.md5["circle.ndjson"] = "AAAAAAAAAAAAAAAAAAAAAA=="
    with pytest.raises(DownloadError, match="MD5 of the download does not match"):
        _get(bucket, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_without_hash_headers_the_size_still_decides(bucket, tmp_path):
    bucket.send_hash = False
    results, _ = _get(bucket, tmp_path)
    assert results[0].size == len(bucket.files["circle.ndjson"])


def test_a_broken_manifest_is_reported_not_overwritten(bucket, tmp_path):
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(DownloadError, match=f"{MANIFEST}: not a checksum manifest"):
        _get(bucket, tmp_path)
    assert (tmp_path / MANIFEST).read_text() == "{not json"


def test_a_directory_in_the_way_is_a_clear_error(bucket, tmp_path):
    (tmp_path / "circle.ndjson").mkdir()
    (tmp_path / "circle.ndjson" / "x").write_text("keep me")
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path)
    assert str(e.value) == (
        f"{tmp_path}/circle.ndjson.part -> {tmp_path}/circle.ndjson: Is a directory"
    )
    assert (tmp_path / "circle.ndjson" / "x").read_text() == "keep me"


@pytest.mark.parametrize("body", [b"<!DOCTYPE html>\n<html>Sign in to the Wi-Fi</html>\n", b""])
def test_a_web_page_instead_of_ndjson_is_rejected_not_recorded(bucket, tmp_path, body):
    bucket.files["circle.ndjson"] = body  # a captive portal or a mirror's error page, 200 OK
    bucket.send_hash = False
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path)
    message = str(e.value)
    assert message.startswith(f"{bucket.url}/circle.ndjson: the server sent ")
    assert "not ndjson drawings" in message and "\n" not in message
    assert ("'<!DOCTYPE html>'" in message) == bool(body)
    assert list(tmp_path.iterdir()) == []  # nothing kept, nothing in checksums.json


def test_a_damaged_part_that_fails_the_md5_is_downloaded_again_from_the_start(bucket, tmp_path):
    data = bucket.files["circle.ndjson"]
    (tmp_path / "circle.ndjson.part").write_bytes(data[:1000].replace(b"1", b"7"))
    results, events = _get(bucket, tmp_path)
    assert (tmp_path / "circle.ndjson").read_bytes() == data
    assert results[0].status == "downloaded"
    assert [r.range for r in bucket.hits()] == ["bytes=1000-", None]
    assert any(e.event == "retry" and "after resuming" in e.message for e in events)
    assert not (tmp_path / "circle.ndjson.part").exists()


# A server that sends no hash can still end a transfer early: the size it announced,
# if any, is all there is to check, and the last line of ndjson must be whole.


def test_a_connection_closed_before_content_length_without_a_hash_is_never_installed(
    bucket, tmp_path
):
    bucket.send_hash = False
    bucket.drop_after = [3000, 0]
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path, retries=0)
    size = len(bucket.files["circle.ndjson"])
    assert f"connection closed after 3000 of {size} bytes" in str(e.value)
    assert str(e.value).endswith("circle.ndjson.part kept (3000 bytes), run again to resume")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circle.ndjson.part"]
    results, _ = _get(bucket, tmp_path)
    assert results[0].status == "resumed"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]


@pytest.mark.parametrize(
    "misbehave",
    [
        {"short_length": [1001]},  # announces 1,001 bytes fewer than it sends
        {"send_length": False, "drop_after": [3001]},  # no length; closes mid-line
        {"chunked": True, "drop_after": [3001]},  # closes inside its one chunk
    ],
    ids=["short-content-length", "no-content-length", "chunked"],
)
def test_a_transfer_cut_inside_a_line_without_a_hash_is_resumed(bucket, tmp_path, misbehave):
    bucket.send_hash = False
    for key, value in misbehave.items():
        setattr(bucket, key, value)
    data = bucket.files["circle.ndjson"]
    cut = len(data) - 1001 if "short_length" in misbehave else 3001
    assert data[cut - 1 : cut] != b"\n"  # the cut falls inside a line
    results, events = _get(bucket, tmp_path)
    assert (tmp_path / "circle.ndjson").read_bytes() == data
    assert results[0].status == "resumed"
    assert [r.range for r in bucket.hits()] == [None, f"bytes={cut}-"]
    if misbehave.get("chunked"):  # the broken chunk tells, before the line does
        why = f"connection closed after {cut} bytes"
    else:
        why = f"the data ends in the middle of a line after {cut} bytes, so the file was cut short"
    assert [e.message for e in events if e.event == "retry"] == [f"{why}; retrying"]


def test_a_server_that_always_cuts_the_file_short_gets_nothing_installed(bucket, tmp_path):
    bucket.send_hash = False
    bucket.ignore_range = True  # so resuming cannot help either
    bucket.short_length = [1001] * 10
    url = f"{bucket.url}/circle.ndjson"
    cut = len(bucket.files["circle.ndjson"]) - 1001
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path, retries=1)
    assert str(e.value) == (
        f"cannot download {url}: the data ends in the middle of a line after {cut} bytes, "
        f"so the file was cut short; {tmp_path}/circle.ndjson.part kept ({cut} bytes), "
        "run again to resume"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circle.ndjson.part"]  # no manifest


def test_a_short_content_length_with_a_hash_is_resumed_not_rejected(bucket, tmp_path):
    bucket.short_length = [1001]
    results, _ = _get(bucket, tmp_path)
    assert results[0].status == "resumed"
    assert (tmp_path / "circle.ndjson").read_bytes() == bucket.files["circle.ndjson"]


def test_a_cut_file_recorded_in_the_manifest_is_downloaded_again(bucket, tmp_path):
    """A truncated file that an earlier version installed and recorded is not skipped."""
    data = bucket.files["circle.ndjson"]
    _get(bucket, tmp_path, ("sun",))
    cut = tmp_path / "circle.ndjson"
    cut.write_bytes(data[:3001])  # as the old version installed it, and recorded it:
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    digest = hashlib.sha256(data[:3001]).hexdigest()
    manifest["files"]["circle.ndjson"] = {"size": 3001, "sha256": digest, "url": "x"}
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    results, events = _get(bucket, tmp_path)
    assert results[0].status == "downloaded"
    assert cut.read_bytes() == data
    assert [e.message for e in events if e.event == "retry"] == [
        f"{cut} ends in the middle of a line; downloading"
    ]


def test_a_cut_file_is_not_verified_by_a_matching_size_alone(bucket, tmp_path):
    """A file copied in by hand, as long as the server says, but ending mid-line."""
    data = bucket.files["circle.ndjson"]
    bucket.files["circle.ndjson"] = data[:3001]  # a mirror holding a cut copy
    bucket.send_hash = False
    (tmp_path / "circle.ndjson").write_bytes(data[:3001])
    with pytest.raises(DownloadError) as e:
        _get(bucket, tmp_path, retries=0)
    assert str(e.value) == (
        f"cannot download {bucket.url}/circle.ndjson: the server's file ends in the middle "
        "of a line after 3001 bytes, so it is cut short there (a broken copy?); "
        f"removed {tmp_path}/circle.ndjson.part"
    )
    # the resume asked for the rest, and the server said there is none
    assert [r.range for r in bucket.hits()] == [None, "bytes=3001-"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circle.ndjson"]  # as it was
    assert (tmp_path / "circle.ndjson").read_bytes() == data[:3001]


@pytest.mark.parametrize(
    ("tail", "cut"),
    [
        (b"", False),  # ends with a newline
        (b'{"word":"circle","drawing":[]}', False),  # a whole last line, no newline
        (b"\r\n\n  \n", False),  # blank lines after the last drawing
        (b'{"word":"circle","dra', True),
        (b'{"word":"circle","drawing":[[[1,2],[3,4]]]', True),  # one brace short
        (b"\xff\xfe{", True),  # not even UTF-8
    ],
)
def test_a_last_line_that_is_not_a_whole_json_object_is_cut_short(tmp_path, tail, cut):
    from training.download import _cut_short

    path = tmp_path / "x.ndjson"
    path.write_bytes(ndjson_bytes("circle", 3).replace(b"\n", b"\r\n") + tail)
    assert _cut_short(path) is cut
