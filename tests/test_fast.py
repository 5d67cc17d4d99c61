"""Fast style transfer (nst_tf.fast): the transformation network and its training with the
lessons' own loss. Small (48-64 px, a narrow network, a few steps), on the seeded VGG19
weights file."""

import os
import shutil
import signal
import warnings

import keras
import numpy as np
import pytest
from PIL import Image

import nst_tf
from nst_tf.base import language, random_weights
from nst_tf.base.errors import NSTNotice
from nst_tf.cli import main as cli
from nst_tf.fast import (
    StyleTrainer,
    data,
    load_network,
    photo_batches,
    photo_files,
    save_network,
    stylize_fast,
    transform_network,
)
from nst_tf.fast.apply import restore_optimizer
from nst_tf.fast.callbacks import CheckpointNotice, NetworkCheckpoint
from nst_tf.fast.data import PhotoSetDownloadError, SkippedPhotoNotice
from nst_tf.fast.drawing import draw_network
from nst_tf.fast.network import stage_shapes
from nst_tf.fast.training import train
from nst_tf.io.sample_images import bundled_image_path
from nst_tf.lessons import grading, step_exercises
from nst_tf.network.features import shared_extractor
from nst_tf.objective.objective import Objective
from nst_tf.optimize.run import StopReason
from nst_tf.optimize.settings import TransferSettings


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


def _foreign_model(kind: str) -> keras.Model:
    """Keras models a user may hand to nst-tf apply that are not transformation networks."""
    if kind == "dense":
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    if kind == "five channels":
        return keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(5, 3)])
    return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(3, 3)])  # fixed


def _nan_network() -> keras.Model:
    network = _network()
    weights = network.get_weights()
    weights[0][...] = np.nan
    network.set_weights(weights)
    return network


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "does not exist: train one first"),
        (lambda p: p.write_bytes(b"not a keras file"), "could not be used"),
        (lambda p: _foreign_model("dense").save(p), "not photo to photo"),
        (lambda p: _foreign_model("five channels").save(p), "not photo to photo"),
        (lambda p: _foreign_model("fixed size").save(p), "not photo to photo"),
        (lambda p: _nan_network().save(p), "NaN or Inf weights"),
    ],
    ids=["missing", "garbage", "dense", "five channels", "fixed size", "nan weights"],
)
def test_a_network_file_that_is_not_one_is_named(tmp_path, make, message):
    """A file nst-tf apply cannot use is refused by name when loaded (a dense model gave
    a StopIteration traceback, others blamed the image: a hostile user's try)."""
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


def _student_steps(trainer):
    """Lesson 08's training step as a student writes it, right and in ways seen wrong."""
    import tensorflow as tf

    network = trainer.network
    adam = keras.optimizers.Adam(1e-3)

    def step(photos, mean=tf.reduce_mean, apply=True, returns=True, swapped=False, sign=1):
        with tf.GradientTape() as tape:
            loss = mean(trainer.loss_parts(photos, network(photos, training=True)).total)
        gradients = [sign * g for g in tape.gradient(loss, network.trainable_variables)]
        if swapped:
            adam.apply(network.trainable_variables, gradients)
        elif apply:
            adam.apply(gradients, network.trainable_variables)
        return loss if returns else None

    def uncompiled(photos):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(trainer.loss_parts(photos, network(photos)).total)
        trainer.optimizer.apply(tape.gradient(loss, network.trainable_variables))
        return loss

    return {
        "right": lambda p: step(p),
        "sum": lambda p: step(p, mean=tf.reduce_sum),
        "unchanged": lambda p: step(p, apply=False),
        "sign": lambda p: step(p, sign=-1),
        "return": lambda p: step(p, returns=False),
        "swapped": lambda p: step(p, swapped=True),
        "uncompiled": uncompiled,
    }


@pytest.mark.parametrize(
    "case, hint",
    [
        ("sum", "평균하세요"),
        ("unchanged", "network.trainable_variables"),
        ("sign", "부호"),
        ("return", "return 문"),
        ("swapped", "그레이디언트가 먼저"),
        ("uncompiled", "adam을 쓰세요"),
    ],
)
def test_a_wrong_training_step_gets_the_hint_for_its_mistake(case, hint, photos, style, vgg_h5):
    """check_training_step (lesson 08's "write it yourself" check): the right step passes
    and leaves the weights as they were; each mistake a student was seen to make is named.
    (tests/test_notebooks.py runs one wrong cell in the lesson itself.)"""

    language.set_language("ko")
    trainer = StyleTrainer(_network(), style, weights=str(vgg_h5))
    steps = _student_steps(trainer)
    before = [v.numpy() for v in trainer.network.trainable_variables]
    step_exercises.check_training_step(steps["right"], trainer, photos)
    with pytest.raises(grading.ExerciseError, match=hint):
        step_exercises.check_training_step(steps[case], trainer, photos)
    for old, new in zip(before, trainer.network.trainable_variables):
        np.testing.assert_array_equal(old, new.numpy())


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


def test_photos_that_only_look_whole_end_training_with_what_to_do(tmp_path, capsys, vgg_h5):
    """A truncated JPEG passes the header check: training on it alone spun forever in
    tf.data's thread, deaf to Ctrl-C (a hostile user's try). Now it is left out when it
    fails to decode, named, and with none left the run ends with exit 2."""
    folder = tmp_path / "cut"
    folder.mkdir()
    Image.open(bundled_image_path("rocket")).convert("RGB").save(folder / "cut.jpg")
    (folder / "cut.jpg").write_bytes((folder / "cut.jpg").read_bytes()[:2000])
    train = ["train", str(bundled_image_path("swirls")), "--photos", str(folder), "--quiet"]
    train += ["-o", str(tmp_path / "n.keras"), "--size", "32", "--steps", "2", "--batch", "2"]
    train += ["--width", "4", "--weights", str(vgg_h5)]
    assert cli.main(train) == 2
    err = capsys.readouterr().err
    assert "cut.jpg" in err and "decodes" in err and "Traceback" not in err, err
    assert not (tmp_path / "n.keras").exists()
    shutil.copy(bundled_image_path("chelsea"), folder / "cat.png")  # one good photo: trains
    assert cli.main(train) == 0


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
    assert "could not be used" in capsys.readouterr().err


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


def _trainer(style, vgg_h5, **keywords):
    trainer = StyleTrainer(_network(), style, weights=str(vgg_h5), **keywords)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    return trainer


def test_train_keeps_the_history_and_previews_and_says_how_it_ended(photos, style, vgg_h5):
    import tensorflow as tf

    batches = tf.data.Dataset.from_tensors(photos).repeat()
    record = train(_trainer(style, vgg_h5), batches, 4, preview=photos[:1], preview_every=2)
    assert record.stop.reason is StopReason.COMPLETED and record.done == 4
    assert all(len(values) == 4 for values in record.history.values())
    assert record.history["total"][-1] < record.history["total"][0]
    assert [step for step, _ in record.previews] == [0, 2, 4]
    assert record.previews[-1][1].shape == photos[:1].shape


def test_a_nan_loss_ends_training_with_the_network_before_it(photos, style, vgg_h5):
    """Never trained on past a NaN: the step that gave it is undone, and the run says so."""
    import tensorflow as tf

    poisoned = photos.copy()
    poisoned[0, 0, 0, 0] = np.nan
    batches = tf.data.Dataset.from_tensor_slices(np.stack([photos, poisoned, photos])).repeat()
    trainer = _trainer(style, vgg_h5)
    after_first = []
    first = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: (
            batch == 0 and after_first.append(trainer.network.get_weights())
        )
    )
    record = train(trainer, batches, 3, progress=False, callbacks=[first])
    assert record.stop.reason is StopReason.NON_FINITE and record.done == 1
    assert "step 2" in str(record.stop)
    for kept, good in zip(trainer.network.get_weights(), after_first[0]):
        np.testing.assert_array_equal(kept, good)


def test_a_step_that_makes_the_weights_nan_is_undone_though_its_loss_was_finite(
    photos, style, vgg_h5
):
    """The loss of a step is computed before its update: an update that overflowed the
    weights (a huge step) went unnoticed until the next step's loss, by which time the
    weights kept were the broken ones (a hostile user's try: --style-weight 1e29)."""
    trainer = StyleTrainer(_network(), style, weights=str(vgg_h5))
    trainer.compile(optimizer=keras.optimizers.SGD(learning_rate=1e38))
    import tensorflow as tf

    before = trainer.network.get_weights()
    record = train(trainer, tf.data.Dataset.from_tensors(photos).repeat(), 3, progress=False)
    assert record.stop.reason is StopReason.NON_FINITE and record.done == 0
    assert "the weights became NaN/Inf at step 1" in str(record.stop)
    for kept, good in zip(trainer.network.get_weights(), before):
        np.testing.assert_array_equal(kept, good)


def test_ctrl_c_ends_training_with_the_network_as_it_is(photos, style, vgg_h5):
    import tensorflow as tf

    def interrupt(batch, logs):
        if batch == 1:
            raise KeyboardInterrupt

    batches = tf.data.Dataset.from_tensors(photos).repeat()
    stopper = keras.callbacks.LambdaCallback(on_train_batch_end=interrupt)
    record = train(_trainer(style, vgg_h5), batches, 5, progress=False, callbacks=[stopper])
    assert record.stop.reason is StopReason.INTERRUPTED and record.done == 2
    assert "interrupted at step 2" in str(record.stop)


def test_train_checkpoints_resumes_and_keeps_the_network_at_sigterm(
    photo_folder, tmp_path, capsys, vgg_h5, monkeypatch
):
    network = tmp_path / "swirls.keras"
    train_args = ["train", str(bundled_image_path("swirls")), "--photos", str(photo_folder)]
    train_args += ["-o", str(network), "--size", "48", "--batch", "2", "--width", "8", "--quiet"]
    train_args += ["--weights", str(vgg_h5)]
    saves = []
    real_save = NetworkCheckpoint.save
    monkeypatch.setattr(
        NetworkCheckpoint, "save", lambda self: saves.append(self.done) or real_save(self)
    )
    assert cli.main([*train_args, "--steps", "4", "--save-every", "2"]) == 0
    assert saves == [2, 4]
    first = load_network(network).get_weights()
    assert cli.main([*train_args, "--steps", "4", "--resume"]) == 0  # 4 in all: done already
    assert "4 steps already" in capsys.readouterr().out
    assert cli.main([*train_args, "--steps", "6", "--resume"]) == 0, capsys.readouterr().err
    assert "from the network's 4 steps to 6" in capsys.readouterr().err
    resumed = load_network(network).get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(first, resumed))
    optimizer = keras.optimizers.Adam(1e-4)  # the state comes back, the learning rate not
    assert restore_optimizer(network, optimizer, load_network(network).trainable_variables) == 6
    assert int(optimizer.iterations) == 6 and np.isclose(float(optimizer.learning_rate), 1e-4)
    assert np.abs(np.asarray(optimizer.variables[2])).sum() > 0  # a momentum, not zeros

    def sigterm_at_second_step(self, batch, logs=None):
        if batch == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(
        NetworkCheckpoint, "on_train_batch_begin", sigterm_at_second_step, raising=False
    )
    capsys.readouterr()
    assert cli.main([*train_args, "--steps", "50", "--resume"]) == 128 + signal.SIGTERM
    assert "the network trained so far is in" in capsys.readouterr().err
    assert len(load_network(network).get_weights()) == len(first)  # whole, loadable


def test_a_checkpoint_keeps_a_file_another_program_made_meanwhile(photos, style, vgg_h5, tmp_path):
    """OUT was checked free when training started; a file that appears there later is
    not replaced by a checkpoint (it was: checkpoints always overwrote)."""
    import tensorflow as tf

    path = tmp_path / "race.keras"
    trainer = _trainer(style, vgg_h5)
    batches = tf.data.Dataset.from_tensors(photos).repeat()
    path.write_text("precious")  # made by another program after the check
    checkpoint = NetworkCheckpoint(path, 1)
    with pytest.warns(CheckpointNotice, match="exists"):
        train(trainer, batches, 2, progress=False, callbacks=[checkpoint])
    assert path.read_text() == "precious" and not checkpoint.saved
    mine = NetworkCheckpoint(tmp_path / "mine.keras", 1)  # its own file it replaces
    train(trainer, batches, 2, progress=False, callbacks=[mine])
    assert mine.saved and load_network(tmp_path / "mine.keras").count_params() > 0


def test_resume_needs_a_network_to_go_on_from(photo_folder, tmp_path, capsys):
    args = ["train", str(bundled_image_path("swirls")), "--photos", str(photo_folder)]
    assert cli.main([*args, "-o", str(tmp_path / "none.keras"), "--resume"]) == 2
    assert "train without --resume first" in capsys.readouterr().err


def test_a_list_of_photo_files_is_a_photo_source_too(photo_folder, tmp_path):
    files = [photo_folder / "cat.png", photo_folder / "more" / "small.jpg"]
    assert photo_files(files) == files
    with pytest.raises(ValueError, match="missing.jpg does not exist"):
        photo_files([*files, tmp_path / "missing.jpg"])


def test_a_photo_set_that_cannot_be_downloaded_says_what_to_do_offline(tmp_path, monkeypatch):
    """A real failed download (nothing listens on port 9), through the one download path."""
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no folder named like the set here
    url = "http://127.0.0.1:9/val2017.zip"
    monkeypatch.setitem(
        data.PHOTO_SETS, "coco-val2017", (url, *data.PHOTO_SETS["coco-val2017"][1:])
    )
    with pytest.raises(PhotoSetDownloadError) as info:
        photo_files("coco-val2017")
    message = str(info.value)
    assert url in message and "--photos FOLDER" in message and "coco-val2017" in message
    assert not list((tmp_path / "cache").glob("*.zip")), "no half-downloaded file left"


def test_the_network_stages_shrink_to_a_quarter_and_grow_back():
    shapes = stage_shapes(_network(), 64)
    assert list(shapes) == ["in", "down_1", "down_2", "residual_1", "up_1", "up_2", "out"]
    assert [shape[0] for shape in shapes.values()] == [64, 32, 16, 16, 32, 64, 64]
    assert shapes["residual_1"][2] == 4 * shapes["in"][2] and shapes["out"][2] == 3
    fig = draw_network(_network(), 64)
    assert f"{_network().count_params():,}" in fig.axes[0].get_title()


def test_a_batch_of_photos_is_stylised_as_each_alone(photos):
    network = _network()
    together = stylize_fast(network, photos)
    assert together.shape == photos.shape
    np.testing.assert_allclose(together[1:], stylize_fast(network, photos[1:]), atol=1e-6)


def test_a_training_step_prints_nothing_to_the_terminal():
    """TensorFlow's C++ code writes to the process's stderr directly (a notebook shows it
    as red lines): the network's gradient must not make oneDNN print its DT_INT32 line,
    as the gradient of Keras's UpSampling2D does on many CPUs."""
    import subprocess
    import sys

    code = (
        "import nst_tf, tensorflow as tf\n"
        "from nst_tf.fast import transform_network\n"
        "net = transform_network(8, 1)\n"
        "x = tf.random.uniform((2, 32, 32, 3))\n"
        "with tf.GradientTape() as tape:\n"
        "    loss = tf.reduce_mean(net(x, training=True))\n"
        "tape.gradient(loss, net.trainable_variables)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_timing_several_networks_in_a_row_prints_no_retracing_warning(content, caplog):
    """Lesson 08's exercise 3 times three networks of other widths: TensorFlow counted
    each network's first trace as a retrace of one function and warned, in English."""
    from nst_tf.fast import forward_seconds

    with caplog.at_level("WARNING"):
        for width in (4, 4, 8, 8, 4, 8):
            keras.utils.set_random_seed(0)
            forward_seconds(transform_network(width, residual_blocks=1), content, repeats=1)
    assert "retracing" not in caplog.text


def test_apply_stylises_every_frame_of_a_gif_keeping_each_frame_s_time_and_size(
    tmp_path, capsys, monkeypatch
):
    """A stylised GIF is a result, as a stylised photo is: every frame keeps its time (all
    took the first frame's) and its size, even after random VGG19 weights were used (a
    caption strip made the frames taller, where a photo's result gets none)."""

    monkeypatch.setattr(nst_tf.base.random_weights, "_random_used", True)
    still = Image.open(bundled_image_path("chelsea")).convert("RGB").resize((48, 32))
    frames = [still.point(lambda v, k=k: min(255, v + 40 * k)) for k in range(3)]
    animation = tmp_path / "cat.gif"
    frames[0].save(
        animation, save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0
    )
    network = save_network(_network(), tmp_path / "n.keras")
    folder = tmp_path / "out"
    assert cli.main(["apply", str(network), str(animation), "-o", str(folder)]) == 0
    with Image.open(folder / "cat_stylized.gif") as result:
        assert (result.n_frames, result.size) == (3, (48, 32))
        times = []
        for index in range(result.n_frames):
            result.seek(index)
            times.append(result.info["duration"])
    assert times == [100, 200, 300]
    assert cli.main(["apply", str(network), str(animation), "-o", str(tmp_path / "a.png")]) == 2
    assert ".gif" in capsys.readouterr().err  # a GIF's result is a GIF


def test_apply_refuses_what_would_lose_a_result_before_any_work(tmp_path, capsys):
    """A hostile user's tries, each refused before the network is loaded and nothing
    written: two photos whose results share a name (--overwrite kept only the second),
    several photos to one file name (a folder of that name was made), a format that
    cannot be written (.tiff made a folder too), a file that is no photo among them."""
    network = save_network(_network(), tmp_path / "n.keras")
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        shutil.copy(bundled_image_path("chelsea"), tmp_path / side / "pic.png")
    same = [str(tmp_path / "a" / "pic.png"), str(tmp_path / "b" / "pic.png")]
    (tmp_path / "notes.png").write_text("not a photo")
    cases = [
        ([*same, "-o", str(tmp_path / "out"), "--overwrite"], "would both be written to"),
        ([same[0], str(bundled_image_path("rocket")), "-o", str(tmp_path / "many.png")], "folder"),
        ([same[0], "-o", str(tmp_path / "one.tiff")], "use one of"),
        ([same[0], str(tmp_path / "notes.png"), "-o", str(tmp_path / "out2")], "notes.png"),
    ]
    for arguments, message in cases:
        assert cli.main(["apply", str(network), *arguments]) == 2, arguments
        assert message in capsys.readouterr().err, arguments
    assert not (tmp_path / "many.png").exists() and not (tmp_path / "one.tiff").exists()
    assert not any((tmp_path / "out").iterdir()) and not (tmp_path / "out2").exists()


def test_apply_says_which_results_it_wrote_when_stopped(tmp_path, capsys, monkeypatch):
    """Ctrl-C after the first of three photos: exit 130, the first result kept and named
    (it said "nothing was written")."""
    from nst_tf.cli import apply as commands

    network = save_network(_network(), tmp_path / "n.keras")
    photos = []
    for name in ("one", "two", "three"):
        photos.append(str(tmp_path / f"{name}.png"))
        shutil.copy(bundled_image_path("chelsea"), photos[-1])
    real, calls = commands._stylized, []

    def stylized(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(commands, "_stylized", stylized)
    folder = tmp_path / "out"
    assert cli.main(["apply", str(network), *photos, "-o", str(folder), "--size", "48"]) == 130
    err = capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["one_stylized.png"]
    assert "1 of 3 photos were written" in err and "one_stylized.png" in err, err


def test_a_network_trained_with_random_weights_says_so_wherever_it_is_used(tmp_path, monkeypatch):
    """Its file notes the random VGG19 weights; loading it (in a new process, where VGG19
    never ran) announces them and marks the figures and GIFs made from then on."""
    import subprocess
    import sys

    monkeypatch.setattr(
        nst_tf.base.random_weights, "_random_used", True
    )  # this process trained with them
    path = save_network(_network(), tmp_path / "random.keras")
    monkeypatch.setattr(nst_tf.base.random_weights, "_random_used", False)
    code = (
        "import sys, nst_tf\n"
        "from nst_tf.fast import load_network\n"
        "from nst_tf.base.random_weights import random_weights_used\n"
        "load_network(sys.argv[1])\n"
        "print(random_weights_used())\n"
    )
    env = {**os.environ, "NST_TF_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env
    )
    assert done.stdout.strip() == "True", done.stderr
    assert "random.keras was trained with random VGG19 weights" in done.stderr
    real = save_network(_network(), tmp_path / "real.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_network(real)  # no notice for a network trained with real weights
    assert not random_weights.random_weights_used()


def test_a_bfloat16_network_trains_and_gives_float32_images(photos, style, vgg_h5):
    """Mixed precision (where hardware has bfloat16 units): the network computes in
    bfloat16 with float32 weights, as VGG19 does with precision="bfloat16"."""
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    network = transform_network(width=8, residual_blocks=1, precision="bfloat16")
    assert network.get_layer("in").compute_dtype == "bfloat16"
    assert all(w.dtype == "float32" for w in network.weights)
    trainer = StyleTrainer(network, style, weights=str(vgg_h5), precision="bfloat16")
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    record = train(trainer, tf.data.Dataset.from_tensors(photos).repeat(), 3, progress=False)
    assert record.stop.completed and np.isfinite(record.history["total"]).all()
    assert stylize_fast(network, photos[:1]).dtype == np.float32


def test_tiles_blend_back_into_the_whole_image_for_a_pointwise_network(photos):
    """Tiling is exact where the network looks at one pixel at a time (a 1x1 convolution):
    the overlapping tiles' blend is the whole image's pass, edges and corners included."""
    keras.utils.set_random_seed(0)
    pointwise = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(3, 1)])
    photo = np.random.default_rng(0).uniform(size=(1, 150, 97, 3)).astype("float32")
    whole = stylize_fast(pointwise, photo, tile=None)
    np.testing.assert_allclose(stylize_fast(pointwise, photo, tile=68), whole, atol=1e-5)


def test_a_photo_too_large_for_the_free_memory_is_tiled_and_said_so(monkeypatch):
    from nst_tf.fast import apply

    network = _network()
    monkeypatch.setattr(apply, "available_bytes", lambda: None)  # unknown: never tiled
    assert apply.tile_side(network, (4000, 3000)) is None
    monkeypatch.setattr(apply, "available_bytes", lambda: 2**30)  # 1 GiB free
    assert apply.tile_side(network, (256, 256)) is None
    expected = int((2**29 / (apply.FORWARD_BYTES_PER_PIXEL_CHANNEL * 8)) ** 0.5) // 4 * 4
    with pytest.warns(apply.TiledNotice, match=f"4000x3000 photo .* {expected} px tiles"):
        assert apply.tile_side(network, (3000, 4000)) == expected  # half the free memory
    photo = np.random.default_rng(0).uniform(size=(1, 100, 150, 3)).astype("float32")
    out = stylize_fast(network, photo, tile=68)  # tiles of a real network
    assert out.shape == photo.shape and np.isfinite(out).all() and 0 <= out.min() <= out.max() <= 1
