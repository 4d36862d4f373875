"""The learning-rate schedule: warm-up length and the cosine decay."""

import pytest

from training.config import OptimSection
from training.optim import FINAL_LR_SHARE, lr_factor


def _warm_steps(total: int, cfg: OptimSection) -> int:
    """The step where the factor peaks: the end of the warm-up."""
    return max(range(total), key=lambda s: lr_factor(s, total, cfg))


def test_warm_up_is_a_share_of_a_long_run():
    cfg = OptimSection(warmup=0.03, min_warmup=300)
    assert _warm_steps(20_000, cfg) == pytest.approx(600, abs=1)


def test_a_short_run_still_warms_up_for_min_warmup_steps():
    cfg = OptimSection(warmup=0.03, min_warmup=300)
    assert _warm_steps(1_352, cfg) == pytest.approx(300, abs=1)  # not 41
    assert lr_factor(0, 1_352, cfg) < 0.01


def test_warm_up_never_takes_more_than_half_the_run():
    cfg = OptimSection(warmup=0.03, min_warmup=300)
    assert _warm_steps(100, cfg) == pytest.approx(50, abs=1)
    assert lr_factor(99, 100, cfg) == pytest.approx(FINAL_LR_SHARE, abs=0.01)


def test_min_warmup_zero_is_the_plain_share():
    cfg = OptimSection(warmup=0.03, min_warmup=0)
    assert _warm_steps(1_352, cfg) == pytest.approx(41, abs=1)


def test_a_run_folder_from_before_the_floor_resumes_with_its_own_schedule(tmp_path):
    import json

    from training.config import TrainConfig
    from training.runfolder import RunFolder

    folder = RunFolder(tmp_path / "old-run")
    folder.path.mkdir()
    data = TrainConfig(name="old-run").model_dump(mode="json")
    del data["optim"]["min_warmup"]  # as config.json was written before the field existed
    folder.config.write_text(json.dumps(data))
    assert folder.read_config().optim.min_warmup == 0
    folder.write_config(TrainConfig(name="old-run"))
    assert folder.read_config().optim.min_warmup == 300
