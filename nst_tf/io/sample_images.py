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

from nst_tf.base.errors import NSTNotice, warn_once
from nst_tf.base.language import object_particle, tr
from nst_tf.io.downloads import DownloadError, cache_dir, cache_path, cached_download

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


#: name: (Korean, English) title, as figures label the image.
TITLES = {
    "chelsea": ("고양이 사진", "cat photo"),
    "rocket": ("로켓 발사 사진", "rocket launch photo"),
    "swirls": ("소용돌이 붓질", "swirls"),
    "mosaic": ("모자이크", "mosaic"),
    "starry_night": ("별이 빛나는 밤", "Starry Night"),
    "great_wave": ("가나가와 해변의 높은 파도", "The Great Wave"),
    "composition_vii": ("구성 VII", "Composition VII"),
    "the_scream": ("절규", "The Scream"),
}


class OfflineFallbackWarning(NSTNotice):
    """A painting could not be downloaded; a bundled image stands in for it."""


def images_folder() -> Path:
    """The bundled images: installed package data, or ``images/`` of a source checkout."""
    try:
        return Path(str(resources.files("nst_tf.bundled_images")))
    except ModuleNotFoundError:  # nst_tf imported from a checkout on sys.path (e.g. Colab)
        return Path(__file__).resolve().parents[2] / "images"


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
    stand_in = PAINTINGS[name][1]
    if url in _UNREACHABLE:
        return bundled_image_path(stand_in)
    try:
        return cached_download(url)
    except DownloadError:
        _UNREACHABLE.add(url)
        painting, image = title(name), title(stand_in)
        warn_once(
            tr(
                f"〈{painting}〉{object_particle(painting)} 내려받지 못해 (인터넷 연결 "
                f"없음) 패키지에 포함된 '{image}' 이미지를 대신 씁니다. 인터넷이 "
                f"될 때 한 번 실행하면 {cache_dir()}에 저장되어 다음부터 쓰입니다.",
                f"Could not download {painting} (offline?): using the bundled image "
                f"'{image}' instead. Run once online to keep it in {cache_dir()}.",
            ),
            OfflineFallbackWarning,
        )
        return bundled_image_path(stand_in)


def load_painting(name: str = "starry_night", max_size: int | None = None):
    """(image ``(1, H, W, 3)`` in ``[0, 1]``, its title): `fetch_painting` (a bundled
    stand-in offline) loaded at ``max_size``, with the name of the image actually shown."""
    from nst_tf.io.images import DEFAULT_MAX_SIZE, load_image

    path = fetch_painting(name)
    return load_image(path, max_size=max_size or DEFAULT_MAX_SIZE), image_title(path)


def title(name: str) -> str:
    """The title of a bundled image or painting by name, in the language in use."""
    korean, english = TITLES[name]
    return tr(korean, english)


def image_title(path: str | Path) -> str:
    """How figures should name the image at ``path``, in the language in use: a bundled
    image or a downloaded painting by its title (so a label names the image actually
    shown, also when a stand-in was used offline), any other file by its name."""
    path = Path(path)
    for name in BUNDLED:
        if path == bundled_image_path(name):
            return title(name)
    for name in PAINTINGS:
        if path == cache_path(painting_url(name)):
            return title(name)
    return path.stem


_UNREACHABLE: set[str] = set()  # paintings whose download failed in this process
