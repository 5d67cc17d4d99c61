"""The own-photo panel: an uploaded photo, Run, the picture as it forms, a download."""

import base64
import datetime
import re

import numpy as np
import pytest

import nst_tf
import nst_tf.lessons.studio
from nst_tf.io.sample_images import bundled_image_path
from nst_tf.lessons import studio

pytest.importorskip("ipywidgets")


def _upload(path) -> tuple:
    """What ipywidgets 8's FileUpload holds after a file is chosen."""
    content = memoryview(path.read_bytes())
    now = datetime.datetime.now(datetime.timezone.utc)
    upload = {"name": path.name, "type": "image/png", "size": len(content), "content": content}
    return ({**upload, "last_modified": now},)


def test_the_panel_stylises_an_uploaded_photo_and_offers_it_for_download():
    panel = nst_tf.photo_studio(weights="random", size=48, steps=10)
    pictures = []
    panel.preview.observe(lambda change: pictures.append(change.new), names="value")
    assert panel.run() is None and "photo" in panel.status.value  # tests speak English
    panel.photo.value = _upload(bundled_image_path("chelsea"))
    panel.painting.value = "mosaic"
    panel.ratio.value = 1e-3
    result = panel.run()
    assert result is not None and result.completed
    assert len(set(pictures)) >= 3, "the image is shown as it forms, then the best one"
    link = re.search(r'href="data:image/png;base64,([^"]+)"', panel.download.value)
    assert link and base64.b64decode(link.group(1)).startswith(b"\x89PNG")
    assert not panel.run_button.disabled


def test_an_uploaded_painting_wins_and_a_bad_upload_is_said_not_raised(tmp_path):
    panel = nst_tf.photo_studio(weights="random", size=48, steps=2)
    panel.photo.value = _upload(bundled_image_path("chelsea"))
    panel.own_painting.value = _upload(bundled_image_path("swirls"))
    assert panel.run() is not None
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    panel.photo.value = _upload(broken)
    assert panel.run() is None and "broken.png" in panel.status.value


def test_without_widgets_the_same_run_takes_paths():
    result = nst_tf.stylize_photo(
        bundled_image_path("chelsea"), "swirls", ratio=1e-2, size=48, steps=2, weights="random"
    )
    assert result.best_image.shape[2] == 48
    assert studio.png_bytes(np.zeros((4, 4, 3))).startswith(b"\x89PNG")
