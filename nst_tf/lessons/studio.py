"""Your own photo, stylised in a notebook: upload, choose, press Run, watch, download.

`photo_studio` is one ipywidgets panel (Jupyter; Colab once its widget manager is on):
a photo upload (and optionally a painting), a painting to choose from the bundled and
famous ones, slide 8's content/style ratio on a log slider (10⁻⁴ … 10⁻¹), steps,
colour keeping, a Run button, the image as it forms, and a one-click download link.
`stylize_photo` is the same run without widgets, from paths, for where there are none.
"""

from __future__ import annotations

import base64
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from nst_tf.base.language import tr
from nst_tf.io.images import load_image, to_uint8
from nst_tf.io.sample_images import BUNDLED, PAINTINGS, bundled_image_path, load_painting, title

#: Paintings to choose from: the bundled style images, then the famous ones (downloaded
#: once; offline a bundled stand-in, said so).
PAINTING_CHOICES = ("swirls", "mosaic", *PAINTINGS)
DEFAULT_RATIO = 0.025  # the lessons' content/style weights: 0.025 and 1
PREVIEWS = 10  # pictures of the image as it forms, in a run


def stylize_photo(
    photo,
    painting: str | os.PathLike = "starry_night",
    ratio: float = DEFAULT_RATIO,
    size: int = 256,
    steps: int = 100,
    keep_colors: bool = False,
    **settings,
):
    """`nst_tf.stylize` of the photo at ``photo`` (a path) in the style of ``painting``
    (a name in `PAINTING_CHOICES` or a path), with ``content_weight = ratio`` and
    ``style_weight = 1`` (slide 8); ``keep_colors`` keeps the photo's colours
    (luminance transfer). Other keywords go to `stylize` (``weights``, ``callback``...)."""
    from nst_tf.optimize.transfer import stylize

    content = load_image(photo, max_size=size)
    style = _painting(painting, size)
    colors = "luminance" if keep_colors else None
    return stylize(
        content,
        style,
        content_weight=float(ratio),
        style_weight=1.0,
        steps=steps,
        preserve_colors=colors,
        **settings,
    )


def _painting(painting, size: int) -> np.ndarray:
    if str(painting) in PAINTINGS:
        return load_painting(str(painting), max_size=size)[0]
    if str(painting) in BUNDLED:
        return load_image(bundled_image_path(str(painting)), max_size=size)
    return load_image(painting, max_size=size)


def png_bytes(image) -> bytes:
    """``[0, 1]`` RGB ``(1, H, W, 3)`` or ``(H, W, 3)`` as PNG bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def download_link(image, name: str = "nst_result.png") -> str:
    """An HTML link that downloads ``image`` as a PNG file with one click."""
    data = base64.b64encode(png_bytes(image)).decode("ascii")
    label = tr("결과 내려받기", "download the result")
    return f'<a download="{name}" href="data:image/png;base64,{data}">⬇ {label} ({name})</a>'


class PhotoStudio:
    """The panel's widgets and its Run action (see `photo_studio`)."""

    def __init__(self, weights="auto", size: int = 256, steps: int = 100, seed: int = 0):
        import ipywidgets as w

        self.weights, self.size, self.seed = weights, size, seed
        self.photo = w.FileUpload(accept="image/*", description=tr("사진 올리기", "photo"))
        self.own_painting = w.FileUpload(
            accept="image/*", description=tr("그림 올리기 (선택)", "painting (optional)")
        )
        self.painting = w.Dropdown(
            options=[(title(name), name) for name in PAINTING_CHOICES],
            value="starry_night",
            description=tr("그림", "painting"),
        )
        self.ratio = w.FloatLogSlider(
            value=DEFAULT_RATIO,
            base=10,
            min=-4,
            max=-1,
            step=0.25,
            readout_format=".0e",
            description=tr("콘텐츠/스타일", "content/style"),
        )
        self.steps = w.IntSlider(
            value=steps, min=10, max=500, step=10, description=tr("스텝", "steps")
        )
        self.keep_colors = w.Checkbox(value=False, description=tr("사진의 색 유지", "keep colours"))
        self.run_button = w.Button(description=tr("실행", "Run"), button_style="primary")
        self.status = w.HTML()
        self.preview = w.Image(format="png", width=min(size, 384))
        self.download = w.HTML()
        self.run_button.on_click(lambda _button: self.run())
        self.panel = w.VBox(
            [
                w.HBox([self.photo, self.own_painting]),
                self.painting,
                self.ratio,
                w.HBox([self.steps, self.keep_colors]),
                self.run_button,
                self.status,
                self.preview,
                self.download,
            ]
        )
        self.result = None

    def _ipython_display_(self):
        from IPython.display import display

        display(self.panel)

    def run(self):
        """Stylise the uploaded photo with the chosen settings; returns the result."""
        if not self.photo.value:
            self.status.value = tr("먼저 사진을 올리세요.", "Upload a photo first.")
            return None
        self.run_button.disabled = True
        self.download.value = ""
        try:
            with tempfile.TemporaryDirectory() as folder:
                photo = _saved_upload(self.photo.value[0], Path(folder))
                painting = (
                    _saved_upload(self.own_painting.value[0], Path(folder))
                    if self.own_painting.value
                    else self.painting.value
                )
                self.result = stylize_photo(
                    photo,
                    painting,
                    ratio=self.ratio.value,
                    size=self.size,
                    steps=self.steps.value,
                    keep_colors=self.keep_colors.value,
                    weights=self.weights,
                    seed=self.seed,
                    progress=False,
                    callback=self._show_step,
                    callback_every=max(1, self.steps.value // PREVIEWS),
                )
        except Exception as exc:  # a bad upload, a failed download: said, not a traceback
            self.status.value = f"⚠ {type(exc).__name__}: {exc}"
            return None
        finally:
            self.run_button.disabled = False
        self.preview.value = png_bytes(self.result.best_image)
        self.status.value = str(self.result.stop)
        self.download.value = download_link(self.result.best_image)
        return self.result

    def _show_step(self, step) -> None:
        self.preview.value = png_bytes(step.images[0])
        self.status.value = tr(f"스텝 {step.step}…", f"step {step.step}…")


def _saved_upload(upload, folder: Path) -> Path:
    """An uploaded file (ipywidgets 8's dict: name, content) written to ``folder``."""
    path = folder / Path(upload["name"]).name
    path.write_bytes(bytes(upload["content"]))
    return path


def photo_studio(weights="auto", size: int = 256, steps: int = 100, seed: int = 0):
    """The own-photo panel (ipywidgets): upload, choose, Run, watch, download.

    Without ipywidgets, raises an `ImportError` that says to use `stylize_photo`.
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            tr(
                "ipywidgets가 없습니다: pip install ipywidgets, 또는 "
                "nst_tf.stylize_photo('사진.jpg')를 쓰세요.",
                "ipywidgets is missing: pip install ipywidgets, or use "
                "nst_tf.stylize_photo('photo.jpg').",
            )
        ) from exc
    if "google.colab" in sys.modules:  # Colab shows ipywidgets 8 through its own manager
        from google.colab import output

        output.enable_custom_widget_manager()
    return PhotoStudio(weights=weights, size=size, steps=steps, seed=seed)
