import numpy as np
import pytest
import torch

from core.classes import class_index
from tests.training.shapes import make_drawings
from training.dataset import BatchDataset, EpochBatches, PreparedSource
from training.prepared import PreparedSet


@pytest.fixture(scope="module")
def prepared():
    ds = make_drawings(4)
    labels = [class_index(d.word) for d in ds]
    return PreparedSet.from_strokes([d.strokes for d in ds], labels, pad_len=4, m=32)


def test_an_epoch_visits_every_drawing_once_in_a_seeded_order():
    b = EpochBatches(50, 8, seed=3)
    b.set_epoch(0)
    keys = list(b)
    assert len(keys) == len(b) == 7
    idx = np.concatenate([k[2] for k in keys])
    assert sorted(idx.tolist()) == list(range(50))
    again = EpochBatches(50, 8, seed=3)
    again.set_epoch(0)
    assert all(np.array_equal(a[2], c[2]) for a, c in zip(keys, list(again), strict=True))
    b.set_epoch(1)
    assert not np.array_equal(np.concatenate([k[2] for k in b]), idx)


def test_ranks_get_disjoint_shares_and_a_resume_skips_done_batches():
    shares = []
    for rank in range(2):
        b = EpochBatches(40, 4, seed=0, rank=rank, world=2)
        b.set_epoch(2)
        shares.append(np.concatenate([k[2] for k in b]))
    assert not set(shares[0]) & set(shares[1])
    assert sorted(np.concatenate(shares).tolist()) == list(range(40))
    b = EpochBatches(40, 4, seed=0)
    b.set_epoch(2)
    full = list(b)
    b.set_epoch(2, skip=3)
    rest = list(b)
    assert [k[1] for k in rest] == list(range(3, 10))
    assert np.array_equal(rest[0][2], full[3][2])


def test_a_batch_is_fixed_by_its_key(prepared):
    from training.augment import Augmenter
    from training.config import AugmentSection

    ds = BatchDataset(
        [PreparedSource(prepared)], pad_len=4, m=32, augmenter=Augmenter(AugmentSection()), seed=0
    )
    idx = np.arange(10)
    a, b, c = ds[(0, 5, idx)], ds[(0, 5, idx)], ds[(1, 5, idx)]
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not torch.equal(a[0], c[0])  # another epoch, another augmentation
    assert torch.equal(a[2], torch.from_numpy(prepared.labels[idx].astype(np.int64)))


def test_without_augmentation_batches_are_the_cached_frames(prepared):
    ds = BatchDataset([PreparedSource(prepared)] * 2, pad_len=4, m=32, augmenter=None, seed=0)
    assert len(ds) == 2 * len(prepared)
    idx = np.array([3, len(prepared) + 3])
    frames, lengths, labels = ds[(0, 0, idx)]
    assert labels.tolist() == [prepared.labels[3]] * 2
    expect, n = prepared.frames(np.array([3]))
    assert torch.equal(frames[0], torch.from_numpy(expect[0]))
    assert torch.equal(frames[1], frames[0]) and lengths.tolist() == [n[0], n[0]]
    assert frames.dtype == torch.uint8 and lengths.dtype == torch.int64


def test_synthetic_drawings_are_fixed_by_seed_epoch_and_index():
    from training.dataset import SyntheticSource

    src = SyntheticSource(per_class=3, seed=0)
    assert len(src) == 54
    idx = np.array([0, 7, 53])
    a, b = src.strokes(0, idx), src.strokes(0, idx)
    assert np.array_equal(a.points, b.points)
    alone = src.strokes(0, np.array([7]))  # a drawing does not depend on its batch
    assert np.array_equal(
        alone.points, a.points[a.stroke_start[a.n_strokes[0]] :][: len(alone.points)]
    )
    assert not np.array_equal(src.strokes(1, idx).points, a.points)  # fresh every epoch
    assert src.labels(idx).tolist() == [0, 7, 53 % 18]
    other = SyntheticSource(per_class=3, seed=1)
    assert not np.array_equal(other.strokes(0, idx).points, a.points)


def test_the_synthetic_validation_and_test_sets_count_their_drawings():
    """Generating them takes a second a thousand drawings: the count goes up as it does."""
    from training.config import load_config
    from training.data import build_data

    cfg = load_config(None, ["data.eval_per_class=12", "pad_len=4", "m=32"])  # 216 a set
    seen = []
    build_data(cfg, progress=lambda done, total, what: seen.append((done, total, what)))
    generating = [
        (d, t) for d, t, w in seen if w == "generating the synthetic validation and test sets"
    ]
    assert generating[0] == (100, 432) and generating[-1] == (432, 432)
    assert [d for d, _ in generating] == sorted(d for d, _ in generating) and len(generating) >= 5
    assert seen[-1] == (432, 432, "generated the synthetic validation and test sets")


def test_a_run_says_which_older_prepared_sets_of_its_directory_it_removed(tmp_path, monkeypatch):
    import gc
    import os

    from tests.training.shapes import write_shapes_dir
    from training.config import load_config
    from training.data import build_data

    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    data = write_shapes_dir(tmp_path / "data", per_class=12)
    cfg = load_config(None, [f"data.sources={[str(data)]}".replace("'", '"'), "pad_len=4", "m=32"])
    assert build_data(cfg).warnings == []
    gc.collect()  # that run's sets: no longer held
    os.utime(data / "sun.ndjson", ns=(1, 1))
    said = build_data(cfg).warnings
    assert len(said) == 1 and said[0].startswith(f"{data.resolve()}: removed 3 older prepared sets")
    assert len(list((tmp_path / "cache" / "prepared").iterdir())) == 3


@pytest.mark.parametrize("augment", [True, False])
def test_only_a_run_without_augmentation_prepares_its_training_frames(
    tmp_path, monkeypatch, augment
):
    from tests.training.shapes import write_shapes_dir
    from training.config import load_config
    from training.data import build_data

    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    data = write_shapes_dir(tmp_path / "data", per_class=12)
    settings = [f'data.sources=["{data}"]', "pad_len=4", "m=32"]
    run = build_data(load_config(None, [*settings, f"augment.enabled={str(augment).lower()}"]))
    (source,) = run.train.sources
    assert (source.data.packed is None) == augment and (source.frames is None) == augment
    assert run.val.packed is not None and run.test.packed is not None
    batch = run.train[0, 0, np.arange(4)]  # frames either way (rasterised, or cached)
    assert batch[0].shape == (4, 4, 32, 32) and batch[0].sum() > 0
