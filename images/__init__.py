"""The bundled images, installed as the package ``nst_tf.bundled_images`` (see README.md)."""
