"""The images that ship with nst_tf, and famous public-domain paintings fetched online.

Bundled (work offline; credits in ``images/README.md``):

- ``"chelsea"``: a cat photo (the default content image), ``"rocket"``: a launch photo;
- ``"swirls"``: yellow, blue and white circular strokes (slide 2's "Starry Night"
  style, drawn by the project), ``"mosaic"``: a stained-glass mosaic.

`fetch_painting` downloads a painting from Wikimedia Commons once (cached) and, when
that fails, returns a bundled style image instead and says so.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from nst_tf.downloads import DownloadError, cached_download
from nst_tf.errors import warn_once

BUNDLED = {
    "chelsea": "chelsea.png",
    "rocket": "rocket.jpg",
    "swirls": "swirls.png",
    "mosaic": "mosaic.png",
}
DEFAULT_CONTENT = "chelsea"
DEFAULT_STYLE = "swirls"

_COMMONS = "https://commons.wikimedia.org/wiki/Special:FilePath/{}?width=1024"
#: name: (Wikimedia Commons file, bundled image used offline)
PAINTINGS = {
    "starry_night": ("Van_Gogh_-_Starry_Night_-_Google_Art_Project.jpg", "swirls"),
    "great_wave": ("Tsunami_by_hokusai_19th_century.jpg", "swirls"),
    "composition_vii": ("Vassily_Kandinsky,_1913_-_Composition_7.jpg", "mosaic"),
    "the_scream": (
        "Edvard_Munch,_1893,_The_Scream,_oil,_tempera_and_pastel_on_cardboard,"
        "_91_x_73_cm,_National_Gallery_of_Norway.jpg",
        "swirls",
    ),
}


class OfflineFallbackWarning(UserWarning):
    """A painting could not be downloaded; a bundled image stands in for it."""


def images_folder() -> Path:
    """The bundled images: installed package data, or ``images/`` of a source checkout."""
    try:
        return Path(str(resources.files("nst_tf.bundled_images")))
    except ModuleNotFoundError:  # nst_tf imported from a checkout on sys.path (e.g. Colab)
        return Path(__file__).resolve().parents[1] / "images"


def bundled_image_path(name: str) -> Path:
    """Path of a bundled image by name (see `BUNDLED`)."""
    if name not in BUNDLED:
        raise KeyError(f"No bundled image {name!r}; choose one of {sorted(BUNDLED)}.")
    return images_folder() / BUNDLED[name]


def painting_url(name: str) -> str:
    """The Wikimedia Commons URL (1024 px wide) of a painting in `PAINTINGS`."""
    if name not in PAINTINGS:
        raise KeyError(f"No painting {name!r}; choose one of {sorted(PAINTINGS)}.")
    return _COMMONS.format(PAINTINGS[name][0])


def fetch_painting(name: str = "starry_night") -> Path:
    """Local path of a public-domain painting: downloaded once, cached afterwards.

    Offline (or when the download fails), returns the bundled stand-in style image
    and warns with an `OfflineFallbackWarning`, so a notebook still runs. A failed
    download is not tried again in the same process (nor announced again).
    """
    url = painting_url(name)
    stand_in = bundled_image_path(PAINTINGS[name][1])
    if url in _UNREACHABLE:
        return stand_in
    try:
        return cached_download(url)
    except DownloadError as exc:
        _UNREACHABLE.add(url)
        warn_once(
            f"{exc}; using the bundled style image {stand_in.stem!r} instead of {name!r}.",
            OfflineFallbackWarning,
        )
        return stand_in


_UNREACHABLE: set[str] = set()  # paintings whose download failed in this process
