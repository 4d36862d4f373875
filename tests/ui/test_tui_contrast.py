"""What the Train tab draws in grey or in colour reads on the dark and the light theme:
the curves in hues far apart, a field's placeholder (the value it stands for) at
WCAG's contrast for text. Colours are measured as drawn: the segments of a widget's
rendered line."""

from __future__ import annotations

import colorsys
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from textual.widgets import Input

from tests.ui.tui_helpers import tui
from ui.tui.widgets.chart import Chart

THEMES = ("textual-dark", "textual-light")


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _luminance(rgb: tuple[int, int, int]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c / 255) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hue(rgb: tuple[int, int, int]) -> float:
    return 360 * colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0]


def apart(a: float, b: float) -> float:
    """Degrees between two hues, round the colour wheel."""
    return min(abs(a - b), 360 - abs(a - b))


def rgb(app, colour: RichColor) -> tuple[int, int, int]:
    """A colour as the app shows it (an ANSI one as the theme's terminal colours)."""
    terminal = app.ansi_theme_dark if app.current_theme.dark else app.ansi_theme_light
    return tuple(colour.get_truecolor(terminal))


def legend(app, chart: Chart) -> dict[str, tuple[int, int, int]]:
    """Each series' colour as its chart's legend draws it ("━ train" -> its colour)."""
    out = {}
    for seg in chart.render_lines(chart.region.reset_offset)[0]:
        words = seg.text.split()
        if len(words) >= 2 and seg.style is not None and seg.style.color is not None:
            out[words[1]] = rgb(app, seg.style.color)
    return out


async def test_training_and_validation_curves_are_hues_apart_on_both_themes(here):
    """The training and validation curves were ANSI cyan and blue: on the light theme
    two blues, #0083B2 and #325CC0, 26 degrees of hue apart. They are the theme's blue
    and green text now, 60 degrees apart or more, each 3:1 or more from the background."""
    from textual.color import Color

    app = tui(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            bg = Color.parse(app.get_css_variables()["background"])
            for chart in app.query("#train-pane Chart").results(Chart):
                pens = legend(app, chart)
                assert set(pens) == {"train", "val"}, (theme, pens)
                degrees = apart(hue(pens["train"]), hue(pens["val"]))
                assert degrees >= 60, (theme, chart.id, pens, round(degrees))
                for label, colour in pens.items():
                    ratio = contrast(colour, (bg.r, bg.g, bg.b))
                    assert ratio >= 3, (theme, chart.id, label, colour, round(ratio, 2))


async def test_a_fields_placeholder_reads_on_both_themes(here):
    """An empty model field shows the model's own value in grey: Textual's disabled
    text, #858585 on the light theme's #D8D8D8 input, 2.6:1. It is the theme's muted
    text now, 4.5:1 or more on either theme, and still greyer than a typed value."""
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            looks = {}
            for key in ("model-overrides-channels", "data-per_class"):  # empty, typed
                field = app.query_one(f"#f-{key}", Input)
                seg = next(s for s in field.render_line(0) if s.text.strip())
                fg, bg = rgb(app, seg.style.color), rgb(app, seg.style.bgcolor)
                looks[key] = contrast(fg, bg)
            assert app.query_one("#f-model-overrides-channels", Input).value == ""
            assert looks["model-overrides-channels"] >= 4.5, (theme, looks)
            assert looks["model-overrides-channels"] < looks["data-per_class"], (theme, looks)
