import hashlib
from collections import Counter

import numpy as np

from core.strokes import Drawing
from training.split import split_of, split_of_key


def test_split_is_sha1_of_the_key_id_in_per_mille_buckets():
    for key in ("4697059695263744", "synth-3-circle-17", "x"):
        bucket = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "big") % 1000
        expected = "train" if bucket < 800 else "val" if bucket < 900 else "test"
        assert split_of_key(key) == expected


def test_split_proportions_are_80_10_10():
    counts = Counter(split_of_key(f"key-{i}") for i in range(20000))
    assert abs(counts["train"] / 20000 - 0.8) < 0.01
    assert abs(counts["val"] / 20000 - 0.1) < 0.01
    assert abs(counts["test"] / 20000 - 0.1) < 0.01


def test_a_drawing_keeps_its_split_whatever_else_changes():
    s = (np.array([[0, 0], [10, 10]], np.float32),)
    a = Drawing(strokes=s, word="line", key_id="abc")
    b = Drawing(strokes=(np.array([[5, 5]], np.float32),), word="circle", key_id="abc")
    assert split_of(a) == split_of(b) == split_of_key("abc")


def test_drawings_without_key_id_are_split_by_their_content():
    def d(x):
        return Drawing(strokes=(np.array([[x, 0], [10, 10]], np.float32),), word="line")

    assert split_of(d(3)) == split_of(d(3))
    splits = {split_of(d(x)) for x in range(60)}
    assert splits == {"train", "val", "test"}
