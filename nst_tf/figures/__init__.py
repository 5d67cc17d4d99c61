"""Figures with one look: image rows and slide 8's grid (`plotting`), feature maps and
Gram matrices (`feature_maps`), loss curves (`loss_curves`), a run's live picture (`live`).

May import `nst_tf.base`, `nst_tf.io`, `nst_tf.network` and `nst_tf.objective` (for the
names of the loss parts); the optimisation shows its live picture from here.
"""
