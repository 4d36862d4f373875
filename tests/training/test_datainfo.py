import json

import numpy as np

from core.strokes import Drawing, write_ndjson
from training.datainfo import data_files, file_stats


def test_data_files_are_ndjson_and_class_named_json_only(tmp_path):

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    write_ndjson([d, d], tmp_path / "sun.ndjson")
    (tmp_path / "square.json").write_text(json.dumps([[[[0, 9], [0, 9]]]]))
    (tmp_path / "checksums.json").write_text('{"files": {}}')
    (tmp_path / "notes.txt").write_text("not data")
    files = data_files(tmp_path)
    assert [p.name for p in files] == ["square.json", "sun.ndjson"]
    assert [file_stats(p).n for p in files] == [1, 2]
