"""``python -m backprop_tutor``: see :mod:`backprop_tutor.app.cli`."""

import sys

from .app.cli import main

sys.exit(main())
