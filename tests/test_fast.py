"""Fast style transfer (nst_tf.fast): the transformation network and its training with the
lessons' own loss. Small (48-64 px, a narrow network, a few steps), on the seeded VGG19
weights file."""

import keras
import numpy as np
import pytest

from nst_tf.fast import StyleTrainer, transform_network
from nst_tf.features import shared_extractor
from nst_tf.objective import Objective
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
    network.save(tmp_path / "style.keras")
    loaded = keras.saving.load_model(tmp_path / "style.keras")
    np.testing.assert_array_equal(np.asarray(loaded(photos)), np.asarray(network(photos)))


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
