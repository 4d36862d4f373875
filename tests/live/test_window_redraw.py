"""What the window builds again when it shows a new scene: nothing for the ink it
already draws. A refresh or a drag with 300 shapes on the canvas rebuilt a Polyline and
read every point of every stroke, and a snap's morph rebuilt the fading ink every
frame. The picture, each time, is the one a window that built the scene from nothing
shows."""

import numpy as np

from tests.live.helpers import circle, draw, line


def test_the_scene_keeps_the_lines_of_shapes_that_did_not_change(make_controller):
    c = make_controller(frankenstein="circle", auto_snap=False, preview=False)
    draw(c, line(100, 100, 300, 100), t0=0)
    draw(c, line(100, 500, 300, 500), t0=1)
    first = c.scene().lines
    again = c.scene(5.0).lines
    assert len(first) == 2 and all(a is b for a, b in zip(first, again, strict=True))
    draw(c, line(100, 520, 300, 520), t0=2)  # joins the second shape
    lines = c.scene().lines
    assert lines[0] is first[0] and lines[1] is not first[1]
    np.testing.assert_array_equal(lines[1].points, first[1].points)
    draw(c, circle(600, 300, 100), t0=3)
    c.classify_now()  # snapped now: the morph's lines are new every frame
    at = c.shapes[-1].snap.at
    mid = c.scene(at + 0.1)
    assert mid.animating and c.scene(at + 0.1).lines[-1] is not mid.lines[-1]
    done = c.scene(at + 5.0)
    assert not done.animating and c.scene(at + 5.0).lines[-1] is done.lines[-1]
    back = c.scene(at + 0.1)  # a clock that went back: the morph again
    assert back.animating and back.lines[-1].alpha < 1.0
    c.undo()  # the snap: ink again
    assert [ln.kind for ln in c.scene().lines][-1] == "ink"
