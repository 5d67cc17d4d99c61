"""``python -m nst_tf``: the same as the ``nst-tf`` command."""

import sys

from nst_tf.cli.main import main

sys.exit(main())
