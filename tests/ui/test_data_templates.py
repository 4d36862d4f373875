"""`frankenstein data templates`: the sheet of the 18 template shapes."""

import numpy as np
from PIL import Image

from ui.cli import main


def test_templates_sheet_is_a_png_with_every_shape(tmp_path, capsys):
    out = tmp_path / "sheets" / "templates.png"
    assert main(["data", "templates", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert image.shape == (528, 960, 3)  # 12 x 6.6 inches at 80 dpi
    coloured = image.max(axis=2) - image.min(axis=2) > 60  # strokes; frames and text are grey
    for row in np.array_split(coloured, 3, axis=0):
        for panel in np.array_split(row, 6, axis=1):  # a shape in every one of the 18 panels
            assert panel.mean() > 0.005


def test_templates_sheet_must_be_a_png(tmp_path, capsys):
    assert main(["data", "templates", "--out", str(tmp_path / "t.jpg")]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == f"frankenstein: error: {tmp_path / 't.jpg'}: the template sheet is written as a .png file"
    )
    assert not (tmp_path / "t.jpg").exists()


def test_templates_sheet_says_what_colour_and_dots_mean():
    """The sheet coloured strokes by order and dotted their starts without saying so."""
    from ui.commands.data.templates import templates_figure

    fig = templates_figure()
    caption = fig.get_supxlabel()
    assert "stroke order" in caption and "dot" in caption and "starts" in caption
    assert len([ax for ax in fig.axes if ax.lines]) == 18
