"""Image I/O: every odd or broken image kind gives correct pixels or a clear error."""

import functools
import http.server
import threading
import warnings

import numpy as np
import pytest
from PIL import Image

from nst_tf.base.errors import ImageError, ImageTooSmallError
from nst_tf.io import downloads, sample_images
from nst_tf.io.images import load_image, save_image


def _save(tmp_path, name, image, **kwargs):
    path = tmp_path / name
    image.save(path, **kwargs)
    return path


def test_rgb_png_round_trips_exactly(tmp_path, rng):
    pixels = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
    loaded = load_image(_save(tmp_path, "rgb.png", Image.fromarray(pixels)))
    assert loaded.shape == (1, 20, 30, 3) and loaded.dtype == np.float32
    np.testing.assert_array_equal(np.round(loaded[0] * 255).astype(np.uint8), pixels)


def test_grayscale_becomes_three_equal_channels(tmp_path):
    gray = Image.fromarray(np.full((20, 20), 51, np.uint8), mode="L")
    loaded = load_image(_save(tmp_path, "gray.png", gray))
    np.testing.assert_allclose(loaded, 0.2, atol=1e-6)


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[..., 0] = 255  # red, half transparent on the left, fully transparent on the right
    rgba[:, :10, 3] = 128
    loaded = load_image(_save(tmp_path, "rgba.png", Image.fromarray(rgba, "RGBA")))[0]
    alpha = 128 / 255
    np.testing.assert_allclose(loaded[5, 2], [1.0, 1 - alpha, 1 - alpha], atol=1e-6)
    np.testing.assert_allclose(loaded[5, 15], [1.0, 1.0, 1.0], atol=1e-6)


def test_la_is_composited_on_white(tmp_path):
    la = np.zeros((20, 20, 2), np.uint8)  # black, fully transparent
    la[:, :10, 1] = 255  # left half opaque black
    loaded = load_image(_save(tmp_path, "la.png", Image.fromarray(la, "LA")))[0]
    np.testing.assert_allclose(loaded[0, 0], [0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(loaded[0, 15], [1, 1, 1], atol=1e-6)


def test_palette_with_transparency_is_composited_on_white(tmp_path):
    palette_image = Image.new("P", (20, 20), 0)
    palette_image.putpalette([0, 0, 255] + [255, 0, 0] * 255)  # 0 blue, others red
    palette_image.paste(1, (0, 0, 10, 20))  # left half: index 1 (red)
    path = _save(tmp_path, "palette.png", palette_image, transparency=0)
    loaded = load_image(path)[0]
    np.testing.assert_allclose(loaded[3, 3], [1, 0, 0], atol=1e-6)
    np.testing.assert_allclose(loaded[3, 15], [1, 1, 1], atol=1e-6)  # transparent blue


def test_16_bit_png_keeps_its_precision(tmp_path):
    values = np.array([[0, 1000, 32768, 65535]] * 16, dtype=np.uint16)
    wide = np.repeat(values, 4, axis=1)  # 16 x 16
    loaded = load_image(_save(tmp_path, "deep.png", Image.fromarray(wide)))[0]
    np.testing.assert_allclose(loaded[0, ::4, 0], [0, 1000 / 65535, 32768 / 65535, 1.0], atol=1e-6)
    assert loaded[0, 4, 0] != pytest.approx(round(1000 / 257) / 255)  # not squashed to 8 bits


def test_cmyk_jpeg_is_converted_to_rgb(tmp_path):
    cmyk = Image.new("CMYK", (32, 32), (255, 0, 0, 0))  # pure cyan ink
    loaded = load_image(_save(tmp_path, "cmyk.jpg", cmyk, quality=95))[0]
    np.testing.assert_allclose(loaded[16, 16], [0, 1, 1], atol=0.03)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((20, 40, 3), np.uint8)  # wide, with a white left column
    pixels[:, 0] = 255
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = _save(tmp_path, "phone.jpg", Image.fromarray(pixels), exif=exif, quality=95)
    loaded = load_image(path)[0]
    assert loaded.shape[:2] == (40, 20)  # displayed upright: tall
    assert loaded[0, :, 0].mean() > 0.8  # the left column is now the top row


def test_large_image_is_downscaled_keeping_aspect(tmp_path, rng):
    big = Image.fromarray(rng.integers(0, 256, size=(1500, 3000, 3), dtype=np.uint8))
    path = _save(tmp_path, "big.jpg", big)
    assert load_image(path, max_size=256).shape == (1, 128, 256, 3)
    assert load_image(path, max_size=None).shape == (1, 1500, 3000, 3)


def test_decompression_bomb_guard_stays_on(tmp_path, monkeypatch):
    path = _save(tmp_path, "bomb.png", Image.new("RGB", (100, 100)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings(), pytest.raises(ImageError, match="decompression bomb"):
        warnings.simplefilter("ignore")
        load_image(path)


def test_too_small_image_names_file_and_minimum(tmp_path):
    path = _save(tmp_path, "tiny.png", Image.new("RGB", (40, 8)))
    with pytest.raises(ImageTooSmallError, match="at least 16 px") as info:
        load_image(path)
    assert "tiny.png" in str(info.value) and "Use a larger image" in str(info.value)


def test_an_image_too_small_only_at_the_size_asked_says_to_ask_a_larger_size(tmp_path):
    """301x17 reduced to 64 px is 64x4 (a hostile user's try): the message said "64x4 is
    too small; use a larger image" of a file that is not 64x4, when --size was the cause."""
    path = _save(tmp_path, "strip.png", Image.new("RGB", (301, 17)))
    with pytest.raises(ImageTooSmallError, match=r"301x17 px reduced .* 64 px is 64x4") as info:
        load_image(path, max_size=64)
    assert "Use a larger size (--size, max_size)" in str(info.value)
    rotated = _save(tmp_path, "turned.jpg", Image.new("RGB", (40, 8)))  # EXIF: turned 90°
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (40, 8)).save(rotated, exif=exif)
    with pytest.raises(ImageTooSmallError, match="Use a larger image"):
        load_image(rotated, max_size=512)  # turned, not reduced


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_text("hello, I am text"), "not an image"),
    ],
    ids=["missing", "directory", "text"],
)
def test_unusable_paths_get_clear_errors(tmp_path, make, message):
    path = tmp_path / "picture.png"
    make(path)
    with pytest.raises(ImageError, match=message) as info:
        load_image(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_truncated_file_is_reported(tmp_path, rng, suffix):
    pixels = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    whole = _save(tmp_path, f"whole.{suffix}", Image.fromarray(pixels))
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImageError, match="truncated or corrupt") as info:
        load_image(cut)
    assert "cut." in str(info.value)


def test_save_image_round_trip_and_never_overwrites_silently(tmp_path, rng):
    image = rng.uniform(size=(1, 20, 24, 3)).astype(np.float32)
    path = save_image(image, tmp_path / "out.png")
    np.testing.assert_allclose(load_image(path), image, atol=0.5 / 255 + 1e-6)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_image(image, path)
    save_image(np.zeros_like(image), path, overwrite=True)
    assert load_image(path).max() == 0.0
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]  # no temporary left


def test_save_image_refuses_nan_and_unknown_types(tmp_path):
    with pytest.raises(ValueError, match="NaN"):
        save_image(np.full((1, 4, 4, 3), np.nan), tmp_path / "nan.png")
    with pytest.raises(ValueError, match="unknown image type"):
        save_image(np.zeros((4, 4, 3)), tmp_path / "out.gifx")
    assert list(tmp_path.iterdir()) == []


def test_url_is_downloaded_once_into_the_cache(tmp_path, monkeypatch, rng):
    served = tmp_path / "served"
    served.mkdir()
    Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)).save(served / "a.png")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    url = f"http://127.0.0.1:{server.server_address[1]}/a.png"
    try:
        first = load_image(url)
        (served / "a.png").unlink()  # the second load must come from the cache
        np.testing.assert_array_equal(load_image(url), first)
        with pytest.raises(downloads.DownloadError, match="missing.png"):
            load_image(url.replace("a.png", "missing.png"))
    finally:
        server.shutdown()
        server.server_close()


def test_bundled_images_load():
    for name in sample_images.BUNDLED:
        image = load_image(sample_images.bundled_image_path(name), max_size=64)
        assert image.shape[0] == 1 and max(image.shape[1:3]) == 64


def test_bundled_images_are_found_from_a_plain_checkout(monkeypatch):
    def not_installed(package):
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(sample_images.resources, "files", not_installed)
    path = sample_images.bundled_image_path("chelsea")
    assert path.parent.name == "images" and path.is_file()


def test_painting_falls_back_to_a_bundled_image_offline(monkeypatch):
    tries = []

    def offline(url):
        tries.append(url)
        raise downloads.DownloadError(f"Could not download {url}: offline")

    monkeypatch.setattr(sample_images, "cached_download", offline)
    with pytest.warns(sample_images.OfflineFallbackWarning, match="bundled image"):
        path = sample_images.fetch_painting("starry_night")
    assert path == sample_images.bundled_image_path("swirls")
    assert sample_images.fetch_painting("starry_night") == path and len(tries) == 1
    assert "Van_Gogh" in sample_images.painting_url("starry_night")
    with pytest.raises(KeyError, match="choose one of"):
        sample_images.fetch_painting("mona_lisa_in_space")
