"""VGG19: where its weights come from (`weights`, `weights_8bit`, `torch_stream`), the
model in its precision (`vgg`, `precision`), Gatys et al.'s normalised network
(`rescale`), and images to activations by layer name (`preprocess`, `features`).

May import `nst_tf.base` and `nst_tf.io`.
"""
