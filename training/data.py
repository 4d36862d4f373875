"""What a config's data section means: the training, validation and test sets of a run.

Every source contributes to all three: a directory by its 80/10/10 split (cached),
"synthetic" by fresh doodles each epoch for training and two fixed generated sets
(seeds eval_seed and eval_seed + 1) for validation and test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.classes import CLASSES
from training.augment import Augmenter
from training.cache import Progress, directory_files, load_split
from training.config import SYNTHETIC, TrainConfig
from training.dataset import BatchDataset, PreparedSource, SyntheticSource, synthetic_set
from training.prepared import PreparedSet

DRY_RUN_DRAWINGS = 2  # per class, for --dry-run
GENERATING = "generating the synthetic validation and test sets"


@dataclass
class RunData:
    train: BatchDataset
    val: PreparedSet
    test: PreparedSet
    # what the run should know about its data: bad lines skipped, drawings whose 'word'
    # is not their file's class, classes with no drawings
    warnings: list[str] = field(default_factory=list)


def concat_sets(sets: list[PreparedSet]) -> PreparedSet:
    """One PreparedSet holding the drawings of several, in order (in memory)."""
    if len(sets) == 1:
        return sets[0]
    return PreparedSet(
        points=np.concatenate([np.asarray(s.points) for s in sets]),
        stroke_len=np.concatenate([s.stroke_len for s in sets]),
        n_strokes=np.concatenate([s.n_strokes for s in sets]),
        labels=np.concatenate([s.labels for s in sets]),
        packed=np.concatenate([np.asarray(s.packed) for s in sets]),
        pad_len=sets[0].pad_len,
        m=sets[0].m,
    )


def build_data(
    cfg: TrainConfig, *, progress: Progress | None = None, dry_run: bool = False
) -> RunData:
    """The datasets of a run (directories are prepared or found in the cache)."""
    d = cfg.data
    sources: list[PreparedSource | SyntheticSource] = []
    vals: list[PreparedSet] = []
    tests: list[PreparedSet] = []
    warnings: list[str] = []
    counts = np.zeros(len(CLASSES), np.int64)  # training drawings a class
    # the file steps of the whole preparation (3 splits x the files of each directory),
    # which a split's bar counts in: "10/54 train: reading ice cream"
    files = {s: len(directory_files(s)) for s in d.sources if s != SYNTHETIC}
    steps, in_all = 0, 3 * sum(files[s] for s in d.sources if s != SYNTHETIC)
    for source in d.sources:
        if source == SYNTHETIC:
            per_class = DRY_RUN_DRAWINGS if dry_run else d.per_class
            eval_per_class = DRY_RUN_DRAWINGS if dry_run else d.eval_per_class
            sources.append(SyntheticSource(per_class, cfg.seed, d.variety, d.outliers))
            n = eval_per_class * len(CLASSES)  # drawings a set
            for k, (seed, out) in enumerate(((d.eval_seed, vals), (d.eval_seed + 1, tests))):
                drawn = None
                if progress is not None:  # about 2,000 drawings a second

                    def drawn(done: int, before: int = k * n, total: int = 2 * n) -> None:
                        progress(before + done, total, GENERATING)

                out.append(
                    synthetic_set(
                        eval_per_class,
                        seed,
                        variety=d.variety,
                        pad_len=cfg.pad_len,
                        m=cfg.m,
                        progress=drawn,
                    )
                )
            if progress is not None:
                progress(2 * n, 2 * n, "generated the synthetic validation and test sets")
            counts += 1  # every class, each epoch
            continue
        kw = {"pad_len": cfg.pad_len, "m": cfg.m, "cap": d.cap_per_class, "progress": progress}
        if dry_run:
            kw["cap"] = min(d.cap_per_class or 10**9, 10 * DRY_RUN_DRAWINGS)
        # an augmenting run draws its training batches from the strokes: no frames
        kw["steps"] = (steps, in_all)
        train_split = load_split(source, "train", frames=not cfg.augment.enabled, **kw)
        counts += np.bincount(train_split.labels, minlength=len(CLASSES))[: len(CLASSES)]
        if train_split.bad_lines:  # each split reads every line: one split's count
            warnings.append(bad_lines_warning(source, train_split))
        if train_split.mismatch_warning:  # likewise
            warnings.append(train_split.mismatch_warning)
        sources.append(PreparedSource(train_split))
        kw["steps"] = (steps + files[source], in_all)
        vals.append(load_split(source, "val", **kw))
        kw["steps"] = (steps + 2 * files[source], in_all)
        tests.append(load_split(source, "test", **kw))
        steps += 3 * files[source]
        # older sets of this directory that preparing a split removed from the cache
        warnings.extend(s.removed for s in (train_split, vals[-1], tests[-1]) if s.removed)
    augmenter = Augmenter(cfg.augment) if cfg.augment.enabled else None
    train = BatchDataset(sources, pad_len=cfg.pad_len, m=cfg.m, augmenter=augmenter, seed=cfg.seed)
    missing = [c for c, n in zip(CLASSES, counts, strict=True) if not n]
    if missing:
        warnings.append(
            f"no training drawings of {len(missing)} of {len(CLASSES)} classes: "
            f"{', '.join(missing)} (the model cannot learn them)"
        )
    return RunData(train=train, val=concat_sets(vals), test=concat_sets(tests), warnings=warnings)


def bad_lines_warning(source: str, prepared: PreparedSet) -> str:
    """One line on what reading `source` skipped: the count and the first bad line."""
    n = prepared.bad_lines
    first = f" (the first: {prepared.bad_examples[0]})" if prepared.bad_examples else ""
    return f"{source}: {n} bad line{'s' if n != 1 else ''} skipped while reading{first}"
