"""Optimising the pixels: the optimisers (`optimizers`) and one run of them (`run`), memory
estimates (`memory`), coarse-to-fine plans (`scales`), progress and checkpoints
(`reporting`), a transfer's settings (`settings`) and `stylize` (`transfer`), slide 8's
sweep (`sweep`), content reconstruction and texture synthesis (`reconstruct`).

May import every layer below: `base`, `io`, `network`, `objective`, `figures`.
"""
