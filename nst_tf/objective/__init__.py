"""What is minimised: the Gram matrix, the content, style and total-variation losses
(`losses`), their weights (`layer_weights`), the terms as classes (`terms`), the settings
(`settings`), one image's loss and gradient (`objective`, with recomputed activations in
`recompute`), and how much of the photo a result keeps (`quality`).

May import `nst_tf.base`, `nst_tf.io` and `nst_tf.network`.
"""
