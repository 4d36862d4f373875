import numpy as np
import pytest

from core.classes import NUM_CLASSES, class_index
from core.classifier import Prediction
from training.compare import PairingError, paired_comparison
from training.replay import Replayed
from training.stats import mcnemar_p


def _guess(name: str) -> np.ndarray:
    p = np.full(NUM_CLASSES, 0.1 / (NUM_CLASSES - 1))
    p[class_index(name)] = 0.9
    return p


def _replay(label: str, guesses: list[str], final: str | None = None) -> Replayed:
    history = [Prediction(_guess(g), k + 1) for k, g in enumerate(guesses)]
    done = None if final is None else Prediction(_guess(final), len(guesses), finished=True)
    return Replayed(class_index(label), history, done)


# Four drawings read by two models; A keeps state, B guesses each frame afresh.
A = [
    _replay("square", ["square"]),
    _replay("house", ["square", "house"]),
    _replay("smiley face", ["circle", "smiley face", "smiley face"]),
    _replay("line", ["line", "line"], final="hockey stick"),  # the ending prior misleads A
]
B = [
    _replay("square", ["square"]),
    _replay("house", ["square", "square"]),
    _replay("smiley face", ["circle", "circle", "smiley face"]),
    _replay("line", ["line", "line"]),
]


def test_rows_count_the_drawings_only_one_model_reads_right():
    rows = {r["k"]: r for r in paired_comparison(A, B)}
    assert len(rows) == 9  # the finished drawing and strokes 1..8
    end = rows[None]
    # finished: A right on square, house, smiley; B on square, smiley, line
    assert (end["n"], end["a"], end["b"]) == (4, 0.75, 0.75)
    assert (end["only_a"], end["only_b"]) == (1, 1) and end["p"] == 1.0
    assert (rows[1]["n"], rows[1]["a"], rows[1]["b"]) == (4, 0.5, 0.5)
    assert (rows[1]["only_a"], rows[1]["only_b"]) == (0, 0)
    two = rows[2]  # house and smiley read right only by A after stroke 2; line by both
    assert (two["n"], two["a"], two["b"], two["only_a"], two["only_b"]) == (3, 1.0, 1 / 3, 2, 0)
    assert two["p"] == pytest.approx(mcnemar_p(2, 0)) == 0.5
    assert rows[3]["n"] == 1 and rows[3]["a"] == rows[3]["b"] == 1.0
    assert rows[4] == {"k": 4, "n": 0, "a": None, "b": None, "only_a": 0, "only_b": 0, "p": 1.0}


def test_swapping_the_models_swaps_the_columns():
    for ab, ba in zip(paired_comparison(A, B), paired_comparison(B, A), strict=True):
        assert (ab["a"], ab["only_a"], ab["p"]) == (ba["b"], ba["only_b"], ba["p"])


@pytest.mark.parametrize(
    "other",
    [B[:3], [*B[:3], _replay("circle", ["line", "line"])], [*B[:3], _replay("line", ["line"])]],
)
def test_replays_of_other_drawings_are_refused(other):
    with pytest.raises(PairingError, match="not the same drawing"):
        paired_comparison(A, other)
