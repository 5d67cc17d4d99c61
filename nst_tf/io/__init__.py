"""Files in and out: atomic checked writes, downloads, images (reading, resizing, saving,
GIF animations), the bundled images and paintings, the Hangul font, colour transfer.

May import `nst_tf.base`.
"""
