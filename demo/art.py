"""Pictures for the demo marketplace, drawn at start: gradients and soft abstract shapes from a
seed, so every persona looks its own without a face, a word or a file in the repository."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]


def _gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _shade(rng: random.Random, base: Colour, spread: int = 70) -> Colour:
    r, g, b = (min(255, max(0, c + rng.randint(-spread, spread))) for c in base)
    return r, g, b


def picture(seed: str, size: tuple[int, int], top: Colour, bottom: Colour,
            shapes: int = 7) -> bytes:
    """A PNG: a two-colour gradient under blurred translucent circles, rings and slabs."""
    rng = random.Random(seed)
    width, height = size
    base = _gradient(size, top, bottom).convert("RGBA")
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(shapes):
        colour = (*_shade(rng, rng.choice((top, bottom))), rng.randint(60, 150))
        x, y = rng.randint(0, width), rng.randint(0, height)
        radius = rng.randint(min(size) // 10, min(size) // 2)
        box = (x - radius, y - radius, x + radius, y + radius)
        kind = rng.choice(("disc", "ring", "slab"))
        if kind == "disc":
            draw.ellipse(box, fill=colour)
        elif kind == "ring":
            draw.ellipse(box, outline=colour, width=max(4, radius // 6))
        else:
            draw.rounded_rectangle((x - radius, y - radius // 3, x + radius, y + radius // 3),
                                   radius=radius // 4, fill=colour)
    layer = layer.filter(ImageFilter.GaussianBlur(radius=min(size) / 60))
    out = io.BytesIO()
    Image.alpha_composite(base, layer).convert("RGB").save(out, format="PNG")
    return out.getvalue()
