"""The ground floor: errors, the language of every message, checks of values given at the
edge, stop signals, progress bars, TensorFlow's quiet start, and the random-weights mark.

Imports nothing else of nst_tf; every other layer may import it.
"""
