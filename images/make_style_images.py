"""Draw the project's own style images (run once; the PNGs are committed).

- ``swirls.png``: yellow, blue and white circular brushstrokes on a night-blue ground,
  slide 2's description of The Starry Night's style, painted by code.
- ``mosaic.png``: a stained-glass mosaic of bright cells and dark lead lines.

Usage: ``python images/make_style_images.py`` (seeded: the same files every time).
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
SIZE = 512


def swirls(seed: int = 2) -> Image.Image:
    """Short arcs of many radii in yellows, blues and whites, slightly blurred."""
    rng = np.random.default_rng(seed)
    canvas = Image.new("RGB", (SIZE, SIZE), (16, 32, 86))
    draw = ImageDraw.Draw(canvas)
    palette = [
        (245, 208, 60),
        (250, 236, 140),
        (40, 90, 190),
        (80, 140, 220),
        (235, 240, 250),
        (20, 50, 130),
        (210, 160, 40),
    ]
    for _ in range(2600):
        cx, cy = rng.uniform(-40, SIZE + 40, size=2)
        radius = rng.uniform(6, 60)
        start = rng.uniform(0, 360)
        sweep = rng.uniform(40, 160)
        colour = palette[rng.integers(len(palette))]
        box = [cx - radius, cy - radius, cx + radius, cy + radius]
        draw.arc(box, start, start + sweep, fill=colour, width=int(rng.integers(2, 6)))
    return canvas.filter(ImageFilter.GaussianBlur(0.8))


def mosaic(seed: int = 7, cells: int = 90) -> Image.Image:
    """Voronoi cells in saturated colours, separated by dark lines."""
    rng = np.random.default_rng(seed)
    seeds = rng.uniform(0, SIZE, size=(cells, 2))
    colours = rng.choice(
        np.array(
            [
                [200, 30, 40],
                [240, 180, 20],
                [30, 90, 180],
                [40, 150, 70],
                [230, 110, 30],
                [120, 50, 150],
                [230, 220, 200],
            ]
        ),
        size=cells,
    )
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    dist = (xs[..., None] - seeds[:, 0]) ** 2 + (ys[..., None] - seeds[:, 1]) ** 2
    owner = np.argmin(dist, axis=-1)
    edge = np.zeros_like(owner, dtype=bool)
    edge[1:, :] |= owner[1:, :] != owner[:-1, :]
    edge[:, 1:] |= owner[:, 1:] != owner[:, :-1]
    pixels = colours[owner].astype(np.uint8)
    image = Image.fromarray(pixels)
    lines = Image.fromarray((edge * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(5))
    image.paste((25, 20, 20), mask=lines)
    return image.filter(ImageFilter.GaussianBlur(0.6))


if __name__ == "__main__":
    swirls().save(HERE / "swirls.png", optimize=True)
    mosaic().save(HERE / "mosaic.png", optimize=True)
    print("wrote", HERE / "swirls.png", "and", HERE / "mosaic.png")
