"""Export the canvas as a PNG, painted with Pillow from the render model (no OpenGL).

Works headless and in tests; it draws the same `Scene` the window draws, at the
canvas's own size (times `scale`), without the side panel.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from core.atomic import atomic_open
from core.errors import FrankensteinError
from live.scene import Scene


def render_canvas(
    scene: Scene, background: tuple[int, int, int] = (255, 255, 255), scale: float = 1.0
) -> Image.Image:
    """The scene's canvas as an RGB image; y is flipped (canvas y up -> image y down)."""
    cw, ch = scene.canvas_size
    w, h = max(round(cw * scale), 1), max(round(ch * scale), 1)
    image = Image.new("RGBA", (w, h), (*background, 255))
    for line in scene.lines:
        # A fading line gets its own layer, so it blends over what is below it.
        opaque = line.alpha >= 1.0
        layer = image if opaque else Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        pts = [(float(x) * scale, (ch - float(y)) * scale) for x, y in line.points]
        colour = (*line.colour, round(255 * min(max(line.alpha, 0.0), 1.0)))
        width = max(round(line.width * scale), 1)
        if len(pts) == 1 or all(p == pts[0] for p in pts):
            r = width / 2
            (x, y) = pts[0]
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.line(pts, fill=colour, width=width, joint="curve")
        if not opaque:
            image = Image.alpha_composite(image, layer)
    return image.convert("RGB")


def export_png(scene: Scene, path: str | Path, **kwargs) -> Path:
    """Write the canvas to `path` (atomically); returns the path."""
    path = Path(path)
    image = render_canvas(scene, **kwargs)
    try:
        with atomic_open(path, "wb") as f:
            image.save(f, format="PNG")
    except OSError as e:
        raise FrankensteinError(f"{path}: cannot write the PNG ({e.strerror})") from e
    return path
