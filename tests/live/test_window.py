"""The real pyglet window, headless (EGL): events dispatched to its handlers, frames
stepped by hand, pixels read back from the colour buffer."""

import itertools
from dataclasses import replace

import numpy as np
import pyglet
import pytest
from pyglet.window import key, mouse

from core.checkpoint import save_checkpoint
from live.controller import Controller
from live.drawables import text_width
from live.window import keymap
from tests.live.helpers import circle, line, loader_of
from tests.live.window_helpers import at, dark, dispatch, near, press, stroke


def test_ink_follows_the_pen_and_the_panel_sits_beside_the_canvas(open_window):
    w = open_window(auto_snap=False)
    colours = w.controller.settings.colours
    dispatch(w, "on_mouse_press", 100, 300, mouse.LEFT, 0)
    for x in range(110, 710, 10):
        dispatch(w, "on_mouse_drag", x, 300, 10, 0, mouse.LEFT, 0)
    px = w.frame()  # still dragging: the ink is already there
    assert dark(at(px, 400, 300)) and dark(at(px, 690, 300))
    assert near(at(px, 400, 200), colours.canvas)
    assert near(at(px, 1055, 5), colours.panel)
    dispatch(w, "on_mouse_release", 700, 300, mouse.LEFT, 0)
    px = w.frame()
    assert dark(at(px, 400, 300)) and w.controller.shapes[0].n_strokes == 1
    assert w.scene_view.model.text == "model: Frankenstein (CNN+LSTM)"


def test_the_panel_shows_the_top_guesses_with_bars(open_window):
    w = open_window(frankenstein="donut", auto_snap=False)
    stroke(w, circle(400, 300, 100))
    px = w.frame()
    view = w.scene_view
    assert view.guess_names[0].text == "donut"
    assert view.guess_probs[0].text == "100%"
    bar, back = view.bars[0], view.bar_backs[0]
    assert bar.width == pytest.approx(back.width, rel=1e-3)
    mid_y = round(bar.y + bar.height / 2)
    colours = w.controller.settings.colours
    assert near(at(px, round(bar.x + bar.width / 2), mid_y), colours.bar)
    second = view.bar_backs[1]
    assert near(at(px, round(second.x + second.width / 2), round(second.y + 4)), colours.bar_back)
    assert "strokes: 1" in view.info.text and "threshold: 0.80" in view.info.text


def test_a_snap_replaces_the_ink_by_the_template_after_a_short_transition(open_window):
    w = open_window(frankenstein="circle")
    colours = w.controller.settings.colours
    stroke(w, circle(400, 300, 120))
    shape = w.controller.shapes[0]
    assert shape.snap is not None
    start = w.frame()
    w.clock.t = shape.snap.at + 0.15
    middle = w.frame()
    w.clock.t = shape.snap.at + 1.0
    end = w.frame()
    assert not np.array_equal(start, middle) and not np.array_equal(middle, end)
    ring = [(round(400 + 120 * np.cos(a)), round(300 + 120 * np.sin(a))) for a in np.arange(16)]
    template = sum(near(at(end, x, y), colours.template, tol=40) for x, y in ring)
    inked = sum(near(at(end, x, y), colours.ink, tol=40) for x, y in ring)
    assert template >= 12 and inked == 0
    assert "snapped to circle" in w.scene_view.status.text


def test_keys_drive_the_controller(open_window):
    w = open_window(frankenstein="circle", cnn="square", auto_snap=False)
    c = w.controller
    stroke(w, line(100, 300, 300, 300))
    assert press(w, key.H) and c.help_visible
    px = w.frame()
    assert dark(at(px, 600, 100))  # the overlay darkens the canvas
    assert w.scene_view.help_keys[0].text.startswith("Ctrl+Z")
    press(w, key.ESCAPE)  # closes the help, not the window
    assert not c.help_visible and not w.has_exit
    press(w, key.F1)
    press(w, key.H)
    assert not c.help_visible
    press(w, key.BRACKETRIGHT)
    assert c.policy.threshold == pytest.approx(0.85)
    press(w, key.BRACKETLEFT)
    press(w, key.BRACKETLEFT)
    assert c.policy.threshold == pytest.approx(0.75)
    press(w, key.A)
    assert c.auto_snap
    press(w, key.M)
    assert c.model_name == "cnn" and w.scene_view.guess_names[0].text == "square"
    press(w, key.SPACE)
    assert c.shapes[0].snap.cls == "square"
    press(w, key.S)
    assert (c.settings.save_dir / "raw" / "square.ndjson").exists()
    press(w, key.E)
    assert list((c.settings.save_dir / "png").glob("*.png"))
    press(w, key.BACKSPACE)  # the snap
    press(w, key.Z, key.MOD_CTRL)  # the stroke
    assert c.shapes == []
    assert near(at(w.frame(), 200, 300), c.settings.colours.canvas)
    stroke(w, line(100, 300, 300, 300))
    press(w, key.C)
    assert c.shapes == []
    press(w, key.Z)  # plain z is not bound: nothing happens
    assert c.shapes == []


def test_the_canvas_scales_with_the_window(open_window):
    w = open_window(auto_snap=False)
    w.frame()  # the window's own first resize event comes with its first frame
    dispatch(w, "on_resize", 660, 300)  # drawing area 400 x 300: the canvas at scale 0.5
    layout = w.controller.layout
    assert layout.scale == 0.5 and layout.panel.x == 400
    stroke(w, [(100, 150), (300, 150)])  # view points
    np.testing.assert_allclose(w.controller.shapes[0].strokes[0].points, [[200, 300], [600, 300]])
    px = w.frame()
    assert dark(at(px, 200, 150)) and not dark(at(px, 200, 200))
    assert near(at(px, 640, 5), w.controller.settings.colours.panel)


def test_a_missing_checkpoint_still_opens_a_window_that_says_so(open_window, settings, tmp_path):
    missing = tmp_path / "missing.pt"
    c = Controller(settings.model_copy(update={"checkpoint": missing}))
    w = open_window(controller=c)
    assert str(missing) in w.scene_view.error.text.replace("\n", "")
    stroke(w, line(100, 300, 300, 300))
    px = w.frame()
    assert dark(at(px, 200, 300)) and w.scene_view.guess_names[0].text == ""
    panel = px[:, 800:, :3].astype(int)
    red = (panel[:, :, 0] > 150) & (panel[:, :, 1] < 110) & (panel[:, :, 2] < 110)
    assert red.sum() > 30  # the message, in the error colour


def test_a_window_on_a_real_checkpoint_file(open_window, settings, tmp_path, tiny_models):
    path = tmp_path / "tiny.pt"
    save_checkpoint(path, tiny_models["frankenstein"])
    w = open_window(controller=Controller(settings.model_copy(update={"checkpoint": path})))
    stroke(w, circle(400, 300, 100))
    assert w.scene_view.guess_names[0].text and w.scene_view.error.text == ""


def test_key_names_map_to_pyglet_symbols(settings):
    table = keymap(settings.keys)
    assert table[(key.Z, key.MOD_CTRL)] == "undo" and table[(key.F1, 0)] == "help"
    bad = settings.keys.model_copy(update={"clear": ("nosuchkey",)})
    with pytest.raises(Exception, match="nosuchkey"):
        keymap(bad)


def escape_quits(window, modifiers=0):
    """Press Escape and run the close it may queue; whether the window would quit."""
    window.has_exit = False
    press(window, key.ESCAPE, modifiers)
    window.dispatch_events()
    return window.has_exit


def test_escape_with_unsaved_ink_asks_again_before_quitting(open_window):
    w = open_window(frankenstein="circle", auto_snap=False)
    c = w.controller
    assert escape_quits(w)  # nothing drawn: quits at once
    stroke(w, line(100, 300, 300, 300))
    assert not escape_quits(w) and c.status == "unsaved ink: Esc again quits, S saves"
    assert w.scene_view.status.text.startswith("unsaved ink")
    press(w, key.A)  # anything else in between: the next Escape asks again
    press(w, key.A)
    assert not escape_quits(w)
    assert escape_quits(w)
    press(w, key.S)  # saved: nothing to lose
    assert escape_quits(w)


def test_the_close_button_with_unsaved_ink_asks_again(open_window):
    w = open_window(auto_snap=False)
    stroke(w, line(100, 300, 300, 300))
    pyglet.event.EventDispatcher.dispatch_event(w, "on_close")
    assert not w.has_exit and w.controller.status == "unsaved ink: close again quits, S saves"
    pyglet.event.EventDispatcher.dispatch_event(w, "on_close")
    assert w.has_exit


def test_cmd_z_undoes_like_ctrl_z(open_window):
    w = open_window(auto_snap=False)
    stroke(w, line(100, 300, 300, 300))
    stroke(w, line(100, 320, 300, 320))
    assert press(w, key.Z, key.MOD_COMMAND)
    assert press(w, key.Z, key.MOD_CTRL)
    assert w.controller.shapes == []
    assert w.controller.scene().panel.help[0][0] == "Ctrl+Z / Cmd+Z / Backspace"


def test_super_and_the_windows_key_pass_through(open_window):
    """Super+C cleared the canvas (MOD_WINDOWS was not among the modifiers looked at):
    a system shortcut must not run the window's actions."""
    w = open_window(auto_snap=False)
    stroke(w, line(100, 300, 300, 300))
    for symbol in (key.C, key.Z, key.BACKSPACE, key.S, key.H):
        press(w, symbol, key.MOD_WINDOWS)
        press(w, symbol, key.MOD_WINDOWS | key.MOD_CTRL)
    c = w.controller
    assert [s.n_strokes for s in c.shapes] == [1] and c.unsaved and not c.help_visible
    assert not escape_quits(w, key.MOD_WINDOWS) and c.status == "1 stroke"
    # the locks do not stop a key, nor do macOS's Option (with Alt) and Fn (on F1)
    assert press(w, key.F1, key.MOD_FUNCTION | key.MOD_NUMLOCK) and c.help_visible
    assert press(w, key.F1, key.MOD_CAPSLOCK | key.MOD_SCROLLLOCK) and not c.help_visible
    table = keymap(c.settings.keys.model_copy(update={"clear": ("alt+c",)}))
    assert table[(key.C, key.MOD_ALT)] == "clear"
    w.bindings = table
    assert press(w, key.C, key.MOD_ALT | key.MOD_OPTION) and c.shapes == []


def test_ctrl_y_and_ctrl_shift_z_redo(open_window):
    w = open_window(auto_snap=False)
    stroke(w, line(100, 300, 300, 300))
    stroke(w, line(100, 320, 300, 320))
    assert press(w, key.Z, key.MOD_CTRL) and press(w, key.Z, key.MOD_CTRL)
    assert w.controller.shapes == []
    assert press(w, key.Y, key.MOD_CTRL)
    assert press(w, key.Z, key.MOD_CTRL | key.MOD_SHIFT)
    assert [s.n_strokes for s in w.controller.shapes] == [2]
    assert press(w, key.Z, key.MOD_COMMAND) and w.controller.shapes[0].n_strokes == 1
    assert press(w, key.Z, key.MOD_COMMAND | key.MOD_SHIFT)
    assert w.controller.shapes[0].n_strokes == 2
    help_rows = dict((what, keys) for keys, what in w.controller.scene().panel.help)
    assert help_rows["redo what undo took back"] == "Ctrl+Y / Ctrl+Shift+Z / Cmd+Shift+Z"


@pytest.mark.parametrize("modifiers", [0, key.MOD_CTRL, key.MOD_COMMAND])
def test_s_ctrl_s_and_cmd_s_save(open_window, modifiers):
    w = open_window(frankenstein="circle")
    stroke(w, circle(300, 300, 80))
    assert w.controller.unsaved
    assert press(w, key.S, modifiers)
    assert not w.controller.unsaved and w.controller.status.startswith("saved 1 shape")


def test_a_failed_save_shows_in_the_error_colour(open_window, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    w = open_window(auto_snap=False, save_dir=blocker)
    colours = w.controller.settings.colours
    stroke(w, line(100, 300, 300, 300))
    press(w, key.S)
    assert "cannot save the drawing" in w.scene_view.status.text.replace("\n", " ")
    assert tuple(w.scene_view.status.color[:3]) == colours.error
    press(w, key.A)  # the next status is plain text again
    assert tuple(w.scene_view.status.color[:3]) == colours.text


def test_a_long_stroke_builds_only_its_new_points_while_it_is_drawn(open_window):
    """Each drag event used to rebuild the whole stroke (40 ms an event at 6,000
    points): now the finished pieces stay and only the short tail is built again."""
    from live.drawables import GrowingLine

    w = open_window(auto_snap=False)
    a = np.linspace(0, 12 * np.pi, 1500)
    spiral = np.stack([400 + (20 + 6 * a) * np.cos(a), 300 + (20 + 6 * a) * np.sin(a)], 1)
    pts = [(round(x), round(y)) for x, y in spiral]
    dispatch(w, "on_mouse_press", *pts[0], mouse.LEFT, 0)
    for x, y in pts[1:-1]:
        dispatch(w, "on_mouse_drag", x, y, 0, 0, mouse.LEFT, 0)
    growing = w.scene_view._growing
    pieces = list(growing._pieces)
    n = len(w.controller.scene().lines[-1].points)
    assert len(pieces) >= (n - 1) // GrowingLine.PIECE - 1  # in pieces, not one line
    dispatch(w, "on_mouse_drag", *pts[-1], 0, 0, mouse.LEFT, 0)
    assert w.scene_view._growing is growing and growing._pieces[: len(pieces)] == pieces
    assert len(growing._tail._points) <= GrowingLine.PIECE + 1
    px = w.frame()  # every part of it is on screen
    for x, y in pts[:: len(pts) // 30]:
        assert any(dark(at(px, x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
    dispatch(w, "on_mouse_release", *pts[-1], mouse.LEFT, 0)
    assert w.scene_view._growing is None and len(w.scene_view._lines) == 1
    px = w.frame()
    for x, y in pts[:: len(pts) // 30]:
        assert any(dark(at(px, x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1))


@pytest.mark.parametrize("size", [(320, 240), (480, 360)])
def test_a_small_window_keeps_the_panel_and_the_help_readable(open_window, size):
    w = open_window(frankenstein="smiley face", auto_snap=False, window_size=size)
    assert w.get_size() == size
    c = w.controller
    stroke(w, circle(c.layout.canvas.x + 90, 120, 40))
    view, panel = w.scene_view, c.layout.panel

    def box(label):  # (left, bottom, right, top) of a label
        x = label.x - (label.content_width if label.anchor_x == "right" else 0)
        top = label.y if label.anchor_y == "top" else label.y + 0.8 * label.font_size
        return x, top - label.content_height, x + label.content_width, top

    stack = [view.title, view.model, view.guess_names[0], view.info, view.status]
    for upper, lower in itertools.pairwise(stack):
        assert box(upper)[1] >= box(lower)[3] - 1, (upper.text, lower.text)  # no overlap
    for label in [*stack, view.guess_probs[0]]:
        left, bottom, right, _ = box(label)
        assert panel.x <= left and right <= panel.x + panel.w + 1 and bottom >= 0, label.text
    assert box(view.guess_names[0])[2] < box(view.guess_probs[0])[0]
    press(w, key.H)
    shown = [i for i, lb in enumerate(view.help_keys) if lb.text]
    assert len(shown) >= 8
    # rows left out from the middle: how to close the help always shows; and the first
    # key of each action only, so what it does is not cut to a word
    assert [view.help_keys[i].text for i in shown[-2:]] == ["H", "Escape"]
    assert view.help_keys[shown[-1]].y >= 0
    assert view.help_what[0].text == "undo (a snap first, then strokes)"
    for i in shown:
        keys, what = view.help_keys[i], view.help_what[i]
        assert keys.x + keys.content_width < what.x  # the columns do not overlap
        assert what.x + what.content_width <= size[0] and keys.y >= 0


def test_a_short_wide_window_scales_the_panel_by_its_height_as_it_needs(open_window):
    """At 1500 x 300 the panel is 260 wide and 300 tall, and its text fits that at
    nine tenths of its size; its height was taken against 600, and 10-pt lines came out
    at 6."""
    w = open_window(frankenstein="circle", auto_snap=False, window_size=(1500, 300))
    stroke(w, circle(w.controller.layout.canvas.x + 200, 150, 60))
    view, panel = w.scene_view, w.controller.layout.panel
    assert panel.w == 260 and panel.h == 300
    assert view.status.font_size >= 9 and view.title.font_size >= 14
    stack = [view.title, view.model, *view.guess_names, view.info, view.status]
    for upper, lower in itertools.pairwise(stack):
        assert upper.bottom >= lower.bottom + lower.content_height - 1, (upper.text, lower.text)
    assert view.status.text and view.hint.visible  # everything fits, to the hint
    assert view.hint.y + view.hint.content_height <= view.status.bottom
    assert view.hint.y >= panel.y


def test_without_a_model_the_panel_has_no_room_for_guesses_and_says_why(
    open_window, settings, tmp_path
):
    """A broken --checkpoint left a blank gap where the guesses would be, and the first
    stroke replaced "no model: drawing works, but no guesses" by "1 stroke"."""
    c = Controller(settings.model_copy(update={"checkpoint": tmp_path / "nope.pt"}))
    assert c.classifier is None
    w = open_window(controller=c)
    view = w.scene_view
    stroke(w, circle(300, 300, 80))
    assert c.status == "1 stroke"
    assert "drawing works, but no guesses" in view.model.text.replace("\n", " ")
    assert not any(bar.visible for bar in [*view.bars, *view.bar_backs])
    assert not any(label.text for label in [*view.guess_names, *view.guess_probs])
    gap = view.model.bottom - (view.info.bottom + view.info.content_height)
    assert 0 <= gap < 20  # the info follows the model's line, as the guesses would
    assert "nope.pt" in bare(view.error.text)


def show_status(window, status: str, error: str | None = None) -> None:
    """Show the window's scene with this status (and error) on the panel."""
    c = window.controller
    scene = c.scene()
    window.scene_view.show(
        replace(scene, panel=replace(scene.panel, status=status, error=error)), c.layout
    )


def laid_out_lines(label) -> int:
    """How many lines pyglet laid the label's text out in (its own breaks included)."""
    font = label.document.get_font(0, dpi=label.dpi)
    return round(label.content_height / (font.ascent - font.descent))


STATUS = "1 stroke; not snapped yet: smiley face 0.30 below threshold 0.80"
LONG_PATH = "/tmp/a/save/folder/with/a/rather/long/path/raw/circle.ndjson"


@pytest.mark.parametrize("size", [(1060, 600), (640, 480), (320, 240)])
def test_panel_text_is_broken_once_by_pixel_width(open_window, size):
    """A character estimate broke the status first and pyglet again by pixels: ragged
    one-word lines ("below" / "threshold 0.80"), and paths that ran past the panel."""
    w = open_window(window_size=size)
    panel = w.controller.layout.panel
    for status in (STATUS, f"{LONG_PATH}: cannot save the drawing (No space left on device)"):
        show_status(w, status)
        label = w.scene_view.status
        lines = label.text.split("\n")
        assert laid_out_lines(label) == len(lines), lines  # no break of pyglet's own
        assert label.x + label.content_width <= panel.x + panel.w, lines
        for row in lines:
            assert text_width(label, row) < label.width, row
        for row, after in itertools.pairwise(lines):  # each row full: the next word
            assert text_width(label, f"{row} {after.split(' ')[0]}") >= label.width, (row, after)
        assert label.text.replace("\n", " ").replace(" ", "") == status.replace(" ", "")


def test_long_panel_text_is_cut_to_the_panel_in_a_small_window(open_window):
    """Neither the status nor the error runs past the panel's bottom or over the other."""
    w = open_window(window_size=(320, 240))
    show_status(
        w, f"{LONG_PATH}: cannot save the drawing ({LONG_PATH} is not a directory)", LONG_PATH * 3
    )
    view, panel = w.scene_view, w.controller.layout.panel
    status, error = view.status, view.error
    assert status.text and "..." in status.text
    assert bare(status.text).endswith("isnotadirectory)")  # shortened in the middle
    assert status.y - status.content_height >= error.y - 1  # the error below, not over it
    assert error.y - error.content_height >= panel.y
    assert laid_out_lines(status) == len(status.text.split("\n"))


def bare(text: str) -> str:
    """`text` without its spaces and line breaks: as it reads, wherever it was broken."""
    return text.replace("\n", "").replace(" ", "")


NO_SPACE = "[Errno 28] No space left on device"
DEEP = "/tmp/" + "very_long_folder_name/" * 8 + "file.ndjson"


@pytest.mark.parametrize("error", [None, "/tmp/x/garbage.pt: not a checkpoint file"])
def test_a_long_status_keeps_its_start_and_its_cause(open_window, error):
    """Cut at its end, a failed save said "cannot save /tmp/very_long_fo..." in a small
    window, without why; it is shortened in the path's middle."""
    w = open_window(window_size=(320, 240))
    show_status(w, f"cannot save {DEEP}: {NO_SPACE}", error)
    view, panel = w.scene_view, w.controller.layout.panel
    shown = bare(view.status.text)
    assert "..." in shown and shown.startswith("cannotsave/tmp/")
    assert shown.endswith(bare(f".ndjson: {NO_SPACE}"))
    if error:  # the error keeps its room too, below the status
        assert bare(view.error.text) == bare(error)
        assert view.status.y - view.status.content_height >= view.error.y - 1
    last = view.error if error else view.status
    assert last.y - last.content_height >= panel.y


CHECKPOINT = "frankenstein_trained_on_synthetic_and_real_doodles_best_epoch_12.pt"


@pytest.mark.parametrize("size", [(1060, 600), (400, 300), (320, 240)])
def test_a_long_checkpoint_name_keeps_its_epoch_and_no_bracket_hangs(open_window, size):
    """The model's line ended "(CNN+LSTM) (", and then "...best_epoch_1..."."""
    w = open_window(window_size=size, checkpoint=f"/runs/{CHECKPOINT}")
    model = w.scene_view.model
    lines = model.text.split("\n")
    assert len(lines) <= 3 and bare(model.text).startswith("model:Frankenstein(CNN+LSTM)(fr")
    assert bare(model.text).endswith("epoch_12.pt)")
    assert not any(line.rstrip().endswith("(") for line in lines), lines


def test_a_window_below_the_minimum_size_is_refused_or_raised_to_it(make_controller):
    """The minimum was only a hint set after the window opened: headless (or where the
    window manager ignores it) a 200 x 150 window cut the title at its edge."""
    from pydantic import ValidationError

    from live.replay import ManualClock
    from live.settings import MIN_WINDOW_SIZE, LiveSettings
    from live.window import DrawingWindow

    with pytest.raises(ValidationError, match="200x150 is too small: the panel needs at least"):
        LiveSettings(window_size=(200, 150))
    assert LiveSettings(window_size=MIN_WINDOW_SIZE).window_size == (320, 240)
    w = DrawingWindow(make_controller(), clock=ManualClock(), width=200, height=150)
    try:
        assert w.get_size() == MIN_WINDOW_SIZE and w.controller.layout.window == (320, 240)
        title = w.scene_view.title
        assert title.x + title.content_width <= MIN_WINDOW_SIZE[0]
    finally:
        w.close()


def test_a_window_shrunk_below_the_minimum_shows_all_of_its_layout_zoomed_out(open_window):
    """The minimum size is a hint a window manager may ignore: a resize to 200 x 150
    laid the panel out 80 px wide and the canvas at scale 0.15, its text out of the
    window; then the minimum's layout was shown cropped to the window, from its
    lower-left corner, the panel's title and guesses cut off. Now a layout at least
    the minimum both ways, of the window's proportions, is shown zoomed out to fill
    it, and the pen lands where it is drawn; a larger size lays out as it is, at 1.
    (Headless the framebuffer keeps its size: the window is its lower-left part.)"""
    from live.geometry import fit_window, make_layout
    from live.settings import MIN_WINDOW_SIZE

    assert fit_window((200, 150), MIN_WINDOW_SIZE) == ((320, 240), 0.625)
    assert fit_window((200, 400), MIN_WINDOW_SIZE) == ((320, 640), 0.625)
    assert fit_window((500, 100), MIN_WINDOW_SIZE) == ((1200, 240), 100 / 240)
    assert fit_window((320, 240), MIN_WINDOW_SIZE) == ((320, 240), 1.0)
    w = open_window(frankenstein="donut", auto_snap=False)
    w.frame()
    s = w.controller.settings
    smallest = make_layout(MIN_WINDOW_SIZE, s.canvas_size, s.panel_width)
    for size in [(200, 400), (500, 100), (200, 150)]:
        dispatch(w, "on_resize", *size)
        layout = w.controller.layout
        assert layout.window == fit_window(size, MIN_WINDOW_SIZE)[0], size
        assert layout.panel.w >= smallest.panel.w and layout.scale >= smallest.scale
        title = w.scene_view.title
        assert title.x + title.content_width <= layout.window[0]
    assert w.zoom == 0.625 and w.controller.layout.window == (320, 240)
    canvas = w.controller.layout.canvas
    cx, cy = canvas.x + canvas.w / 2, canvas.y + canvas.h / 2  # layout pixels
    pen = np.round(circle(cx * 0.625, cy * 0.625, 20))  # the pen, in the window's pixels
    stroke(w, pen)
    ink = w.controller.shapes[0].strokes[0].points
    np.testing.assert_allclose(
        ink, (pen / 0.625 - [canvas.x, canvas.y]) / canvas.w * 800, atol=1e-3
    )
    px = w.frame()[-150:, :200]  # the 200 x 150 window
    colours = s.colours
    panel_x = round(w.controller.layout.panel.x * 0.625)
    assert near(at(px, 199, 149), colours.panel) and near(at(px, 199, 0), colours.panel)
    top = px[: round(30 * 0.625), panel_x:, :3]  # the panel's top: its title, in view
    assert (top.sum(axis=2) < 200).sum() > 20
    assert near(at(px, round(cx * 0.625), round(cy * 0.625) + 30), colours.canvas)
    assert w.scene_view.guess_names[0].text == "donut"
    guess = w.scene_view.guess_names[0]  # its label lies inside the window, zoomed out
    assert 0 < guess.y * 0.625 < 150 and guess.x * 0.625 >= panel_x - 1
    dispatch(w, "on_resize", 660, 300)
    assert w.zoom == 1.0 and w.controller.layout.window == (660, 300)
    assert w.controller.layout.scale == 0.5


def test_the_window_runs_with_what_it_loaded_out_of_full_garbage_collections(
    settings, tiny_models, monkeypatch
):
    """A full pass over torch's, pyglet's and the model's 200k objects stalled the window
    137 ms at a time; frozen once the model is loaded, they are not walked (and thawed
    at the end)."""
    import gc
    import time

    import pyglet

    from live import app

    frozen = []

    def loop():  # the event loop, which would block: how many objects it runs with frozen
        loading = [w for w in pyglet.app.windows if getattr(w, "controller", None)]
        (window,) = [w for w in loading if w.controller.loading]  # the one `run` opened
        while window.controller.loading:  # until the model is loaded, `LOAD_AFTER_S` on
            time.sleep(app.LOAD_AFTER_S / 4)
            pyglet.clock.tick()
        frozen.append(gc.get_freeze_count())
        window.close()

    monkeypatch.setattr(pyglet.app, "run", loop)
    app.run(settings, loader=loader_of(tiny_models))
    assert frozen and frozen[0] > 10_000
    assert gc.get_freeze_count() == 0
