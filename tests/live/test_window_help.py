"""The help overlay (H) in the real headless window: where it covers the whole window,
its rows run over the panel's place, and the panel's text under it ran into them
("P ... faint)" over a dimmed "threshold: 0.80" at 1060 x 600); through the overlay,
the letterbox band was darker than the canvas (800 x 600: two greys)."""

import pytest
from pyglet.window import key

from tests.live.helpers import circle
from tests.live.window_helpers import at, press, stroke


def box(label) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of the text a label draws."""
    return (
        label.left,
        label.bottom,
        label.left + label.content_width,
        label.bottom + label.content_height,
    )


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def panel_labels(view) -> list:
    return [
        view.title,
        view.model,
        *view.guess_names,
        *view.guess_probs,
        view.info,
        view.status,
        view.error,
        view.hint,
    ]


def drawn(label) -> bool:
    return label.visible and bool(label.text)


@pytest.mark.parametrize("size", [(800, 600), (1060, 600)])
def test_the_help_and_the_panel_do_not_write_over_each_other(open_window, size):
    w = open_window(frankenstein="circle", auto_snap=False, window_size=size)
    stroke(w, circle(w.controller.layout.canvas.x + 200, 300, 60))
    view = w.scene_view
    assert sum(drawn(lb) for lb in panel_labels(view)) >= 8
    press(w, key.H)
    rows = [lb for lb in [view.help_title, *view.help_keys, *view.help_what] if lb.text]
    assert len(rows) > 20
    panel = w.controller.layout.panel
    assert any(box(lb)[2] > panel.x for lb in rows)  # the help reaches the panel's place
    for label in panel_labels(view):
        for row in rows:
            assert not (drawn(label) and overlap(box(label), box(row))), (label.text, row.text)
    press(w, key.H)  # closed: the panel is back
    assert sum(drawn(lb) for lb in panel_labels(view)) >= 8 and view.panel_back.visible


def test_the_help_darkens_the_whole_window_evenly(open_window):
    """800 x 600: the canvas is letterboxed, 540 x 405, a band above and below it."""
    w = open_window(window_size=(800, 600))
    c, panel = w.controller.layout.canvas, w.controller.layout.panel
    assert c.y > 50
    press(w, key.H)
    px = w.frame()
    # off the help's text: the band below the canvas, the canvas, the panel's place
    seen = {at(px, 10, 10), at(px, 10, round(c.y + 20)), at(px, panel.x + panel.w - 10, 10)}
    assert len(seen) == 1, seen
    assert sum(seen.pop()) < 200  # dark
