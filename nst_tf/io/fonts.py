"""A font with Hangul for every figure, offline, on any machine (Colab included).

Matplotlib's default font (DejaVu Sans) has no Hangul: Korean labels would show as
empty boxes. NanumGothic (SIL Open Font License) comes from the ``koreanize-matplotlib``
package, a dependency of nst_tf; its file is used directly (that package's own import
is not needed). It is added *after* the fonts already in matplotlib's font list: Latin
letters, digits and symbols keep DejaVu Sans (whose ``−``, ``→`` and superscripts are
right), and each Hangul glyph comes from NanumGothic through matplotlib's per-glyph
fallback.

Matplotlib keeps its font list in a cache file (``~/.cache/matplotlib``) with absolute
paths. When the matplotlib that wrote it is gone (a deleted virtual environment, a lab
machine's old install), the cache can list the system's fonts but none of matplotlib's
own, and every log-scale axis then warns ``findfont: Font family ['STIXGeneral'] not
found``. :func:`use_hangul_font` puts matplotlib's own fonts back first.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HANGUL_FONT = "NanumGothic"
FONT_PACKAGE = "koreanize_matplotlib"


def hangul_font_path() -> Path:
    """The NanumGothic ``.ttf`` shipped by ``koreanize-matplotlib``."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "Korean figure text needs the package koreanize-matplotlib (it ships the "
            "NanumGothic font): pip install koreanize-matplotlib"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "fonts" / f"{HANGUL_FONT}.ttf"


def matplotlib_font_files() -> list[Path]:
    """The ``.ttf`` files matplotlib ships (DejaVu, STIX, Computer Modern)."""
    import matplotlib

    return sorted((Path(matplotlib.get_data_path()) / "fonts" / "ttf").glob("*.ttf"))


def restore_matplotlib_fonts() -> int:
    """Add matplotlib's own fonts that a stale font cache lost; return how many."""
    from matplotlib import font_manager

    known = {Path(font.fname).resolve() for font in font_manager.fontManager.ttflist}
    missing = [path for path in matplotlib_font_files() if path.resolve() not in known]
    for path in missing:
        font_manager.fontManager.addfont(str(path))
    return len(missing)


def use_hangul_font() -> None:
    """Register NanumGothic with matplotlib and add it to the end of ``font.family``."""
    import matplotlib
    from matplotlib import font_manager

    restore_matplotlib_fonts()
    if HANGUL_FONT not in {font.name for font in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(hangul_font_path()))
    others = [name for name in matplotlib.rcParams["font.family"] if name != HANGUL_FONT]
    matplotlib.rcParams["font.family"] = [*others, HANGUL_FONT]
