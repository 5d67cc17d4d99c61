"""The ``nst-tf`` command: its vocabulary (`arguments`, `transfer_options`), files
(`paths`), how a command ends (`outcome`), one module per command (`stylize`, `sweep`,
`demo`, `weights`, `train`, `apply`) and `main`, which builds the parser from them.

The top floor: may import everything; nothing imports it.
"""
