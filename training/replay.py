"""Replay of drawings through the stateful classifier and the snap policy, stroke after stroke.

This is how results are measured: each drawing is fed to `core.classifier.
StrokeClassifier` one stroke at a time, as the drawing window feeds it
(`replay_drawings`, the reference), and the prediction history goes to
`core.snap.SnapPolicy`, the rule the window snaps by. Reports of many drawings
(`frankenstein eval`, a run's final evaluation, the probes) replay them many at a time
(`replay_batched`: the same predictions up to float rounding, several times faster)
wherever the classifier is one plain model; `replay_many` picks. A drawing snaps at
the first stroke k where the policy decides to; the snap is right
when its class is the drawing's, and then it saves the n - k strokes not yet drawn.
After its last stroke a drawing is over, as when a person pauses in the window: the
policy then sees the finished guess (`StrokeClassifier.finish`, the ending prior),
and so does the whole-drawing part of the report (top-1, top-3, confusion, ECE).

The frames of such a replay are not quite the window's before the last stroke: a
simplified drawing is normalised on the finished drawing's bounding box, so the frame
after stroke k shows the first k strokes at the finished drawing's scale, where they
may fill a corner. The window cannot know the finished drawing: it normalises the
strokes drawn so far on their own bounding box (live/controller.py `_sync`), so it
reads the first k strokes as if they were the whole drawing, filling the frame.
`window_views` makes the strokes the window reads after each stroke and `replay_live`
replays them, one prefix at a time, for the report's ``accuracy_at_stroke_live``
(`frankenstein eval`).
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.classes import CLASSES, class_index
from core.signals import poll
from core.strokes import Drawing, ReadReport, normalize_strokes
from training.split import Split

SWEEP = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)

Progress = Callable[[int, int], None]  # (drawings done, total)


@dataclass
class Replayed:
    """One drawing's replay: its class, the predictions after each stroke, and the
    guess once it is known to be finished (the last one reweighted by the ending prior)."""

    label: int
    history: list  # list[core.classifier.Prediction], one per stroke
    final: object = None  # core.classifier.Prediction; None: the last of `history`
    drawing: Drawing | None = None  # the drawing replayed, where known (its ink, key_id)
    hidden: np.ndarray | None = None  # (n_strokes, head_hidden) after each stroke, where kept

    @property
    def ink(self) -> tuple[np.ndarray, ...] | None:
        """The drawing's strokes, where known (for the snap policy's scribble rule)."""
        return None if self.drawing is None else self.drawing.strokes

    @property
    def final_probs(self) -> np.ndarray:
        """(C,) the finished drawing's probabilities."""
        return (self.final if self.final is not None else self.history[-1]).probs

    @property
    def step_probs(self) -> np.ndarray:
        """(n_strokes, C) calibrated probabilities after each stroke."""
        return np.stack([p.probs for p in self.history])


def replay_drawings(
    classifier, drawings: Sequence[Drawing], progress: Progress | None = None
) -> list[Replayed]:
    """Replay every drawing (with at least one non-empty stroke) stroke by stroke: the
    reference, fed to the classifier as the window feeds it, each stroke at the finished
    drawing's scale (`replay_many` for reports; `replay_live` for the window's view)."""
    out = []
    for i, d in enumerate(drawings):
        poll()  # a Ctrl-C or SIGTERM the eval loop missed acts now
        if classifier.replay(d.strokes) is not None:
            out.append(
                Replayed(class_index(d.word), classifier.history, classifier.finish(), drawing=d)
            )
        if progress is not None and (i % 20 == 19 or i == len(drawings) - 1):
            progress(i + 1, len(drawings))
    return out


def batchable(classifier) -> bool:
    """Whether `replay_batched` replays `classifier` as it would replay itself: a plain
    core.classifier.StrokeClassifier (not a subclass, which may predict otherwise) of
    one model with `step_hidden` (not an ensemble)."""
    from core.classifier import StrokeClassifier

    return type(classifier) is StrokeClassifier and hasattr(classifier.model, "step_hidden")


def replay_many(
    classifier, drawings: Sequence[Drawing], progress: Progress | None = None
) -> list[Replayed]:
    """The replays of a report: `replay_batched` where the classifier allows it
    (`batchable`; without the hidden features, which a report does not read), else
    `replay_drawings`, stroke by stroke (an ensemble, a probe's own classifier)."""
    if batchable(classifier):
        return replay_batched(classifier, drawings, progress, chunk=REPLAY_CHUNK, hidden=False)
    return replay_drawings(classifier, drawings, progress)


REPLAY_CHUNK = 512  # drawings replayed together by `replay_batched`
# Frames through the CNN at a time. Measured on one core here, 16 to 32 is fastest:
# larger batches slow it down (the first layer's output, 4 MB at 16 frames of the
# default model, outgrows the cache), and 512 took twice as long.
FRAME_BATCH = 16


def replay_batched(
    classifier,
    drawings: Sequence[Drawing],
    progress: Progress | None = None,
    *,
    chunk: int = REPLAY_CHUNK,
    hidden: bool = True,
) -> list[Replayed]:
    """`replay_drawings`, many drawings at a time, each Replayed with its `hidden`
    features: the head's hidden layer after every stroke (as `StrokeClassifier.hidden`;
    with hidden=False, None, so that tens of thousands of replays do not keep them).

    The classifier (a single model with `step_hidden`, not an ensemble) is not fed
    stroke by stroke: the frames after every stroke of `chunk` drawings
    (core.raster.stroke_frames) go through the CNN in batches, the LSTM takes one
    batched step per stroke index, each drawing's strokes past pad_len are re-run from
    its state before the last step (as `StrokeClassifier.add_stroke` does), and the
    probabilities, familiarity marks and finished guesses are made as that classifier
    makes them. So the replays equal `replay_drawings`' up to float rounding (a batch's
    sums are not added in one frame's order; the tests check it), at many times the rate.
    Only one chunk's frames and features are held at a time; `progress` is told after
    each chunk."""
    from core.classifier import Prediction

    out: list[Replayed] = []
    for lo in range(0, len(drawings), chunk):
        poll()  # a Ctrl-C or SIGTERM the eval loop missed acts now
        part = drawings[lo : lo + chunk]
        kept = [[s for s in d.strokes if np.size(s)] for d in part]  # empty strokes: none
        if any(kept):
            features, probs = _step_outputs(classifier, [k for k in kept if k])
            familiar = _familiar(classifier.familiarity, features)
            if not hidden:
                features = None
        row = 0
        for d, strokes in zip(part, kept, strict=True):
            if not strokes:
                continue
            rows = range(row, row + len(strokes))
            row += len(strokes)
            history = [
                Prediction(probs[r], k, familiar=None if familiar is None else familiar[r])
                for k, r in enumerate(rows, 1)
            ]
            final = classifier.finish(history[-1])
            mine = None if features is None else features[rows.start : row]
            out.append(Replayed(class_index(d.word), history, final, d, mine))
        if progress is not None:
            progress(lo + len(part), len(drawings))
    return out


def window_views(strokes: Sequence[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
    """The strokes the drawing window's classifier reads after each stroke of a drawing
    in the simplified space (empty strokes left out): the first k strokes normalised on
    their own bounding box with `core.strokes.normalize_strokes`, as live/controller.py
    `_sync` normalises the ink drawn so far.

    A prefix whose bounding box is the finished drawing's (the same corner and larger
    side) is kept as it is: the file's strokes are the finished ink normalised the way
    the window normalises it (Google's simplification, per stroke), so the window reads
    those very strokes, and normalising them a second time would only resample and
    simplify them again (RDP drops a point here and there: 264 of the 300 real dev
    doodles come back changed). So the last view is the drawing itself."""
    return [view for view, _ in _views(strokes)]


def _views(strokes: Sequence[np.ndarray]) -> list[tuple[tuple[np.ndarray, ...], bool]]:
    """`window_views`, each with whether it is the file's prefix as it is."""
    strokes = [np.asarray(s, np.float32).reshape(-1, 2) for s in strokes if np.size(s)]
    whole = _box(strokes)
    out = []
    for k in range(1, len(strokes) + 1):
        same = _box(strokes[:k]) == whole
        out.append((tuple(strokes[:k]) if same else normalize_strokes(strokes[:k]), same))
    return out


def _box(strokes: Sequence[np.ndarray]) -> tuple[float, float, float] | None:
    """(left, top, larger side) of the strokes' points: what normalisation depends on."""
    if not strokes:
        return None
    points = np.concatenate(strokes)
    lo = points.min(axis=0)
    return float(lo[0]), float(lo[1]), float((points.max(axis=0) - lo).max())


def replay_live(
    classifier,
    drawings: Sequence[Drawing],
    progress: Progress | None = None,
    *,
    max_k: int | None = None,
    replays: Sequence[Replayed] | None = None,
) -> list[np.ndarray]:
    """The live guesses as the drawing window makes them: for every drawing with at
    least one non-empty stroke (the drawings `replay_many` replays, in its order), the
    (min(n, max_k), C) calibrated probabilities after each of its first strokes, the
    k-th from a replay of its `window_views`' k-th view from a fresh state (as the
    window replays a shape whose bounding box changed) and its last prediction.

    Each view is replayed as a drawing of its own by `replay_many` (many at a time where
    the classifier allows it); `progress` counts the views replayed. With `replays`, the
    same classifier's `replay_many` of the same drawings, a view that is the file's
    prefix as it is takes that replay's guess after stroke k instead (the same strokes
    from a fresh state: on the 300 real dev doodles 445 of the 773 views up to stroke 8,
    so the rest cost about one replay of the drawings)."""
    views, where = [], []  # the views to replay; per drawing, per view: its row or guess
    drawn = [d for d in drawings if any(np.size(s) for s in d.strokes)]
    if replays is not None and len(replays) != len(drawn):
        raise ValueError(f"{len(replays)} replays of {len(drawn)} drawings with ink")
    for i, d in enumerate(drawn):
        mine = []
        for k, (view, same) in enumerate(_views(d.strokes)[:max_k], 1):
            if same and replays is not None:
                mine.append(replays[i].history[k - 1].probs)
            else:
                mine.append(len(views))
                views.append(Drawing(view, d.word, key_id=d.key_id))
        where.append(mine)
    done = replay_many(classifier, views, progress)
    if len(done) != len(views):  # every view has ink, so every one is replayed
        raise AssertionError(f"{len(views)} views replayed as {len(done)}")
    return [
        np.stack([done[x].history[-1].probs if isinstance(x, int) else x for x in mine])
        for mine in where
    ]


def _familiar(familiarity, hidden: np.ndarray) -> np.ndarray | None:
    """(S, C) bool: the classes each stroke's ink looks like, as the classifier marks
    them; None where it marks nothing (no statistics, or no limit)."""
    if familiarity is None or familiarity.limit is None:
        return None
    return familiarity.familiar(hidden)


def _step_outputs(classifier, drawings: Sequence[Sequence[np.ndarray]]):
    """The head's hidden features (S, head_hidden) float64 and the calibrated
    probabilities (S, C) float64 after every stroke of `drawings` (each a list of
    non-empty strokes), stroke after stroke, drawing after drawing."""
    import torch

    from core.classifier import StrokeError
    from core.raster import stroke_frames

    model, cfg = classifier.model, classifier.cfg
    if not hasattr(model, "step_hidden"):
        raise TypeError("a batched replay needs one model with step_hidden, not an ensemble")
    if not all(np.isfinite(s).all() for d in drawings for s in d):
        raise StrokeError("a stroke's points must be finite numbers (got NaN or infinity)")
    frames, n = stroke_frames(drawings, cfg.m)  # (S, m, m), (N,)
    training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            device = next(model.parameters()).device
            features = torch.cat(
                [
                    model.encode(torch.from_numpy(frames[i : i + FRAME_BATCH]).to(device))
                    for i in range(0, len(frames), FRAME_BATCH)
                ]
            )  # (S, F)
            hidden, log_probs = _steps(model, features, n, cfg.pad_len)
            probs = torch.softmax(log_probs.double() / classifier.temperature, -1)
    finally:
        if training:
            model.train()
    return hidden.double().cpu().numpy(), probs.cpu().numpy()


def _steps(model, features, n: np.ndarray, pad_len: int):
    """The head's hidden features and log-probabilities (S, ...) of every stroke's
    `features` (S, F), for drawings of `n` (N,) strokes, each stroke from the LSTM state
    its drawing had before it; past pad_len every stroke is a re-run of the last step
    from the state before that step, and the CNN-only model takes every stroke alone."""
    import torch

    drawing = np.repeat(np.arange(len(n)), n)  # (S,)
    within = np.arange(len(drawing)) - np.repeat(np.cumsum(n) - n, n)  # (S,)
    state = model.init_state(len(n))  # None: no LSTM
    step = np.minimum(within, 0 if state is None else pad_len - 1)  # (S,) the step it lands on
    hidden = features.new_empty(len(drawing), model.cfg.head_hidden)
    log_probs = features.new_empty(len(drawing), model.cfg.num_classes)
    for t in range(int(step.max(initial=-1)) + 1):
        rows = torch.from_numpy(np.flatnonzero(step == t)).to(features.device)
        idx = torch.from_numpy(drawing).to(features.device)[rows]  # their drawings
        before = None if state is None else tuple(x[:, idx] for x in state)
        hidden[rows], log_probs[rows], after = model.step_hidden(features[rows], before)
        if after is not None and t < pad_len - 1:  # one row a drawing: the state after it
            for x, y in zip(state, after, strict=True):
                x[:, idx] = y
    return hidden, log_probs


def snap_at(history: Sequence, policy, final=None, ink=None) -> tuple[int, str] | None:
    """(stroke count, class) of the first snap the policy makes, or None.

    After the last stroke the drawing is known to be finished (as when a person
    pauses), which waives the policy's rules against premature snaps; the policy then
    judges `final`, the finished guess, in place of the last prediction, if given.
    With `ink`, the drawing's strokes (empty ones are left out, as the replays leave
    them out), the policy sees the first k of them with the k-th prediction, as the
    window gives it the shape's strokes (its scribble rule reads them).
    """
    n = len(history)
    strokes = None if ink is None else [s for s in ink if np.size(s)]
    for k in range(1, n + 1):
        seen = history[:k] if k < n or final is None else [*history[:-1], final]
        decision = policy.decide(seen, finished=k == n)
        # = policy.decide(seen, finished=..., ink=strokes[:k]): the scribble rule only
        # refuses, so its crossings are counted only where the rest would snap (a
        # report's threshold sweep asks about every drawing at every stroke)
        if (
            decision is not None
            and strokes is not None
            and policy.scribble(strokes[:k]) is not None
        ):
            decision = None
        if decision is not None:
            return k, decision.cls
    return None


def snap_stats(replays: Sequence[Replayed], policy) -> dict:
    """Snap precision, recall and mean share of strokes saved at the policy's threshold,
    and how many wrong snaps were premature: the finished drawing's guess was right."""
    snaps = right = premature = 0
    saved = 0.0
    for r in replays:
        hit = snap_at(r.history, policy, r.final, r.ink)
        if hit is None:
            continue
        k, cls = hit
        snaps += 1
        if cls == CLASSES[r.label]:
            right += 1
            saved += (len(r.history) - k) / len(r.history)
        elif int(np.argmax(r.final_probs)) == r.label:
            premature += 1  # wrong mid-drawing, though the whole drawing reads right
    n = len(replays)
    return {
        "threshold": float(policy.threshold),
        "snaps": snaps,
        "wrong": snaps - right,
        "premature": premature,
        "precision": right / snaps if snaps else None,
        "recall": right / n if n else None,
        "strokes_saved": saved / n if n else None,
    }


def wrong_snaps(replays: Sequence[Replayed], policy) -> list[dict]:
    """Every wrong snap the policy makes, in replay order, to look at one by one.

    Each names its drawing (`index` among the replays, and `key_id` where known), the
    drawing's class (`true`), the class it snapped to, at which `stroke` of how many
    (`strokes`) and with what calibrated `confidence`, the guess on the finished drawing
    (`finished_guess`), and whether the snap was `premature`: that guess was right.
    """
    out = []
    for i, r in enumerate(replays):
        hit = snap_at(r.history, policy, r.final, r.ink)
        true = CLASSES[r.label]
        if hit is None or hit[1] == true:
            continue
        k, cls = hit
        n = len(r.history)
        judged = r.final if k == n and r.final is not None else r.history[k - 1]
        finished = CLASSES[int(np.argmax(r.final_probs))]
        out.append(
            {
                "index": i,
                "key_id": None if r.drawing is None else r.drawing.key_id,
                "true": true,
                "snapped": cls,
                "stroke": k,
                "strokes": n,
                "confidence": float(judged.probs[class_index(cls)]),
                "finished_guess": finished,
                "premature": finished == true,
            }
        )
    return out


def snap_report(replays: Sequence[Replayed], policy, sweep: Sequence[float] = SWEEP) -> dict:
    """The report's "snap" entry: stats at the policy's threshold and over a sweep, the
    policy's steadiness rule, the wrong snaps at the threshold (`wrong_snaps`), and
    when the policy checks familiarity, the stats without that check
    (`without_familiarity`: what it cost and what it saved)."""
    stats = snap_stats(replays, policy)
    stats["steady_steps"] = policy.steady_steps
    stats["steady_override"] = float(policy.steady_override)
    stats["heed_familiarity"] = bool(policy.heed_familiarity)
    if policy.heed_familiarity:
        heedless = policy.model_copy(update={"heed_familiarity": False})
        stats["without_familiarity"] = snap_stats(replays, heedless)
    stats["sweep"] = [
        {k: v for k, v in snap_stats(replays, policy.model_copy(update={"threshold": t})).items()}
        for t in sweep
    ]
    stats["wrong_snaps"] = wrong_snaps(replays, policy)
    return stats


def read_eval_drawings(
    directory: str | os.PathLike,
    *,
    limit: int | None = None,
    split: Split | None = None,
    report: ReadReport | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Drawing]:
    """Every drawing of a data directory (all splits, or only `split`'s by
    training/split.py's rule, as the cache splits a run's sources: `eval --split test`
    scores the drawings a run held out), in the simplified space, each
    with its class's canonical name (core/strokes.py's rule: a file's class where it is
    named after one) and its key_id; with `limit`, the first `limit` of each class
    (of the split), whichever files hold them (a file named after a class is read until
    that class has them, any other file to its end). `progress(bytes read, bytes in all,
    file name)` follows the reading (training.datainfo.FilesRead)."""
    from training.cache import directory_files, iter_split
    from training.datainfo import FilesRead

    files = directory_files(directory)
    read = FilesRead(files, progress) if progress is not None else None

    def drawings_of(path: Path) -> Iterator[Drawing]:
        try:
            yield from iter_split([path], split, report=report, bytes_read=read)
        finally:  # also when the limit stops the reading early
            if read is not None:
                read.done(path)

    return first_per_class(files, drawings_of, limit)


def first_per_class(
    files: Sequence[Path], drawings_of: Callable[[Path], Iterable[Drawing]], limit: int | None
) -> list[Drawing]:
    """The drawings `drawings_of` gives for each file in turn, at most the first `limit` of
    each class, whichever files hold them: a file named after a class is read until that
    class has them, any other file to its end (the `--limit` of eval and draw --score)."""
    from core.strokes import file_class

    out: list[Drawing] = []
    taken = Counter()  # drawings kept per class
    for path in files:
        own = file_class(path)
        with contextlib.closing(iter(drawings_of(path))) as drawings:
            for d in drawings:
                if limit is not None and taken[d.word] >= limit:
                    if d.word == own:
                        break
                    continue
                taken[d.word] += 1
                out.append(d)
    return out


def evaluate(
    classifier,
    drawings: Sequence[Drawing],
    policy,
    *,
    sweep: Sequence[float] = SWEEP,
    progress: Progress | None = None,
) -> dict:
    """The full evaluation report (training/evaluate.py) of some drawings, replayed by
    `replay_many`."""
    return replays_report(replay_many(classifier, drawings, progress), policy, sweep=sweep)


def replays_report(replays: Sequence[Replayed], policy, *, sweep: Sequence[float] = SWEEP) -> dict:
    """The full evaluation report (training/evaluate.py) of replayed drawings."""
    from training.evaluate import report

    return report(
        [r.step_probs for r in replays],
        [r.label for r in replays],
        snap_report(replays, policy, sweep),
        final=[r.final_probs for r in replays],
    )


def evaluate_checkpoint(
    name_or_path: str | Path,
    drawings: Sequence[Drawing],
    *,
    threshold: float | None = None,
    progress: Progress | None = None,
) -> dict:
    """Load a checkpoint (or bundled name) and evaluate it with the default snap policy."""
    from core.classifier import StrokeClassifier
    from core.snap import SnapPolicy

    classifier = StrokeClassifier.from_checkpoint(name_or_path)
    policy = SnapPolicy() if threshold is None else SnapPolicy(threshold=threshold)
    return evaluate(classifier, drawings, policy, progress=progress)
