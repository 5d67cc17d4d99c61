"""Fast style transfer (nst_tf.fast): the transformation network and its training with the
lessons' own loss. Small (48-64 px, a narrow network, a few steps), on the seeded VGG19
weights file."""

import shutil

import keras
import numpy as np
import pytest
from PIL import Image

from nst_tf import cli
from nst_tf.errors import NSTNotice
from nst_tf.fast import (
    StyleTrainer,
    load_network,
    photo_batches,
    photo_files,
    save_network,
    stylize_fast,
    transform_network,
)
from nst_tf.fast.data import SkippedPhotoNotice
from nst_tf.features import shared_extractor
from nst_tf.objective import Objective
from nst_tf.sample_images import bundled_image_path
from nst_tf.transfer import TransferSettings


@pytest.fixture
def photos(content):
    """Two 43x64 photos: the bundled one and its mirror image."""
    return np.concatenate([content, content[:, :, ::-1]])


def _network(seed: int = 0):
    keras.utils.set_random_seed(seed)
    return transform_network(width=8, residual_blocks=1)


@pytest.mark.parametrize("height, width", [(43, 64), (64, 64), (17, 23), (50, 37)])
def test_any_input_size_gives_an_image_of_that_size_in_0_1(height, width):
    images = np.random.default_rng(0).uniform(size=(2, height, width, 3)).astype("float32")
    out = np.asarray(_network()(images))
    assert out.shape == images.shape and out.min() >= 0.0 and out.max() <= 1.0


def test_a_saved_network_loads_back_with_identical_outputs(tmp_path, photos):
    network = _network()
    path = save_network(network, tmp_path / "style.keras")
    loaded = load_network(path)
    np.testing.assert_array_equal(
        stylize_fast(loaded, photos[:1]), stylize_fast(network, photos[:1])
    )
    with pytest.raises(ValueError, match="exists; pass overwrite"):
        save_network(network, path)  # nothing replaced without overwrite
    assert save_network(network, path, overwrite=True) == path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "does not exist: train one first"),
        (lambda p: p.write_bytes(b"not a keras file"), "could not be loaded"),
    ],
    ids=["missing", "garbage"],
)
def test_a_network_file_that_is_not_one_is_named(tmp_path, make, message):
    path = tmp_path / "style.keras"
    make(path)
    with pytest.raises(ValueError, match=message):
        load_network(path)


def test_the_training_loss_is_the_loss_stylize_minimises(photos, style, vgg_h5):
    trainer = StyleTrainer(_network(), style, weights=str(vgg_h5))
    outputs = np.asarray(trainer(photos))
    parts = trainer.loss_parts(photos, outputs)
    settings = TransferSettings.make(weights=str(vgg_h5))
    extractor = shared_extractor(settings.loss.layers, settings.network)
    for i in range(len(photos)):  # each output against its own photo, as stylize's run would
        expected = Objective(extractor, settings.loss, photos[i : i + 1], [style])
        alone = expected.loss_parts(outputs[i : i + 1])
        for name in ("total", "content", "style", "tv"):
            np.testing.assert_allclose(
                np.asarray(getattr(parts, name))[i], np.asarray(getattr(alone, name))[0], rtol=1e-4
            )


def test_a_few_training_steps_lower_the_loss_and_leave_vgg19_alone(photos, style, vgg_h5):
    trainer = StyleTrainer(_network(), style, weights=str(vgg_h5))
    vgg_before = [np.array(w) for w in trainer.extractor.model.weights[:2]]
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    before = trainer.evaluate(photos, verbose=0, return_dict=True)["total"]
    history = trainer.fit(photos, epochs=12, batch_size=2, verbose=0).history["total"]
    after = trainer.evaluate(photos, verbose=0, return_dict=True)["total"]
    assert after < 0.5 * before, (before, history, after)
    for old, new in zip(vgg_before, trainer.extractor.model.weights[:2]):
        np.testing.assert_array_equal(old, np.array(new))


@pytest.fixture
def photo_folder(tmp_path):
    """Two photos of other sizes and aspects (one smaller than a 48 px crop), a broken
    'photo', and a text file the folder may hold."""
    folder = tmp_path / "photos"
    (folder / "more").mkdir(parents=True)
    shutil.copy(bundled_image_path("chelsea"), folder / "cat.png")
    Image.open(bundled_image_path("rocket")).resize((40, 30)).save(folder / "more" / "small.jpg")
    (folder / "broken.jpg").write_bytes(b"not a jpeg at all")
    (folder / "notes.txt").write_text("not a photo")
    return folder


def test_a_photo_folder_gives_batches_of_crops_and_names_what_it_skips(photo_folder):
    with pytest.warns(SkippedPhotoNotice, match=r"1 file\(s\).*broken\.jpg"):
        assert [p.name for p in photo_files(photo_folder)] == ["cat.png", "small.jpg"]
    batches = iter(photo_batches(photo_folder, size=48, batch=3))
    for _ in range(2):  # endless: more crops than photos
        crops = next(batches).numpy()
        assert crops.shape == (3, 48, 48, 3) and crops.min() >= 0.0 and crops.max() <= 1.0


def test_a_folder_without_photos_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "notes.txt").write_text("no photos here")
    with pytest.raises(ValueError, match="holds no photo that opens"):
        photo_files(tmp_path)
    with pytest.raises(ValueError, match="is not a folder"):
        photo_files(tmp_path / "notes.txt")


def test_a_trainer_fits_on_a_photo_folder(photo_folder, style, vgg_h5):
    trainer = StyleTrainer(_network(), style, weights=str(vgg_h5))
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    with pytest.warns(NSTNotice):
        batches = photo_batches(photo_folder, size=48, batch=2)
    history = trainer.fit(batches, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False).history
    assert np.isfinite(history["total"]).all()


def test_train_then_apply_on_files_end_to_end(photo_folder, tmp_path, capsys, vgg_h5):
    network = tmp_path / "swirls.keras"
    train = ["train", str(bundled_image_path("swirls")), "--photos", str(photo_folder)]
    train += ["-o", str(network), "--size", "48", "--steps", "2", "--batch", "2", "--width", "8"]
    assert cli.main([*train, "--quiet", "--weights", str(vgg_h5)]) == 0, capsys.readouterr()
    assert load_network(network).count_params() > 0
    again = cli.main([*train, "--quiet", "--weights", str(vgg_h5)])
    assert again == 2 and "--overwrite" in capsys.readouterr().err  # nothing replaced
    photo = str(bundled_image_path("chelsea"))
    one = tmp_path / "cat.png"
    assert cli.main(["apply", str(network), photo, "-o", str(one), "--size", "64"]) == 0
    with Image.open(one) as image:
        assert image.size == (64, 43)
    folder = tmp_path / "out" / "many"  # made, with its parents
    rocket = str(bundled_image_path("rocket"))
    assert cli.main(["apply", str(network), photo, rocket, "-o", str(folder), "--size", "64"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "chelsea_stylized.png",
        "rocket_stylized.png",
    ]


def test_apply_never_writes_over_its_input_and_names_a_bad_network(tmp_path, capsys):
    photo = tmp_path / "photo.png"
    shutil.copy(bundled_image_path("chelsea"), photo)
    network = save_network(_network(), tmp_path / "n.keras")
    assert cli.main(["apply", str(network), str(photo), "-o", str(photo), "--overwrite"]) == 2
    assert "is also an input" in capsys.readouterr().err
    (tmp_path / "bad.keras").write_text("no")
    assert (
        cli.main(["apply", str(tmp_path / "bad.keras"), str(photo), "-o", str(tmp_path / "o.png")])
        == 2
    )
    assert "could not be loaded" in capsys.readouterr().err


def test_training_runs_under_a_one_device_mirrored_strategy(photos, style, vgg_h5):
    """The code that trains on one device trains under tf.distribute (several GPUs, a TPU):
    the network and optimiser made in the strategy's scope, fit unchanged."""
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        trainer = StyleTrainer(_network(), style, weights=str(vgg_h5))
        trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = trainer.fit(photos, epochs=3, batch_size=2, verbose=0).history["total"]
    assert np.isfinite(history).all() and history[-1] < history[0]
